/**
 * Exact multiply-add and parameter counts from the architecture description.
 *
 * MACs (one convention): multiply-adds of conv and fully-connected layers only, what the FBNet/MobileNet
 * papers report as "FLOPs" or "multiply-adds". Not counted: BatchNorm, activations, biases, residual adds,
 * pooling (global average pooling, max pooling, the squeeze of SE/eSE) and the SE channel re-scaling.
 * A conv costs Hout * Wout * Cout * (Cin / groups) * k * k MACs (padding positions included, as usual).
 * Every block is counted layer by layer as blocks/build.ts builds it, with the channel and shape rules of
 * blocks/shapes.ts (consistency.test.ts checks params and output shapes against the built tfjs modules).
 *
 * Parameters, two conventions (`ParamConvention`), the same rule for every block and architecture:
 * - 'all' (default): conv/FC weights + biases + BatchNorm gamma and beta, i.e. what PyTorch's `parameters()`
 *   or Keras' trainable weights hold. BatchNorm running mean/var are buffers and never counted.
 * - 'weights': conv and FC weight tensors only; no biases, no BatchNorm (which folds into the conv for
 *   inference). This is how the published figures are counted. Sources: FBNet's authors' model zoo
 *   (facebookresearch/mobile-vision, mobile_cv/model_zoo/models/model_info/fbnet/model_info.json) gives
 *   fbnet_a 4.28648 M params / 249.921848 M FLOPs: exactly the weight count and conv+FC MACs of FBNet-A
 *   built with the original IRFBlock (maskrcnn-benchmark fbnet_builder.py), whose e = 1 blocks keep a 1x1
 *   expand conv; ours drop it, as mobile-vision's fbnet_v2 IRFBlock does, so our FBNet-A is 4,270,288 weights
 *   and 244.5 M MACs. MobileNetV2's authors list 3.47 M params for 1.0/224
 *   (tensorflow/models research/slim/nets/mobilenet/README.md): the BatchNorm-free count, 3,469,760 here,
 *   whereas with gamma/beta it is torchvision's 3,504,872.
 */
import {
  headCells,
  type Arch,
  type BlockSpec,
  type HeadSpec,
  type InputSpec,
  type Attention,
} from '../arch/spec.ts';
import {
  convOutSize,
  GHOST_CHEAP_KERNEL,
  ghostHiddenChannels,
  ghostPrimaryChannels,
  irHiddenChannels,
  peleeHalfChannels,
  poolCeilOutSize,
  seChannels,
} from '../blocks/shapes.ts';

export interface Shape {
  h: number;
  w: number;
  c: number;
}

export interface Cost {
  macs: number;
  params: number;
}

export interface BlockCost extends Cost {
  out: Shape;
}

/** Which parameters `params` counts; see the file comment. */
export type ParamConvention = 'all' | 'weights';

/** A layer's cost with its parameters split by kind, so that either convention can be summed. */
interface Split {
  macs: number;
  /** conv/FC weight tensors */
  weights: number;
  /** biases and BatchNorm gamma/beta */
  extra: number;
}

interface SplitBlock extends Split {
  out: Shape;
}

interface ConvOpts {
  groups?: number;
  dilation?: number;
  bias?: boolean;
  bn?: boolean;
}

/** One conv layer (+ optional BatchNorm). Padding is samePad(k, dilation) (blocks/shapes.ts). */
function conv(input: Shape, out: number, k: number, stride: number, opts: ConvOpts = {}): SplitBlock {
  const { groups = 1, dilation = 1, bias = false, bn = true } = opts;
  if (input.c % groups !== 0 || out % groups !== 0) {
    throw new Error(`conv with ${groups} groups needs channels divisible by it (in ${input.c}, out ${out})`);
  }
  const h = convOutSize(input.h, k, stride, dilation);
  const w = convOutSize(input.w, k, stride, dilation);
  if (h < 1 || w < 1) throw new Error(`conv k${k}/s${stride} on ${input.h}x${input.w} leaves no output`);
  const weights = out * (input.c / groups) * k * k;
  return {
    macs: h * w * weights,
    weights,
    extra: (bias ? out : 0) + (bn ? 2 * out : 0),
    out: { h, w, c: out },
  };
}

/** Accumulates costs of a chain of layers. */
class Tally {
  macs = 0;
  weights = 0;
  extra = 0;
  add(c: Split): void {
    this.macs += c.macs;
    this.weights += c.weights;
    this.extra += c.extra;
  }
  /** Adds a layer and returns its output shape, for chaining. */
  then(c: SplitBlock): Shape {
    this.add(c);
    return c.out;
  }
  cost(params: ParamConvention): Cost {
    return { macs: this.macs, params: params === 'weights' ? this.weights : this.weights + this.extra };
  }
}

/** Channel attention on `c` channels (after pooling, so spatial size does not enter). */
function attentionCost(kind: Attention | undefined, c: number): Split {
  if (kind === 'se') {
    const r = seChannels(c);
    return { macs: 2 * c * r, weights: 2 * c * r, extra: r + c };
  }
  if (kind === 'ese') return { macs: c * c, weights: c * c, extra: c };
  return { macs: 0, weights: 0, extra: 0 };
}

/** Ghost module: primary 1x1 (stride 1) + cheap 3x3 depthwise on the primary channels, cut to `out`. */
function ghostModule(t: Tally, input: Shape, out: number): Shape {
  const p = ghostPrimaryChannels(out);
  const x = t.then(conv(input, p, 1, 1));
  t.then(conv(x, p, GHOST_CHEAP_KERNEL, 1, { groups: p }));
  return { h: x.h, w: x.w, c: out };
}

export function blockCost(spec: BlockSpec, input: Shape, params: ParamConvention = 'all'): BlockCost {
  const t = new Tally();
  let x = input;
  switch (spec.kind) {
    case 'conv':
      x = t.then(
        conv(x, spec.out, spec.k, spec.stride, {
          groups: spec.groups,
          dilation: spec.dilation,
          bias: spec.noBn === true,
          bn: spec.noBn !== true,
        }),
      );
      break;
    case 'ir': {
      const g = spec.groups ?? 1;
      const hidden = irHiddenChannels(x.c, spec.e, g);
      if (spec.e !== 1) x = t.then(conv(x, hidden, 1, 1, { groups: g }));
      x = t.then(conv(x, hidden, spec.k, spec.stride, { groups: hidden, dilation: spec.dilation }));
      t.add(attentionCost(spec.attention, hidden));
      x = t.then(conv(x, spec.out, 1, 1, { groups: g }));
      break;
    }
    case 'skip':
      if (spec.stride !== 1 || x.c !== spec.out) x = t.then(conv(x, spec.out, 1, spec.stride));
      break;
    case 'sep':
      x = t.then(conv(x, x.c, spec.k, spec.stride, { groups: x.c, dilation: spec.dilation }));
      t.add(attentionCost(spec.attention, x.c));
      x = t.then(conv(x, spec.out, 1, 1));
      break;
    case 'ghost': {
      // GhostNet: the strided depthwise conv exists only at stride > 1; the shortcut is an identity when
      // shapes match, else depthwise kxk (stride) -> 1x1 in -> out, both with BatchNorm
      const hidden = ghostHiddenChannels(x.c, spec.e);
      x = ghostModule(t, x, hidden);
      if (spec.stride > 1) x = t.then(conv(x, hidden, spec.k, spec.stride, { groups: hidden }));
      t.add(attentionCost(spec.attention, hidden));
      x = ghostModule(t, x, spec.out);
      if (spec.stride !== 1 || input.c !== spec.out) {
        const sc = t.then(conv(input, input.c, spec.k, spec.stride, { groups: input.c }));
        t.then(conv(sc, spec.out, 1, 1));
      }
      break;
    }
    case 'pelee_stem': {
      const s1 = t.then(conv(x, spec.out, 3, 2));
      const b = t.then(conv(s1, peleeHalfChannels(spec.out), 1, 1));
      const b2 = t.then(conv(b, spec.out, 3, 2));
      // 2x2/2 max pool in ceil mode: ceil(h/2), which equals the 3x3/2 branch for every h
      const ph = poolCeilOutSize(s1.h, 2, 2);
      const pw = poolCeilOutSize(s1.w, 2, 2);
      if (ph !== b2.h || pw !== b2.w) throw new Error('pelee_stem branches disagree in size');
      x = t.then(conv({ h: ph, w: pw, c: 2 * spec.out }, spec.out, 1, 1));
      break;
    }
    case 'dwpool':
      x = t.then(conv(x, x.c, spec.k, spec.stride, { groups: x.c, bias: true, bn: false }));
      break;
  }
  return { ...t.cost(params), out: x };
}

/** Input and output shape of every body block. */
export function layerShapes(arch: Arch, input: InputSpec = arch.input): { in: Shape; out: Shape }[] {
  let x: Shape = { h: input.size, w: input.size, c: input.channels };
  return arch.body.map((b) => {
    const out = blockCost(b, x).out;
    const r = { in: x, out };
    x = out;
    return r;
  });
}

/**
 * Head cost given the body's final shape and the output shapes of every body block (for `taps`).
 * classifier: [1x1 conv-bn-act] -> global pool -> FC+bias; landmarks: the same, the final features pooled
 * into grid² cells (pooling counts no MACs, like global pooling), the pooled tapped features concatenated
 * before the FC to 2 * points.
 */
export function headCost(
  head: HeadSpec,
  last: Shape,
  bodyOut: Shape[],
  params: ParamConvention = 'all',
): Cost {
  const t = new Tally();
  let c = last.c;
  if (head.features !== undefined) c = t.then(conv(last, head.features, 1, 1)).c;
  c *= headCells(head);
  let outputs: number;
  if (head.kind === 'classifier') {
    outputs = head.classes;
  } else {
    for (const i of head.taps ?? []) {
      const s = bodyOut[i];
      if (!s) throw new Error(`landmark head taps body index ${i}, which does not exist`);
      c += s.c;
    }
    outputs = 2 * head.points;
  }
  t.add({ macs: c * outputs, weights: c * outputs, extra: outputs });
  return t.cost(params);
}

export function countCost(arch: Arch, input: InputSpec = arch.input, params: ParamConvention = 'all'): Cost {
  let x: Shape = { h: input.size, w: input.size, c: input.channels };
  const total: Cost = { macs: 0, params: 0 };
  const outs: Shape[] = [];
  for (const b of arch.body) {
    const c = blockCost(b, x, params);
    total.macs += c.macs;
    total.params += c.params;
    x = c.out;
    outs.push(x);
  }
  const h = headCost(arch.head, x, outs, params);
  return { macs: total.macs + h.macs, params: total.params + h.params };
}
