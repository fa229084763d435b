/**
 * lower(): an architecture as the flat list of shaped operations it runs, in forward order, each with its
 * input and output values (NHWC shapes without the batch) and the parameters it owns under the names the
 * tfjs builder gives them (blocks/module.ts). This is the one written-out structure of every block kind:
 * the cost counter sums it, the ONNX exporter emits it, the PaddleSlim mapping looks it up, and
 * lower.test.ts holds it against the built tfjs model (parameter names and shapes, block output shapes).
 *
 * A conv unit lowers to conv (+ bias when it has no BatchNorm) -> bn -> act, the last two only when
 * present; consumers that fuse (ONNX folds BatchNorm, Paddle-Lite fuses ReLU) look at the ops after a conv.
 * Padding is symmetric, `pad` on every side of a conv: samePad(k, dilation) (blocks/shapes.ts) unless the
 * block overrides it (IRSpec.dwPad, FBNetV3's depthwise padding exceptions).
 */
import {
  convOutSize,
  GHOST_CHEAP_KERNEL,
  ghostHiddenChannels,
  ghostPrimaryChannels,
  irHiddenChannels,
  irSeChannels,
  peleeHalfChannels,
  poolCeilOutSize,
  samePad,
  seChannels,
} from '../blocks/shapes.ts';
import { candidateSpec } from './candidates.ts';
import {
  headGrid,
  type Activation,
  type Arch,
  type Attention,
  type BlockSpec,
  type HeadSpec,
  type InputSpec,
  type SearchLayerSpec,
} from './spec.ts';

export interface Shape {
  h: number;
  w: number;
  c: number;
}

/** A tensor between ops: `id` is unique within one lowering. */
export interface Value {
  id: number;
  shape: Shape;
}

/**
 * weight: conv / FC kernels; bias: conv / FC biases; bn: BatchNorm gamma and beta (trainable);
 * stat: BatchNorm running mean and variance (not trainable, never counted as parameters).
 */
export type ParamRole = 'weight' | 'bias' | 'bn' | 'stat';

export interface ParamSpec {
  name: string;
  shape: number[];
  role: ParamRole;
}

/** Activations as separate ops: the spec's, plus the gates of SE / eSE. */
export type ActOp = Exclude<Activation, 'none'> | 'hsigmoid' | 'sigmoid';

interface OpBase {
  /** The parameter prefix for ops with parameters (`body/3/expand`), else a readable label. */
  name: string;
  in: Value[];
  out: Value;
  params: ParamSpec[];
}

/** conv: kernel [k, k, in/groups, out] (`/kernel`), or depthwise [k, k, C, 1] (`/depthwise_kernel`). */
export interface ConvOp extends OpBase {
  op: 'conv';
  k: number;
  stride: number;
  dilation: number;
  /** Zero padding on every side (samePad(k, dilation) unless the spec overrides it). */
  pad: number;
  groups: number;
  depthwise: boolean;
}

export type Op =
  | ConvOp
  /** BatchNorm over channels (`${conv}/bn/gamma|beta|mean|variance`). */
  | (OpBase & { op: 'bn' })
  | (OpBase & { op: 'act'; act: ActOp })
  /** Element-wise sum of two same-shaped values. */
  | (OpBase & { op: 'add' })
  /** in[0] scaled per channel by in[1] (shape 1x1xC). */
  | (OpBase & { op: 'mul' })
  /** ShuffleNet channel shuffle. */
  | (OpBase & { op: 'shuffle'; groups: number })
  /** Channel concatenation. */
  | (OpBase & { op: 'concat' })
  /** The first out.c channels. */
  | (OpBase & { op: 'slice' })
  /** Zero channels appended after the input's, up to out.c (BlazeBlock shortcut). */
  | (OpBase & { op: 'chpad' })
  /** Global average pooling to 1x1xC. */
  | (OpBase & { op: 'gap' })
  /** 1x1xC -> a flat vector of C (shape unchanged), before the head's FC. */
  | (OpBase & { op: 'flatten' })
  /** Max pooling in ceil mode, no padding (tfjs 'same' on a 2x2/2 window). */
  | (OpBase & { op: 'maxpool'; k: number; stride: number })
  /** Average pooling over grid x grid cells, flattened channel-major to 1x1x(C·grid²) (model/grid-pool.ts). */
  | (OpBase & { op: 'gridpool'; grid: number })
  /** Fully connected: kernel [in, out] + bias [out]. */
  | (OpBase & { op: 'fc' });

export type OpKind = Op['op'];

/** A block's (or the head's) ops with the value it reads and the value it gives. */
export interface LoweredPart {
  name: string;
  ops: Op[];
  in: Value;
  out: Value;
}

export interface LoweredArch {
  /** Every op of the network in forward order (body blocks, then the head). */
  ops: Op[];
  input: Value;
  output: Value;
  body: LoweredPart[];
  head: LoweredPart;
}

/** Multiply-adds of one op: convs and FCs only (the convention of cost/count.ts). */
export function opMacs(op: Op): number {
  if (op.op === 'conv') {
    const cin = op.in[0].shape.c;
    const o = op.out.shape;
    return o.h * o.w * o.c * (cin / op.groups) * op.k * op.k;
  }
  if (op.op === 'fc') return op.in[0].shape.c * op.out.shape.c;
  return 0;
}

interface ConvOptions {
  k: number;
  stride?: number;
  dilation?: number;
  groups?: number;
  /** Padding on every side; default samePad(k, dilation). */
  pad?: number;
  /** BatchNorm after the conv (default true); without it the conv has a bias. */
  bn?: boolean;
  act: Activation;
}

/** The SE bottleneck: its width and activation (the gate is always a hard sigmoid). */
interface SeOptions {
  width: number;
  act: Activation;
}

/** Records ops in forward order; one instance per lowering so value ids are unique. */
class Lowerer {
  readonly ops: Op[] = [];
  private nextId = 0;

  value(shape: Shape): Value {
    return { id: this.nextId++, shape };
  }

  private push<T extends Op>(op: T): Value {
    this.ops.push(op);
    return op.out;
  }

  /** conv (+ bias) -> [bn] -> [act]; a depthwise conv when `depthwise` (groups = channels). */
  convUnit(prefix: string, x: Value, out: number, o: ConvOptions, depthwise = false): Value {
    const groups = depthwise ? x.shape.c : (o.groups ?? 1);
    const stride = o.stride ?? 1;
    const dilation = o.dilation ?? 1;
    const bn = o.bn ?? true;
    const pad = o.pad ?? samePad(o.k, dilation);
    if (!Number.isInteger(pad) || pad < 0 || pad > (o.k - 1) * dilation) {
      throw new Error(
        `${prefix}: padding ${pad} of a k${o.k} conv is not an integer in 0..${(o.k - 1) * dilation}`,
      );
    }
    if (depthwise && out !== x.shape.c)
      throw new Error(`${prefix}: depthwise conv maps ${x.shape.c} to ${out}`);
    if (x.shape.c % groups !== 0 || out % groups !== 0) {
      throw new Error(
        `${prefix}: conv with ${groups} groups needs channels divisible by it (in ${x.shape.c}, out ${out})`,
      );
    }
    const h = convOutSize(x.shape.h, o.k, stride, dilation, pad);
    const w = convOutSize(x.shape.w, o.k, stride, dilation, pad);
    if (h < 1 || w < 1) {
      throw new Error(
        `${prefix}: conv k${o.k}/s${stride} (padding ${pad}) on ${x.shape.h}x${x.shape.w} leaves no output`,
      );
    }
    const kernel: ParamSpec = depthwise
      ? { name: `${prefix}/depthwise_kernel`, shape: [o.k, o.k, out, 1], role: 'weight' }
      : { name: `${prefix}/kernel`, shape: [o.k, o.k, x.shape.c / groups, out], role: 'weight' };
    const params = bn ? [kernel] : [kernel, { name: `${prefix}/bias`, shape: [out], role: 'bias' as const }];
    let y = this.push({
      op: 'conv',
      name: prefix,
      in: [x],
      out: this.value({ h, w, c: out }),
      params,
      k: o.k,
      stride,
      dilation,
      pad,
      groups,
      depthwise,
    });
    if (bn) {
      const p = `${prefix}/bn`;
      const role = (r: ParamRole, n: string): ParamSpec => ({ name: `${p}/${n}`, shape: [out], role: r });
      y = this.push({
        op: 'bn',
        name: p,
        in: [y],
        out: this.value(y.shape),
        params: [role('bn', 'gamma'), role('bn', 'beta'), role('stat', 'mean'), role('stat', 'variance')],
      });
    }
    return this.act(`${prefix}/act`, y, o.act);
  }

  act(name: string, x: Value, act: Activation | ActOp): Value {
    if (act === 'none') return x;
    return this.push({ op: 'act', act, name, in: [x], out: this.value(x.shape), params: [] });
  }

  simple(
    op: 'add' | 'concat' | 'slice' | 'chpad' | 'gap' | 'flatten',
    name: string,
    xs: Value[],
    out: Shape,
  ): Value {
    return this.push({ op, name, in: xs, out: this.value(out), params: [] });
  }

  /**
   * SE: GAP -> 1x1 (bias) -> act (default ReLU) -> 1x1 (bias) -> hard-sigmoid -> x·s, bottleneck width
   * seChannels(C) unless `se` gives it; eSE: GAP -> 1x1 -> hard-sigmoid -> x·s.
   */
  attention(kind: Attention | undefined, block: string, x: Value, se?: SeOptions): Value {
    if (!kind || kind === 'none') return x;
    const c = x.shape.c;
    const pooled = this.simple('gap', `${block}/${kind}/pool`, [x], { h: 1, w: 1, c });
    let s: Value;
    if (kind === 'se') {
      const width = se?.width ?? seChannels(c);
      const r = this.convUnit(`${block}/se/reduce`, pooled, width, {
        k: 1,
        bn: false,
        act: se?.act ?? 'relu',
      });
      s = this.convUnit(`${block}/se/expand`, r, c, { k: 1, bn: false, act: 'none' });
    } else {
      s = this.convUnit(`${block}/ese/fc`, pooled, c, { k: 1, bn: false, act: 'none' });
    }
    const gate = this.act(`${block}/${kind}/gate`, s, 'hsigmoid');
    return this.push({
      op: 'mul',
      name: `${block}/${kind}/scale`,
      in: [x, gate],
      out: this.value(x.shape),
      params: [],
    });
  }

  shuffle(name: string, x: Value, groups: number): Value {
    if (groups === 1) return x;
    return this.push({ op: 'shuffle', groups, name, in: [x], out: this.value(x.shape), params: [] });
  }

  /** GhostNet module (ratio 2): primary 1x1 -> cheap dw on it, concatenated, cut to `out` channels. */
  ghost(prefix: string, x: Value, out: number, act: Activation): Value {
    const p = this.convUnit(`${prefix}/primary`, x, ghostPrimaryChannels(out), { k: 1, act });
    const q = this.convUnit(`${prefix}/cheap`, p, p.shape.c, { k: GHOST_CHEAP_KERNEL, act }, true);
    const both = this.simple('concat', `${prefix}/concat`, [p, q], { ...p.shape, c: 2 * p.shape.c });
    return both.shape.c === out
      ? both
      : this.simple('slice', `${prefix}/slice`, [both], { ...p.shape, c: out });
  }

  residual(name: string, a: Value, b: Value): Value {
    return this.simple('add', `${name}/add`, [a, b], a.shape);
  }

  /** max pool stride x stride / stride in ceil mode; no op at stride 1. */
  private maxPool(name: string, x: Value, stride: number): Value {
    if (stride === 1) return x;
    const h = poolCeilOutSize(x.shape.h, stride, stride);
    const w = poolCeilOutSize(x.shape.w, stride, stride);
    const out = this.value({ ...x.shape, h, w });
    return this.push({ op: 'maxpool', k: stride, stride, name, in: [x], out, params: [] });
  }

  /**
   * BlazeFace: `body` (the convs, no final act) + shortcut (x, max-pooled on stride > 1, zero channels
   * appended up to out), then act after the sum.
   */
  blazeTail(name: string, x: Value, body: Value, stride: number, act: Activation): Value {
    if (body.shape.c < x.shape.c) {
      throw new Error(`${name}: a Blaze block cannot narrow ${x.shape.c} to ${body.shape.c} channels`);
    }
    let sc = this.maxPool(`${name}/shortcut/pool`, x, stride);
    if (sc.shape.h !== body.shape.h || sc.shape.w !== body.shape.w) {
      throw new Error(`${name}: Blaze shortcut ${sc.shape.h}x${sc.shape.w} does not match the convs' output`);
    }
    if (sc.shape.c < body.shape.c) {
      sc = this.simple('chpad', `${name}/shortcut/pad`, [sc], { ...sc.shape, c: body.shape.c });
    }
    return this.act(`${name}/act`, this.residual(name, body, sc), act);
  }

  /** The ops of one block, in buildBlock's order (blocks/build.ts lists each kind). */
  block(spec: BlockSpec, name: string, x: Value): Value {
    switch (spec.kind) {
      case 'conv':
        return this.convUnit(`${name}/conv`, x, spec.out, {
          k: spec.k,
          stride: spec.stride,
          dilation: spec.dilation,
          groups: spec.groups,
          bn: spec.noBn !== true,
          act: spec.act,
        });
      case 'ir': {
        const g = spec.groups ?? 1;
        const act = spec.act ?? 'relu';
        const hid = irHiddenChannels(x.shape.c, spec.e, g);
        let h = spec.e === 1 ? x : this.convUnit(`${name}/expand`, x, hid, { k: 1, groups: g, act });
        if (h.shape.c % g !== 0 || spec.out % g !== 0) {
          throw new Error(
            `${name}: in ${x.shape.c}, hidden ${hid}, out ${spec.out}: not divisible by groups ${g}`,
          );
        }
        h = this.shuffle(`${name}/shuffle`, h, g);
        const dw = { k: spec.k, stride: spec.stride, dilation: spec.dilation, pad: spec.dwPad, act };
        h = this.convUnit(`${name}/dw`, h, hid, dw, true);
        const se = { width: irSeChannels(hid, spec.e, spec.seReduce), act: spec.seAct ?? 'relu' };
        h = this.attention(spec.attention, name, h, se);
        const y = this.convUnit(`${name}/project`, h, spec.out, { k: 1, groups: g, act: 'none' });
        if (!(spec.stride === 1 && x.shape.c === spec.out)) return y;
        if (y.shape.h !== x.shape.h || y.shape.w !== x.shape.w) {
          throw new Error(
            `${name}: depthwise padding ${spec.dwPad} changes the map (${x.shape.h} -> ${y.shape.h}), so the residual add does not fit`,
          );
        }
        return this.residual(name, y, x);
      }
      case 'skip':
        if (spec.stride === 1 && x.shape.c === spec.out) return x;
        return this.convUnit(`${name}/proj`, x, spec.out, { k: 1, stride: spec.stride, act: 'none' });
      case 'sep': {
        const act = spec.act ?? 'relu';
        const dw = { k: spec.k, stride: spec.stride, dilation: spec.dilation, act };
        let h = this.convUnit(`${name}/dw`, x, x.shape.c, dw, true);
        h = this.attention(spec.attention, name, h);
        const y = this.convUnit(`${name}/pw`, h, spec.out, { k: 1, act });
        return spec.stride === 1 && x.shape.c === spec.out ? this.residual(name, y, x) : y;
      }
      case 'blaze': {
        const dw = { k: spec.k, stride: spec.stride, act: 'none' as const };
        const h = this.convUnit(`${name}/dw`, x, x.shape.c, dw, true);
        const y = this.convUnit(`${name}/pw`, h, spec.out, { k: 1, act: 'none' });
        return this.blazeTail(name, x, y, spec.stride, spec.act ?? 'relu');
      }
      case 'double_blaze': {
        const act = spec.act ?? 'relu';
        const dw1 = { k: spec.k, stride: spec.stride, act: 'none' as const };
        let h = this.convUnit(`${name}/dw1`, x, x.shape.c, dw1, true);
        h = this.convUnit(`${name}/pw1`, h, spec.mid, { k: 1, act });
        h = this.convUnit(`${name}/dw2`, h, spec.mid, { k: spec.k, act: 'none' }, true);
        const y = this.convUnit(`${name}/pw2`, h, spec.out, { k: 1, act: 'none' });
        return this.blazeTail(name, x, y, spec.stride, act);
      }
      case 'ghost': {
        // GhostNet: the strided depthwise conv exists only at stride > 1; the shortcut is an identity when
        // shapes match, else depthwise kxk (stride) -> 1x1 in -> out, both with BatchNorm
        const act = spec.act ?? 'relu';
        const hid = ghostHiddenChannels(x.shape.c, spec.e);
        let h = this.ghost(`${name}/ghost1`, x, hid, act);
        if (spec.stride > 1) {
          h = this.convUnit(`${name}/dw`, h, hid, { k: spec.k, stride: spec.stride, act: 'none' }, true);
        }
        h = this.attention(spec.attention, name, h);
        h = this.ghost(`${name}/ghost2`, h, spec.out, 'none');
        let sc = x;
        if (!(spec.stride === 1 && x.shape.c === spec.out)) {
          const o = { k: spec.k, stride: spec.stride, act: 'none' as const };
          sc = this.convUnit(`${name}/shortcut/dw`, x, x.shape.c, o, true);
          sc = this.convUnit(`${name}/shortcut/pw`, sc, spec.out, { k: 1, act: 'none' });
        }
        return this.residual(name, h, sc);
      }
      case 'pelee_stem': {
        const out = spec.out;
        const s = this.convUnit(`${name}/stem`, x, out, { k: 3, stride: 2, act: 'relu' });
        const a1 = this.convUnit(`${name}/branch1a`, s, peleeHalfChannels(out), { k: 1, act: 'relu' });
        const a = this.convUnit(`${name}/branch1b`, a1, out, { k: 3, stride: 2, act: 'relu' });
        // 2x2/2 max pool in ceil mode: ceil(h/2), which equals the 3x3/2 branch for every h
        const pooled = {
          ...s.shape,
          h: poolCeilOutSize(s.shape.h, 2, 2),
          w: poolCeilOutSize(s.shape.w, 2, 2),
        };
        if (pooled.h !== a.shape.h || pooled.w !== a.shape.w) {
          throw new Error(`${name}: pelee_stem branches disagree in size`);
        }
        const b = this.push({
          op: 'maxpool',
          k: 2,
          stride: 2,
          name: `${name}/pool`,
          in: [s],
          out: this.value(pooled),
          params: [],
        });
        const cat = this.simple('concat', `${name}/concat`, [a, b], { ...a.shape, c: a.shape.c + b.shape.c });
        return this.convUnit(`${name}/fuse`, cat, out, { k: 1, act: 'relu' });
      }
      case 'ir_pool': {
        const act = spec.act ?? 'relu';
        const hid = irHiddenChannels(x.shape.c, spec.e);
        const h = this.convUnit(`${name}/expand`, x, hid, { k: 1, act });
        const pooled = this.simple('gap', `${name}/pool`, [h], { h: 1, w: 1, c: hid });
        return this.convUnit(`${name}/project`, pooled, spec.out, { k: 1, bn: false, act });
      }
      case 'dwpool':
        return this.convUnit(
          `${name}/dw`,
          x,
          x.shape.c,
          { k: spec.k, stride: spec.stride, bn: false, act: spec.act ?? 'none' },
          true,
        );
    }
  }

  /**
   * [conv 1x1-bn-act] -> pooling (GAP, or grid pooling) -> flatten; taps GAP-ed and flattened first ->
   * concat -> FC (model/head.ts).
   */
  head(spec: HeadSpec, name: string, x: Value, taps: Value[]): Value {
    const f =
      spec.features !== undefined
        ? this.convUnit(`${name}/conv`, x, spec.features, { k: 1, act: spec.act ?? 'relu' })
        : x;
    const grid = headGrid(spec);
    const flat = (t: Value, i: number | 'final'): Value => {
      const g = this.simple('gap', `${name}/pool/${i}`, [t], { h: 1, w: 1, c: t.shape.c });
      return this.simple('flatten', `${name}/flatten/${i}`, [g], g.shape);
    };
    const tapped = taps.map(flat);
    const last =
      grid === 1
        ? flat(f, 'final')
        : this.push({
            op: 'gridpool',
            grid,
            name: `${name}/grid_pool`,
            in: [f],
            out: this.value({ h: 1, w: 1, c: f.shape.c * grid * grid }),
            params: [],
          });
    const pooled = [...tapped, last];
    const inF = pooled.reduce((s, p) => s + p.shape.c, 0);
    const features =
      pooled.length === 1 ? last : this.simple('concat', `${name}/concat`, pooled, { h: 1, w: 1, c: inF });
    const outF = spec.kind === 'classifier' ? spec.classes : 2 * spec.points;
    return this.push({
      op: 'fc',
      name: `${name}/fc`,
      in: [features],
      out: this.value({ h: 1, w: 1, c: outF }),
      params: [
        { name: `${name}/fc/kernel`, shape: [inF, outF], role: 'weight' },
        { name: `${name}/fc/bias`, shape: [outF], role: 'bias' },
      ],
    });
  }
}

/** The ops of one block on an input of shape `input`; parameter names under `name` (buildBlock's name). */
export function lowerBlock(spec: BlockSpec, input: Shape, name = 'b'): LoweredPart {
  const l = new Lowerer();
  const x = l.value(input);
  const out = l.block(spec, name, x);
  return { name, ops: l.ops, in: x, out };
}

/** A search layer's candidate as a concrete block at the layer's out/stride, lowered on `input`. */
export function lowerCandidate(
  layer: SearchLayerSpec,
  candidate: string,
  input: Shape,
  name = 'b',
): LoweredPart {
  return lowerBlock(candidateSpec(candidate, layer.out, layer.stride), input, name);
}

/** The head's ops given the final body shape and the shapes of the tapped body outputs (spec.taps order). */
export function lowerHead(head: HeadSpec, last: Shape, taps: Shape[] = [], name = 'head'): LoweredPart {
  const l = new Lowerer();
  const x = l.value(last);
  const out = l.head(
    head,
    name,
    x,
    taps.map((t) => l.value(t)),
  );
  return { name, ops: l.ops, in: x, out };
}

/** Body block `i` is named `body/${i}` and the head `head`, as createModel names them (model/model.ts). */
export function lower(arch: Arch, input: InputSpec = arch.input): LoweredArch {
  const l = new Lowerer();
  const first = l.value({ h: input.size, w: input.size, c: input.channels });
  let x = first;
  const body: LoweredPart[] = arch.body.map((spec, i) => {
    const start = l.ops.length;
    const name = `body/${i}`;
    const out = l.block(spec, name, x);
    const part = { name, ops: l.ops.slice(start), in: x, out };
    x = out;
    return part;
  });
  const tapIdx = arch.head.kind === 'landmarks' ? (arch.head.taps ?? []) : [];
  const taps = tapIdx.map((t) => {
    const b = body[t];
    if (!Number.isInteger(t) || !b)
      throw new Error(`landmark head taps body index ${t}, which does not exist`);
    return b.out;
  });
  const start = l.ops.length;
  const out = l.head(arch.head, 'head', x, taps);
  const head = { name: 'head', ops: l.ops.slice(start), in: x, out };
  return { ops: l.ops, input: first, output: out, body, head };
}

/** Every parameter of a lowered list, in op order. */
export function loweredParams(ops: Op[]): ParamSpec[] {
  return ops.flatMap((o) => o.params);
}
