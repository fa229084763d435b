/**
 * Mask-aware versions of the blocks (same units, parameter names and weight initialisation as
 * blocks/build.ts: a block built here with certain widths computes exactly what buildBlock's does).
 *
 * A block is built at its maximal input / hidden / output widths and told, per forward, the distribution
 * of its actual widths (OptionDist). Input channels beyond the chosen width arrive as zeros. To equal the
 * derived (narrow) block on the kept channels, every op whose dead channels are not already zero before a
 * cross-channel op gets re-masked:
 *   - after a depthwise unit (BN turns a zero channel into beta): hidden mask for ir, input mask for sep,
 *     dwpool;
 *   - the SE bottleneck (its width follows the hidden width: seChannels(hidden));
 *   - the block output (output-width mask);
 *   - the residual: the derived block adds its input iff stride 1 and chosen c_in = c_out, which the
 *     supernet realises as R ∘ x with R = residualGate(in, out) (skip: R ∘ x + (M_out - R) ∘ proj(x)).
 * Plain 1x1 / kxk convs need no input mask: zero input channels contribute nothing.
 * Where the IR hidden mask goes: after the depthwise unit and before attention and the project conv, so
 * the expand conv, the depthwise conv and their BN statistics see the kept channels exactly as the derived
 * block does (all per channel) and masked hidden channels never reach a cross-channel op.
 */
import * as tf from '@tensorflow/tfjs';
import type { BlockSpec, ConvSpec, DwPoolSpec, IRSpec, SepSpec, SkipSpec } from '../arch/spec.ts';
import { buildAttention, SqueezeExcite, type AttentionUnit } from '../blocks/attention.ts';
import { buildBlock } from '../blocks/build.ts';
import { ConvUnit, DwUnit } from '../blocks/layers.ts';
import type { Module, ParamInfo } from '../blocks/module.ts';
import { channelShuffle, globalAvgPool, hardSigmoid } from '../blocks/ops.ts';
import { irHiddenChannels, seChannels } from '../blocks/shapes.ts';
import { Rng } from '../rng.ts';
import {
  fitChannels,
  fixedDist,
  mapDist,
  maskChannels,
  pairDist,
  residualGate,
  type OptionDist,
} from './channel-mask.ts';

/** The widths of one forward: input, output and (inverted residuals) expansion ratio. */
export interface BlockIO {
  in: OptionDist;
  /** Ignored by dwpool (its output width is its input width). */
  out: OptionDist;
  /** IR only; default: the spec's e. */
  expansion?: OptionDist;
}

export interface MaskedBlock {
  readonly name: string;
  /** The spec at maximal widths. */
  readonly spec: BlockSpec;
  readonly inMax: number;
  readonly outMax: number;
  apply(x: tf.Tensor4D, io: BlockIO, training: boolean): tf.Tensor4D;
  params(): ParamInfo[];
}

type Part = { params(): ParamInfo[] } | null;
type Forward = (x: tf.Tensor4D, io: BlockIO, training: boolean) => tf.Tensor4D;

class Block implements MaskedBlock {
  constructor(
    readonly name: string,
    readonly spec: BlockSpec,
    readonly inMax: number,
    readonly outMax: number,
    private readonly parts: Part[],
    private readonly forward: Forward,
  ) {}

  apply(x: tf.Tensor4D, io: BlockIO, training: boolean): tf.Tensor4D {
    if (x.shape[3] !== this.inMax)
      throw new Error(`${this.name}: expected ${this.inMax} channels, got ${x.shape[3]}`);
    return tf.tidy(() => this.forward(x, io, training));
  }

  params(): ParamInfo[] {
    return this.parts.flatMap((p) => (p ? p.params() : []));
  }
}

/** y + R ∘ fit(x) for blocks whose derived version adds its input when c_in = c_out (stride 1). */
function addResidual(y: tf.Tensor4D, x: tf.Tensor4D, io: BlockIO, outMax: number): tf.Tensor4D {
  const gate = residualGate(io.in, io.out, outMax);
  if (gate === null) return y;
  const xs = fitChannels(x, outMax);
  return tf.add(y, gate === 'full' ? xs : tf.mul(xs, gate));
}

/** Attention on a masked hidden map: the SE bottleneck is masked to seChannels(hidden). */
function maskedAttention(att: AttentionUnit, h: tf.Tensor4D, hidden: OptionDist): tf.Tensor4D {
  if (!(att instanceof SqueezeExcite)) return att.apply(h); // eSE: C -> C, dead inputs are zeros
  const rMax = att.reduce.outChannels;
  let s = att.reduce.apply(globalAvgPool(h), false);
  s = maskChannels(s, mapDist(hidden, seChannels), rMax);
  return tf.mul(h, hardSigmoid(att.expand.apply(s, false)));
}

function buildConv(spec: ConvSpec, cin: number, name: string, rng: Rng): MaskedBlock {
  const unit = new ConvUnit(
    `${name}/conv`,
    cin,
    spec.out,
    {
      k: spec.k,
      stride: spec.stride,
      dilation: spec.dilation,
      groups: spec.groups,
      act: spec.act,
      noBn: spec.noBn,
    },
    rng,
  );
  return new Block(name, spec, cin, spec.out, [unit], (x, io, t) =>
    maskChannels(unit.apply(x, t), io.out, spec.out),
  );
}

function buildIR(
  spec: IRSpec,
  cin: number,
  name: string,
  rng: Rng,
  expansions: number[] | null,
): MaskedBlock {
  const g = spec.groups ?? 1;
  const act = spec.act ?? 'relu';
  const eMax = expansions ? expansions[expansions.length - 1] : spec.e;
  const hid = irHiddenChannels(cin, eMax, g);
  const expand =
    spec.e === 1 ? null : new ConvUnit(`${name}/expand`, cin, hid, { k: 1, groups: g, act }, rng);
  const dw = new DwUnit(
    `${name}/dw`,
    hid,
    { k: spec.k, stride: spec.stride, dilation: spec.dilation, act },
    rng,
  );
  const att = buildAttention(spec.attention ?? 'none', name, hid, rng);
  const project = new ConvUnit(`${name}/project`, hid, spec.out, { k: 1, groups: g, act: 'none' }, rng);
  const maxSpec: IRSpec = { ...spec, e: eMax };
  return new Block(name, maxSpec, cin, spec.out, [expand, dw, att, project], (x, io, t) => {
    const hidden = expand
      ? pairDist(io.in, io.expansion ?? fixedDist(spec.e), (c, e) => irHiddenChannels(c, e, g))
      : io.in;
    let h = expand ? expand.apply(x, t) : x;
    h = channelShuffle(h, g);
    h = maskChannels(dw.apply(h, t), hidden, hid);
    if (att) h = maskedAttention(att, h, hidden);
    const y = maskChannels(project.apply(h, t), io.out, spec.out);
    return spec.stride === 1 ? addResidual(y, x, io, spec.out) : y;
  });
}

function buildSkip(spec: SkipSpec, cin: number, name: string, rng: Rng, variable: boolean): MaskedBlock {
  // an identity only when both widths are certain and equal; otherwise the projection exists for the
  // choices where the derived skip is a 1x1 conv
  if (!variable && spec.stride === 1 && cin === spec.out) {
    return new Block(name, spec, cin, spec.out, [], (x) => tf.clone(x));
  }
  const proj = new ConvUnit(`${name}/proj`, cin, spec.out, { k: 1, stride: spec.stride, act: 'none' }, rng);
  return new Block(name, spec, cin, spec.out, [proj], (x, io, t) => {
    const q = proj.apply(x, t);
    const p = maskChannels(q, io.out, spec.out);
    const gate = spec.stride === 1 ? residualGate(io.in, io.out, spec.out) : null;
    if (gate === null) return p;
    const xs = fitChannels(x, spec.out);
    if (gate === 'full') return xs;
    // (M_out - R) ∘ proj(x) + R ∘ x
    return tf.add(tf.sub(p, tf.mul(q, gate)), tf.mul(xs, gate));
  });
}

function buildSep(spec: SepSpec, cin: number, name: string, rng: Rng): MaskedBlock {
  const act = spec.act ?? 'relu';
  const dw = new DwUnit(
    `${name}/dw`,
    cin,
    { k: spec.k, stride: spec.stride, dilation: spec.dilation, act },
    rng,
  );
  const att = buildAttention(spec.attention ?? 'none', name, cin, rng);
  const pw = new ConvUnit(`${name}/pw`, cin, spec.out, { k: 1, act }, rng);
  return new Block(name, spec, cin, spec.out, [dw, att, pw], (x, io, t) => {
    let h = maskChannels(dw.apply(x, t), io.in, cin);
    if (att) h = maskedAttention(att, h, io.in);
    const y = maskChannels(pw.apply(h, t), io.out, spec.out);
    return spec.stride === 1 ? addResidual(y, x, io, spec.out) : y;
  });
}

function buildDwPool(spec: DwPoolSpec, cin: number, name: string, rng: Rng): MaskedBlock {
  const dw = new DwUnit(
    `${name}/dw`,
    cin,
    {
      k: spec.k,
      stride: spec.stride,
      act: spec.act ?? 'none',
      noBn: true,
      constantInit: 1 / (spec.k * spec.k),
    },
    rng,
  );
  return new Block(name, spec, cin, cin, [dw], (x, io, t) => maskChannels(dw.apply(x, t), io.in, cin));
}

/** A plain block (ghost, pelee_stem) where widths are certain: runs buildBlock's module unchanged. */
function adapt(module: Module): MaskedBlock {
  return {
    name: module.name,
    spec: module.spec,
    inMax: module.inChannels,
    outMax: module.outChannels,
    apply: (x, _io, training) => module.apply(x, training),
    params: () => module.params(),
  };
}

export interface MaskedBlockOptions {
  /** Searched IR expansion ratios (ascending); the block is built at the largest. */
  expansions?: number[] | null;
  /** The input or output width may vary (decides whether a skip needs its projection). */
  variable?: boolean;
}

/**
 * buildBlock's counterpart (one seed draw from `rng` per block, the same unit order, so with certain widths
 * the weights equal buildBlock's). `spec` carries the maximal output width, `inMax` the maximal input width.
 */
export function buildMaskedBlock(
  spec: BlockSpec,
  inMax: number,
  name: string,
  rng: Rng,
  options: MaskedBlockOptions = {},
): MaskedBlock {
  switch (spec.kind) {
    case 'conv':
      return buildConv(spec, inMax, name, new Rng(rng.seed()));
    case 'ir':
      return buildIR(spec, inMax, name, new Rng(rng.seed()), options.expansions ?? null);
    case 'skip':
      return buildSkip(spec, inMax, name, new Rng(rng.seed()), options.variable ?? false);
    case 'sep':
      return buildSep(spec, inMax, name, new Rng(rng.seed()));
    case 'dwpool':
      return buildDwPool(spec, inMax, name, new Rng(rng.seed()));
    default:
      return adapt(buildBlock(spec, inMax, name, rng));
  }
}
