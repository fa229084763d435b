/**
 * NasModel -> ONNX bytes, entirely in the browser. The graph mirrors blocks/build.ts and model/head.ts op
 * for op, in NCHW (ONNX's layout), with BatchNorm folded into the conv before it:
 *   s = γ / sqrt(var + ε),  W' = W · s (per output channel),  b' = β + (b − mean) · s   (b = 0 without bias)
 * so every conv unit becomes one Conv node with a bias. tfjs kernels [kh, kw, in/g, out] become OIHW
 * [out, in/g, kh, kw]; depthwise kernels [kh, kw, C, m] become [C·m, 1, kh, kw] with group = C.
 *
 * Versions: IR 8 with opset 17 by default. HardSwish exists from opset 14; 17 is the newest opset of
 * IR 8 that runtimes and converters commonly accept (onnxruntime >= 1.12, PyTorch's default export
 * opset). Opsets 13..17 are accepted; below 14 hswish is written as x · HardSigmoid(x).
 */
import { headGrid, type Activation, type Attention, type BlockSpec, type HeadSpec } from '../arch/spec.ts';
import { BN_EPSILON } from '../blocks/module.ts';
import {
  GHOST_CHEAP_KERNEL,
  convOutSize,
  ghostHiddenChannels,
  ghostPrimaryChannels,
  irHiddenChannels,
  peleeHalfChannels,
  samePad,
} from '../blocks/shapes.ts';
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
  const e = new Emitter(weights, opset);

  let x: Value = {
    name: e.g.reserve(INPUT_NAME),
    c: arch.input.channels,
    h: arch.input.size,
    w: arch.input.size,
  };
  const outs: Value[] = [];
  arch.body.forEach((spec, i) => {
    x = e.block(spec, `body/${i}`, x);
    outs.push(x);
  });
  const taps = arch.head.kind === 'landmarks' ? (arch.head.taps ?? []) : [];
  const outName = outputNameFor(arch.head);
  e.head(
    arch.head,
    'head',
    x,
    taps.map((t) => outs[t]),
    outName,
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

/** A value in the graph with its NCHW shape (batch left symbolic). */
interface Value {
  name: string;
  c: number;
  h: number;
  w: number;
}

interface ConvOpts {
  k: number;
  stride?: number;
  dilation?: number;
  groups?: number;
  act: Activation;
}

class Emitter {
  readonly g = new OnnxGraphBuilder();
  private used = new Set<string>();

  constructor(
    private readonly weights: WeightMap,
    private readonly opset: number,
  ) {}

  private has(name: string): boolean {
    return name in this.weights;
  }

  private take(name: string): WeightEntry {
    const w = this.weights[name];
    if (!w) throw new Error(`ONNX export: the model has no parameter "${name}"`);
    this.used.add(name);
    return w;
  }

  /** Guards against the exporter drifting from the blocks: every parameter must end up in the graph. */
  checkAllWeightsUsed(): void {
    const unused = Object.keys(this.weights).filter((n) => !this.used.has(n));
    if (unused.length) throw new Error(`ONNX export: parameters not exported: ${unused.join(', ')}`);
  }

  /** Bias (or zeros) and BatchNorm of `prefix`, folded into OIHW weights `w` with `out` output channels. */
  private fold(prefix: string, w: Float32Array, out: number): { w: Float32Array; b: Float32Array } {
    const bias = this.has(`${prefix}/bias`) ? this.take(`${prefix}/bias`).data : null;
    const b = new Float32Array(out);
    if (!this.has(`${prefix}/bn/gamma`)) {
      if (bias) b.set(bias);
      return { w, b };
    }
    const gamma = this.take(`${prefix}/bn/gamma`).data;
    const beta = this.take(`${prefix}/bn/beta`).data;
    const mean = this.take(`${prefix}/bn/mean`).data;
    const variance = this.take(`${prefix}/bn/variance`).data;
    const per = w.length / out;
    const folded = new Float32Array(w.length);
    for (let o = 0; o < out; o++) {
      const s = gamma[o] / Math.sqrt(variance[o] + BN_EPSILON);
      for (let i = 0; i < per; i++) folded[o * per + i] = w[o * per + i] * s;
      b[o] = beta[o] + ((bias ? bias[o] : 0) - mean[o]) * s;
    }
    return { w: folded, b };
  }

  private activation(x: string, act: Activation): string {
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
      case 'none':
        return x;
    }
  }

  /** ConvUnit: kernel [k, k, in/g, out] -> Conv (BN folded) -> act. */
  conv(prefix: string, x: Value, o: ConvOpts): Value {
    const kernel = this.take(`${prefix}/kernel`);
    const [kh, kw, inG, out] = kernel.shape;
    const groups = o.groups ?? 1;
    const stride = o.stride ?? 1;
    const dilation = o.dilation ?? 1;
    if (kh !== o.k || kw !== o.k || inG * groups !== x.c) {
      throw new Error(
        `ONNX export: ${prefix}/kernel [${kernel.shape}] does not fit k ${o.k}, ${x.c} in, g ${groups}`,
      );
    }
    // [kh, kw, in/g, out] -> [out, in/g, kh, kw]
    const oihw = new Float32Array(kernel.data.length);
    for (let y = 0; y < kh; y++)
      for (let xx = 0; xx < kw; xx++)
        for (let i = 0; i < inG; i++)
          for (let oc = 0; oc < out; oc++)
            oihw[((oc * inG + i) * kh + y) * kw + xx] = kernel.data[((y * kw + xx) * inG + i) * out + oc];
    return this.emitConv(prefix, x, oihw, [out, inG, kh, kw], { stride, dilation, groups }, o.act);
  }

  /** DwUnit: kernel [k, k, C, m] -> Conv with group = C (BN or bias folded) -> act. */
  dw(prefix: string, x: Value, o: ConvOpts): Value {
    const kernel = this.take(`${prefix}/depthwise_kernel`);
    const [kh, kw, c, m] = kernel.shape;
    if (kh !== o.k || kw !== o.k || c !== x.c) {
      throw new Error(
        `ONNX export: ${prefix}/depthwise_kernel [${kernel.shape}] does not fit k ${o.k}, ${x.c} ch`,
      );
    }
    // [kh, kw, C, m] -> [C·m, 1, kh, kw]; output channel c·m + j (tfjs depthwise order)
    const oihw = new Float32Array(kernel.data.length);
    for (let y = 0; y < kh; y++)
      for (let xx = 0; xx < kw; xx++)
        for (let ch = 0; ch < c; ch++)
          for (let j = 0; j < m; j++)
            oihw[((ch * m + j) * kh + y) * kw + xx] = kernel.data[((y * kw + xx) * c + ch) * m + j];
    const o2 = { stride: o.stride ?? 1, dilation: o.dilation ?? 1, groups: c };
    return this.emitConv(prefix, x, oihw, [c * m, 1, kh, kw], o2, o.act);
  }

  private emitConv(
    prefix: string,
    x: Value,
    oihw: Float32Array,
    dims: [number, number, number, number],
    o: { stride: number; dilation: number; groups: number },
    act: Activation,
  ): Value {
    const [out, , k] = dims;
    const { w, b } = this.fold(prefix, oihw, out);
    const p = samePad(k, o.dilation);
    const wName = this.g.weight(`${prefix}/weight`, dims, w);
    const bName = this.g.weight(`${prefix}/bias`, [out], b);
    const y = this.g.conv(
      x.name,
      wName,
      bName,
      {
        strides: [o.stride, o.stride],
        pads: [p, p, p, p],
        dilations: [o.dilation, o.dilation],
        group: o.groups,
      },
      prefix,
    );
    return {
      name: this.activation(y, act),
      c: out,
      h: convOutSize(x.h, k, o.stride, o.dilation),
      w: convOutSize(x.w, k, o.stride, o.dilation),
    };
  }

  /** SE: GAP -> 1x1 (bias) -> ReLU -> 1x1 (bias) -> HardSigmoid -> x·s ; eSE: GAP -> 1x1 -> HardSigmoid -> x·s. */
  private attention(kind: Attention, block: string, x: Value): Value {
    if (kind === 'none') return x;
    const pooled: Value = { name: this.g.globalAveragePool(x.name), c: x.c, h: 1, w: 1 };
    let s: Value;
    if (kind === 'se') {
      const r = this.conv(`${block}/se/reduce`, pooled, { k: 1, act: 'relu' });
      s = this.conv(`${block}/se/expand`, r, { k: 1, act: 'none' });
    } else {
      s = this.conv(`${block}/ese/fc`, pooled, { k: 1, act: 'none' });
    }
    const gate = this.g.hardSigmoid(s.name, 1 / 6, 0.5);
    return { ...x, name: this.g.mul(x.name, gate) };
  }

  /** [N, C, H, W] -> [N, g, C/g, H, W] -> swap axes 1, 2 -> [N, C, H, W] (ShuffleNet; 0 keeps the batch). */
  private shuffle(x: Value, groups: number): Value {
    if (groups === 1) return x;
    const r = this.g.reshape(x.name, [0, groups, x.c / groups, x.h, x.w]);
    const t = this.g.transpose(r, [0, 2, 1, 3, 4]);
    return { ...x, name: this.g.reshape(t, [0, x.c, x.h, x.w]) };
  }

  private add(a: Value, b: Value): Value {
    return { ...a, name: this.g.add(a.name, b.name) };
  }

  /** GhostNet module (ratio 2): p = primary 1x1; q = cheap dw 3x3 on p; concat, first `out` channels. */
  private ghostModule(prefix: string, x: Value, out: number, act: Activation): Value {
    const init = ghostPrimaryChannels(out);
    const p = this.conv(`${prefix}/primary`, x, { k: 1, act });
    if (p.c !== init) throw new Error(`ONNX export: ${prefix}/primary has ${p.c} channels, expected ${init}`);
    const q = this.dw(`${prefix}/cheap`, p, { k: GHOST_CHEAP_KERNEL, act });
    let y = this.g.concat([p.name, q.name], 1);
    if (2 * init !== out) y = this.g.slice(y, [0], [out], [1]);
    return { name: y, c: out, h: p.h, w: p.w };
  }

  block(spec: BlockSpec, name: string, x: Value): Value {
    switch (spec.kind) {
      case 'conv':
        return this.conv(`${name}/conv`, x, {
          k: spec.k,
          stride: spec.stride,
          dilation: spec.dilation,
          groups: spec.groups,
          act: spec.act,
        });
      case 'ir': {
        const g = spec.groups ?? 1;
        const act = spec.act ?? 'relu';
        const hid = irHiddenChannels(x.c, spec.e, g);
        let h = spec.e === 1 ? x : this.conv(`${name}/expand`, x, { k: 1, groups: g, act });
        if (h.c !== hid) throw new Error(`ONNX export: ${name} hidden width ${h.c}, expected ${hid}`);
        h = this.shuffle(h, g);
        h = this.dw(`${name}/dw`, h, { k: spec.k, stride: spec.stride, dilation: spec.dilation, act });
        h = this.attention(spec.attention ?? 'none', name, h);
        h = this.conv(`${name}/project`, h, { k: 1, groups: g, act: 'none' });
        return spec.stride === 1 && x.c === spec.out ? this.add(h, x) : h;
      }
      case 'skip':
        if (spec.stride === 1 && x.c === spec.out) return x;
        return this.conv(`${name}/proj`, x, { k: 1, stride: spec.stride, act: 'none' });
      case 'sep': {
        const act = spec.act ?? 'relu';
        let h = this.dw(`${name}/dw`, x, { k: spec.k, stride: spec.stride, dilation: spec.dilation, act });
        h = this.attention(spec.attention ?? 'none', name, h);
        h = this.conv(`${name}/pw`, h, { k: 1, act });
        return spec.stride === 1 && x.c === spec.out ? this.add(h, x) : h;
      }
      case 'ghost': {
        const act = spec.act ?? 'relu';
        const hid = ghostHiddenChannels(x.c, spec.e);
        let h = this.ghostModule(`${name}/ghost1`, x, hid, act);
        if (spec.stride > 1) h = this.dw(`${name}/dw`, h, { k: spec.k, stride: spec.stride, act: 'none' });
        h = this.attention(spec.attention ?? 'none', name, h);
        h = this.ghostModule(`${name}/ghost2`, h, spec.out, 'none');
        let sc = x;
        if (!(spec.stride === 1 && x.c === spec.out)) {
          sc = this.dw(`${name}/shortcut/dw`, x, { k: spec.k, stride: spec.stride, act: 'none' });
          sc = this.conv(`${name}/shortcut/pw`, sc, { k: 1, act: 'none' });
        }
        return this.add(h, sc);
      }
      case 'pelee_stem': {
        const s = this.conv(`${name}/stem`, x, { k: 3, stride: 2, act: 'relu' });
        const a1 = this.conv(`${name}/branch1a`, s, { k: 1, act: 'relu' });
        if (a1.c !== peleeHalfChannels(spec.out))
          throw new Error(`ONNX export: ${name}/branch1a width ${a1.c}`);
        const a = this.conv(`${name}/branch1b`, a1, { k: 3, stride: 2, act: 'relu' });
        // tfjs maxPool 2x2/2 'same': out = ceil(n / 2), the missing row / column padded at the bottom / right
        const padAfter = (n: number) => Math.max((Math.ceil(n / 2) - 1) * 2 + 2 - n, 0);
        const b = this.g.maxPool(s.name, [2, 2], [2, 2], [0, 0, padAfter(s.h), padAfter(s.w)]);
        const cat: Value = { name: this.g.concat([a.name, b], 1), c: a.c + s.c, h: a.h, w: a.w };
        return this.conv(`${name}/fuse`, cat, { k: 1, act: 'relu' });
      }
      case 'dwpool':
        return this.dw(`${name}/dw`, x, { k: spec.k, stride: spec.stride, act: spec.act ?? 'none' });
    }
  }

  /**
   * [conv 1x1-bn-act] -> GAP -> Flatten (grid pooling: Reshape [N, C, H·W] -> MatMul with the pooling
   * matrix -> Flatten, channel-major like the builder), taps GAP-ed first -> Concat -> Gemm (transB).
   */
  head(spec: HeadSpec, name: string, x: Value, taps: Value[], outName: string): void {
    const f =
      spec.features !== undefined ? this.conv(`${name}/conv`, x, { k: 1, act: spec.act ?? 'relu' }) : x;
    const grid = headGrid(spec);
    const cells = grid * grid;
    const gap = (t: Value) => this.g.flatten(this.g.globalAveragePool(t.name));
    const gridPooled = (t: Value) => {
      const p = this.g.weight(`${name}/grid_pool`, [t.h * t.w, cells], gridPoolMatrix(t.h, t.w, grid));
      return this.g.flatten(this.g.matMul(this.g.reshape(t.name, [-1, t.c, t.h * t.w]), p));
    };
    const pooled = [...taps.map(gap), cells === 1 ? gap(f) : gridPooled(f)];
    const features = pooled.length === 1 ? pooled[0] : this.g.concat(pooled, 1);
    const kernel = this.take(`${name}/fc/kernel`);
    const [inF, outF] = kernel.shape;
    const fcIn = taps.reduce((s, t) => s + t.c, 0) + f.c * cells;
    if (inF !== fcIn)
      throw new Error(`ONNX export: ${name}/fc/kernel has ${inF} inputs, features give ${fcIn}`);
    // [in, out] -> [out, in] (Linear layout), used with transB = 1
    const wt = new Float32Array(kernel.data.length);
    for (let i = 0; i < inF; i++) for (let o = 0; o < outF; o++) wt[o * inF + i] = kernel.data[i * outF + o];
    const w = this.g.weight(`${name}/fc/weight`, [outF, inF], wt);
    const b = this.g.weight(`${name}/fc/bias`, [outF], this.take(`${name}/fc/bias`).data);
    const y = this.g.gemmTransB(features, w, b, outName);
    if (y !== outName) throw new Error(`ONNX export: output name "${outName}" already taken`);
  }
}
