/**
 * Browser weights (NHWC kernels, names of blocks/module.ts) -> PyTorch state_dict tensors of model.py,
 * op by op from the lowering (net-spec.ts): conv kernels [kh, kw, in/g, out] -> [out, in/g, kh, kw],
 * depthwise kernels [kh, kw, C, 1] -> [C, 1, kh, kw], FC kernels [in, out] -> Linear's [out, in];
 * BatchNorm gamma / beta / mean / variance -> weight / bias / running_mean / running_var.
 * Every browser parameter must be used exactly once (as the ONNX exporter checks), so the two cannot
 * silently disagree.
 */
import type { WeightEntry, WeightMap } from '../../model/weights.ts';
import type { NamedTensor } from './safetensors.ts';
import { specParts, torchModuleKey, type TorchNetSpec, type TorchOp } from './net-spec.ts';

/** state_dict prefix of the per-op modules (model.py's Network.layers). */
export const LAYERS_PREFIX = 'layers';
/** state_dict prefix of θ (model.py's ArchParams.theta), one [k] vector per searchable layer. */
export const THETA_PREFIX = 'theta';

function permute(w: WeightEntry, perm: number[]): { shape: number[]; data: Float32Array } {
  const shape = perm.map((p) => w.shape[p]);
  const inStrides = w.shape.map((_, i) => w.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const data = new Float32Array(w.data.length);
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += idx[d] * inStrides[perm[d]];
    data[o] = w.data[src];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return { shape, data };
}

const BN_NAMES: Record<string, string> = {
  gamma: 'weight',
  beta: 'bias',
  mean: 'running_mean',
  variance: 'running_var',
};

function opTensors(op: TorchOp, take: (name: string) => WeightEntry): NamedTensor[] {
  const key = `${LAYERS_PREFIX}.${torchModuleKey(op.name)}`;
  return (op.params ?? []).map((p) => {
    const w = take(p.name);
    const suffix = p.name.slice(op.name.length + 1);
    let t: { shape: number[]; data: Float32Array };
    let field: string;
    if (op.op === 'bn') {
      field = BN_NAMES[suffix];
      t = { shape: w.shape, data: w.data };
    } else if (suffix === 'bias') {
      field = 'bias';
      t = { shape: w.shape, data: w.data };
    } else if (op.op === 'fc') {
      field = 'weight';
      t = permute(w, [1, 0]);
    } else if (suffix === 'depthwise_kernel') {
      field = 'weight';
      t = permute(w, [2, 3, 0, 1]);
      t.shape = [t.shape[0] * t.shape[1], 1, t.shape[2], t.shape[3]];
    } else {
      field = 'weight';
      t = permute(w, [3, 2, 0, 1]);
    }
    if (!field) throw new Error(`PyTorch export: parameter ${p.name} has no PyTorch counterpart`);
    return { name: `${key}.${field}`, shape: t.shape, data: t.data };
  });
}

/**
 * The state_dict tensors of `spec` from `weights` (browser names), θ appended as `theta.<l>` when given.
 * Throws on a missing, mis-shaped or unused parameter.
 */
export function torchTensors(
  spec: TorchNetSpec,
  weights: WeightMap,
  theta: Float32Array[] = [],
): NamedTensor[] {
  const used = new Set<string>();
  const take = (name: string): WeightEntry => {
    const w = weights[name];
    if (!w) throw new Error(`PyTorch export: the model has no parameter "${name}"`);
    used.add(name);
    return w;
  };
  const out: NamedTensor[] = [];
  for (const part of specParts(spec)) {
    for (const op of part.ops) {
      for (const p of op.params ?? []) {
        const w = weights[p.name];
        if (w && (w.shape.length !== p.shape.length || w.shape.some((d, i) => d !== p.shape[i]))) {
          throw new Error(`PyTorch export: ${p.name} is [${w.shape}], the architecture gives [${p.shape}]`);
        }
      }
      out.push(...opTensors(op, take));
    }
  }
  const unused = Object.keys(weights).filter((n) => !used.has(n));
  if (unused.length) throw new Error(`PyTorch export: parameters not exported: ${unused.join(', ')}`);
  const searchLayers = spec.body.filter((l) => l.kind === 'search');
  if (theta.length && theta.length !== searchLayers.length)
    throw new Error(`PyTorch export: ${theta.length} θ vectors for ${searchLayers.length} searchable layers`);
  theta.forEach((t, l) =>
    out.push({ name: `${THETA_PREFIX}.${l}`, shape: [t.length], data: Float32Array.from(t) }),
  );
  return out;
}
