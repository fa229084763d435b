/**
 * NasModel -> ONNX bytes, entirely in the browser. One node (or a few) per op of lower(arch)
 * (arch/lower.ts, the ops blocks/build.ts and model/head.ts run), in NCHW (ONNX's layout), with BatchNorm
 * folded into the conv before it:
 *   s = γ / sqrt(var + ε),  W' = W · s (per output channel),  b' = β + (b − mean) · s   (b = 0 without bias)
 * so every conv unit becomes one Conv node with a bias. tfjs kernels [kh, kw, in/g, out] become OIHW
 * [out, in/g, kh, kw]; depthwise kernels [kh, kw, C, m] become [C·m, 1, kh, kw] with group = C.
 *
 * Versions: IR 8 with opset 17 by default. HardSwish exists from opset 14; 17 is the newest opset of
 * IR 8 that runtimes and converters commonly accept (onnxruntime >= 1.12, PyTorch's default export
 * opset). Opsets 13..17 are accepted; below 14 hswish is written as x · HardSigmoid(x).
 */
import { lower, type ActOp, type ConvOp, type Op, type ParamSpec } from '../arch/lower.ts';
import type { HeadSpec } from '../arch/spec.ts';
import { BN_EPSILON } from '../blocks/module.ts';
import type { NasModel } from '../model/model.ts';
import { headOutputs } from '../model/head.ts';
import { gridPoolMatrix } from '../model/grid-pool.ts';
import { getWeights, type WeightEntry, type WeightMap } from '../model/weights.ts';
import { OnnxGraphBuilder } from './onnx-graph.ts';
import { DataType, encodeModel } from './onnx-proto.ts';

export const ONNX_IR_VERSION = 8;
export const DEFAULT_OPSET = 17;
export const MIN_OPSET = 13;
export const MAX_OPSET = 17;
export const PRODUCER_NAME = 'NAS Playground';
export const PRODUCER_VERSION = '0.1.0';
/** metadata_props key holding JSON.stringify(model.arch). */
export const ARCH_METADATA_KEY = 'nas_playground.arch';
export const INPUT_NAME = 'input';

export interface ExportOptions {
  /** Extra metadata_props (e.g. the experiment URL); may not override the arch key. */
  metadata?: Record<string, string>;
  /** ONNX default-domain opset, 13..17 (default 17). */
  opset?: number;
}

/** Name of the graph output for a head: `landmarks` [N, 2·points] or `logits` [N, classes]. */
export function outputNameFor(head: HeadSpec): string {
  return head.kind === 'landmarks' ? 'landmarks' : 'logits';
}

/** Exports the model in inference mode (BatchNorm running statistics). Reads weights with await data(). */
export async function exportOnnx(model: NasModel, options: ExportOptions = {}): Promise<Uint8Array> {
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new Error(`ONNX opset ${opset} not supported (use ${MIN_OPSET}..${MAX_OPSET})`);
  }
  const weights = await getWeights(model.params());
  const arch = model.arch;
  const lowered = lower(arch);
  const outName = outputNameFor(arch.head);
  const e = new Emitter(weights, opset);
  e.bind(lowered.input.id, e.g.reserve(INPUT_NAME));
  lowered.ops.forEach((op, i) =>
    e.emit(op, lowered.ops[i + 1], op.out.id === lowered.output.id ? outName : null),
  );
  e.checkAllWeightsUsed();

  const graph = e.g.build(
    arch.name || 'nas_model',
    [
      {
        name: INPUT_NAME,
        elemType: DataType.FLOAT,
        shape: ['N', arch.input.channels, arch.input.size, arch.input.size],
      },
    ],
    [{ name: outName, elemType: DataType.FLOAT, shape: ['N', headOutputs(arch.head)] }],
    `${arch.name}: NCHW float32 input, BatchNorm folded into convolutions.`,
  );
  const metadata: Record<string, string> = { ...options.metadata, [ARCH_METADATA_KEY]: JSON.stringify(arch) };
  return encodeModel({
    irVersion: ONNX_IR_VERSION,
    opsetImports: [{ domain: '', version: opset }],
    producerName: PRODUCER_NAME,
    producerVersion: PRODUCER_VERSION,
    graph,
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
}

/** Emits lowered ops in order; `names` maps a lowered value id to its ONNX value name. */
class Emitter {
  readonly g = new OnnxGraphBuilder();
  private used = new Set<string>();
  private names = new Map<number, string>();
  /** Ids of BatchNorm ops folded into the conv before them. */
  private folded = new Set<number>();

  constructor(
    private readonly weights: WeightMap,
    private readonly opset: number,
  ) {}

  bind(id: number, name: string): void {
    this.names.set(id, name);
  }

  private name(id: number): string {
    const n = this.names.get(id);
    if (n === undefined) throw new Error(`ONNX export: value ${id} used before it was emitted`);
    return n;
  }

  /** The model's tensor for a lowered parameter; its shape must be the lowered one. */
  private take(p: ParamSpec): WeightEntry {
    const w = this.weights[p.name];
    if (!w) throw new Error(`ONNX export: the model has no parameter "${p.name}"`);
    if (w.shape.length !== p.shape.length || w.shape.some((d, i) => d !== p.shape[i])) {
      throw new Error(`ONNX export: ${p.name} is [${w.shape}], the architecture gives [${p.shape}]`);
    }
    this.used.add(p.name);
    return w;
  }

  private param(op: Op, suffix: string): ParamSpec | undefined {
    return op.params.find((p) => p.name === `${op.name}/${suffix}`);
  }

  /** Guards against the exporter drifting from the blocks: every parameter must end up in the graph. */
  checkAllWeightsUsed(): void {
    const unused = Object.keys(this.weights).filter((n) => !this.used.has(n));
    if (unused.length) throw new Error(`ONNX export: parameters not exported: ${unused.join(', ')}`);
  }

  /** Bias (or zeros) and the BatchNorm `bn` (when given), folded into OIHW weights `w` with `out` channels. */
  private fold(
    conv: ConvOp,
    bn: Op | null,
    w: Float32Array,
    out: number,
  ): { w: Float32Array; b: Float32Array } {
    const biasParam = this.param(conv, 'bias');
    const bias = biasParam ? this.take(biasParam).data : null;
    const b = new Float32Array(out);
    if (!bn) {
      if (bias) b.set(bias);
      return { w, b };
    }
    const [gamma, beta, mean, variance] = ['gamma', 'beta', 'mean', 'variance'].map(
      (n) => this.take(this.param(bn, n)!).data,
    );
    const per = w.length / out;
    const folded = new Float32Array(w.length);
    for (let o = 0; o < out; o++) {
      const s = gamma[o] / Math.sqrt(variance[o] + BN_EPSILON);
      for (let i = 0; i < per; i++) folded[o * per + i] = w[o * per + i] * s;
      b[o] = beta[o] + ((bias ? bias[o] : 0) - mean[o]) * s;
    }
    return { w: folded, b };
  }

  private activation(x: string, act: ActOp): string {
    const g = this.g;
    switch (act) {
      case 'relu':
        return g.relu(x);
      case 'relu6':
        return g.clip(x, 0, 6);
      case 'hswish':
        return this.opset >= 14 ? g.hardSwish(x) : g.mul(x, g.hardSigmoid(x, 1 / 6, 0.5));
      case 'swish':
        return g.mul(x, g.sigmoid(x));
      case 'hsigmoid':
        return g.hardSigmoid(x, 1 / 6, 0.5);
      case 'sigmoid':
        return g.sigmoid(x);
    }
  }

  /**
   * A conv as one Conv node, the BatchNorm right after it (`next`) folded in. tfjs kernels
   * [kh, kw, in/g, out] -> [out, in/g, kh, kw]; depthwise [kh, kw, C, m] -> [C·m, 1, kh, kw], output
   * channel c·m + j (tfjs depthwise order).
   */
  private conv(op: ConvOp, next: Op | undefined): string {
    const kp = op.params[0];
    const kernel = this.take(kp);
    const bn = next && next.op === 'bn' && next.in[0].id === op.out.id ? next : null;
    if (bn) this.folded.add(bn.out.id);
    const [kh, kw, a, m] = kernel.shape;
    const oihw = new Float32Array(kernel.data.length);
    let dims: [number, number, number, number];
    if (op.depthwise) {
      for (let y = 0; y < kh; y++)
        for (let xx = 0; xx < kw; xx++)
          for (let ch = 0; ch < a; ch++)
            for (let j = 0; j < m; j++)
              oihw[((ch * m + j) * kh + y) * kw + xx] = kernel.data[((y * kw + xx) * a + ch) * m + j];
      dims = [a * m, 1, kh, kw];
    } else {
      for (let y = 0; y < kh; y++)
        for (let xx = 0; xx < kw; xx++)
          for (let i = 0; i < a; i++)
            for (let oc = 0; oc < m; oc++)
              oihw[((oc * a + i) * kh + y) * kw + xx] = kernel.data[((y * kw + xx) * a + i) * m + oc];
      dims = [m, a, kh, kw];
    }
    const out = dims[0];
    const { w, b } = this.fold(op, bn, oihw, out);
    const p = op.pad;
    const wName = this.g.weight(`${op.name}/weight`, dims, w);
    const bName = this.g.weight(`${op.name}/bias`, [out], b);
    return this.g.conv(
      this.name(op.in[0].id),
      wName,
      bName,
      {
        strides: [op.stride, op.stride],
        pads: [p, p, p, p],
        dilations: [op.dilation, op.dilation],
        group: op.groups,
      },
      op.name,
    );
  }

  /** FC as Gemm with transB: kernel [in, out] -> [out, in] (Linear layout). */
  private fc(op: Op, outName: string | null): string {
    const [kp, bp] = op.params;
    const kernel = this.take(kp);
    const [inF, outF] = kernel.shape;
    const wt = new Float32Array(kernel.data.length);
    for (let i = 0; i < inF; i++) for (let o = 0; o < outF; o++) wt[o * inF + i] = kernel.data[i * outF + o];
    const w = this.g.weight(`${op.name}/weight`, [outF, inF], wt);
    const b = this.g.weight(`${op.name}/bias`, [outF], this.take(bp).data);
    const y = this.g.gemmTransB(this.name(op.in[0].id), w, b, outName ?? 'gemm');
    if (outName !== null && y !== outName)
      throw new Error(`ONNX export: output name "${outName}" already taken`);
    return y;
  }

  /** Emits `op` (`next` is the op after it, for BatchNorm folding); `outName` names the graph output. */
  emit(op: Op, next: Op | undefined, outName: string | null): void {
    const g = this.g;
    const x = () => this.name(op.in[0].id);
    const s = op.in[0]?.shape;
    let y: string;
    switch (op.op) {
      case 'conv':
        y = this.conv(op, next);
        break;
      case 'bn':
        if (!this.folded.has(op.out.id))
          throw new Error(`ONNX export: ${op.name} follows no conv to fold into`);
        y = x();
        break;
      case 'act':
        y = this.activation(x(), op.act);
        break;
      case 'add':
        y = g.add(x(), this.name(op.in[1].id));
        break;
      case 'mul':
        y = g.mul(x(), this.name(op.in[1].id));
        break;
      case 'shuffle': {
        // [N, C, H, W] -> [N, g, C/g, H, W] -> swap axes 1, 2 -> [N, C, H, W] (ShuffleNet; 0 keeps the batch)
        const r = g.reshape(x(), [0, op.groups, s.c / op.groups, s.h, s.w]);
        y = g.reshape(g.transpose(r, [0, 2, 1, 3, 4]), [0, s.c, s.h, s.w]);
        break;
      }
      case 'concat':
        y = g.concat(
          op.in.map((v) => this.name(v.id)),
          1,
        );
        break;
      case 'slice':
        y = g.slice(x(), [0], [op.out.shape.c], [1]);
        break;
      case 'chpad':
        // NCHW: zero channels after the input's (end of axis 1)
        y = g.pad(x(), [0, 0, 0, 0, 0, op.out.shape.c - s.c, 0, 0]);
        break;
      case 'gap':
        y = g.globalAveragePool(x());
        break;
      case 'flatten':
        y = g.flatten(x());
        break;
      case 'maxpool': {
        // ceil mode as tfjs 'same' computes it: the missing rows / columns padded at the bottom / right
        const padAfter = (n: number, o: number) => Math.max((o - 1) * op.stride + op.k - n, 0);
        const pads = [0, 0, padAfter(s.h, op.out.shape.h), padAfter(s.w, op.out.shape.w)];
        y = g.maxPool(x(), [op.k, op.k], [op.stride, op.stride], pads);
        break;
      }
      case 'gridpool': {
        // Reshape [N, C, H·W] -> MatMul with the pooling matrix -> Flatten, channel-major like the builder
        const cells = op.grid * op.grid;
        const p = g.weight(op.name, [s.h * s.w, cells], gridPoolMatrix(s.h, s.w, op.grid));
        y = g.flatten(g.matMul(g.reshape(x(), [-1, s.c, s.h * s.w]), p));
        break;
      }
      case 'fc':
        y = this.fc(op, outName);
        break;
    }
    this.names.set(op.out.id, y);
  }
}
