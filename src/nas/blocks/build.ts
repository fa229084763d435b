/**
 * buildBlock: BlockSpec -> Module. The forward of each kind, in order (unit = conv -> BN -> act, see
 * layers.ts; padding samePad(k, d) on all sides; act defaults to 'relu' where the spec leaves it out):
 *
 *  conv        conv(k, stride, dilation, groups) -> BN (bias instead when noBn) -> act
 *  ir          [expand 1x1 in->hid, groups g, BN, act]   (absent when e = 1; hid = irHiddenChannels)
 *              -> channel shuffle(g) when g > 1 (on the block input when e = 1)
 *              -> dw kxk (stride, dilation; padding dwPad or samePad) BN act -> [SE | eSE on hid]
 *              (SE width irSeChannels(hid, e, seReduce), activation seAct) -> project 1x1 hid->out, groups g, BN
 *              -> + x when stride = 1 and in = out
 *  skip        identity when stride = 1 and in = out, else proj 1x1 (stride) BN, no act
 *  sep         dw kxk (stride, dilation) BN act -> [SE | eSE on in] -> pw 1x1 in->out BN act
 *              -> + x when stride = 1 and in = out
 *  ghost       ghost1(in->hid, act) -> [dw kxk stride BN, no act — only when stride > 1] -> [SE | eSE on hid]
 *              -> ghost2(hid->out, no act) -> + shortcut(x); shortcut = identity when stride = 1 and
 *              in = out, else dw kxk (stride) BN -> 1x1 in->out BN (GhostNet). hid = round(in * e).
 *              ghost(c_in->c_out, act): p = primary 1x1 c_in->ceil(c_out/2) BN act; q = cheap dw 3x3 on p BN act;
 *              concat([p, q]) sliced to the first c_out channels.
 *  pelee_stem  s = stem 3x3/2 in->out BN relu; a = branch1b 3x3/2 half->out BN relu (branch1a 1x1 out->half
 *              BN relu first, half = floor(out/2)); b = 2x2/2 max pool of s in ceil mode (tfjs 'same');
 *              fuse 1x1 concat([a, b]) (2*out) -> out BN relu. Total stride 4.
 *  dwpool      dw kxk (stride) + bias, kernel initialised to 1/(k*k) (an average pool counting zero padding),
 *              no BN, then act (default none). Channels unchanged.
 *  ir_pool     expand 1x1 in->round(in*e) BN act -> global average pool -> project 1x1 -> out + bias, act.
 *  blaze       dw kxk (stride) BN -> pw 1x1 in->out BN -> + shortcut -> act; shortcut = x, max pool
 *              stride x stride / stride in ceil mode (tfjs 'same') when stride > 1, zero channels appended
 *              up to out (BlazeFace). out >= in.
 *  double_blaze dw1 kxk (stride) BN -> pw1 1x1 in->mid BN act -> dw2 kxk BN -> pw2 1x1 mid->out BN
 *              -> + shortcut (as blaze) -> act.
 *
 * Weights: He-normal (fan-in) from a child Rng seeded by one draw of `rng` per block, so a block's
 * initial weights do not depend on how large the blocks built before it were.
 */
import * as tf from '@tensorflow/tfjs';
import type {
  Activation,
  BlazeSpec,
  BlockSpec,
  DoubleBlazeSpec,
  ConvSpec,
  DwPoolSpec,
  GhostSpec,
  IRPoolSpec,
  IRSpec,
  PeleeStemSpec,
  SepSpec,
  SkipSpec,
} from '../arch/spec.ts';
import { Rng } from '../rng.ts';
import type { Module, ParamInfo } from './module.ts';
import { buildAttention } from './attention.ts';
import { ConvUnit, DwUnit } from './layers.ts';
import { activate, channelShuffle, globalAvgPool } from './ops.ts';
import {
  GHOST_CHEAP_KERNEL,
  ghostHiddenChannels,
  ghostPrimaryChannels,
  irHiddenChannels,
  irSeChannels,
  peleeHalfChannels,
} from './shapes.ts';

interface HasParams {
  params(): ParamInfo[];
}

type Forward = (x: tf.Tensor4D, training: boolean) => tf.Tensor4D;

class Block implements Module {
  constructor(
    readonly name: string,
    readonly spec: BlockSpec,
    readonly inChannels: number,
    readonly outChannels: number,
    private readonly parts: (HasParams | null)[],
    private readonly forward: Forward,
  ) {}

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    if (x.shape[3] !== this.inChannels) {
      throw new Error(`${this.name}: expected ${this.inChannels} input channels, got ${x.shape[3]}`);
    }
    return tf.tidy(() => this.forward(x, training));
  }

  params(): ParamInfo[] {
    return this.parts.flatMap((p) => (p ? p.params() : []));
  }
}

/** Identity that hands back a new tensor handle, so callers may dispose block outputs uniformly. */
const identity: Forward = (x) => tf.clone(x);

function buildConv(spec: ConvSpec, cin: number, name: string, rng: Rng): Module {
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
  return new Block(name, spec, cin, spec.out, [unit], (x, t) => unit.apply(x, t));
}

function buildIR(spec: IRSpec, cin: number, name: string, rng: Rng): Module {
  const g = spec.groups ?? 1;
  const act = spec.act ?? 'relu';
  const hid = irHiddenChannels(cin, spec.e, g);
  if (cin % g !== 0 || hid % g !== 0 || spec.out % g !== 0) {
    throw new Error(`${name}: in ${cin}, hidden ${hid} and out ${spec.out} must be divisible by groups ${g}`);
  }
  const expand =
    spec.e === 1 ? null : new ConvUnit(`${name}/expand`, cin, hid, { k: 1, groups: g, act }, rng);
  const dw = new DwUnit(
    `${name}/dw`,
    hid,
    { k: spec.k, stride: spec.stride, dilation: spec.dilation, pad: spec.dwPad, act },
    rng,
  );
  const se = { width: irSeChannels(hid, spec.e, spec.seReduce), act: spec.seAct ?? 'relu' };
  const att = buildAttention(spec.attention ?? 'none', name, hid, rng, se);
  const project = new ConvUnit(`${name}/project`, hid, spec.out, { k: 1, groups: g, act: 'none' }, rng);
  const residual = spec.stride === 1 && cin === spec.out;
  return new Block(name, spec, cin, spec.out, [expand, dw, att, project], (x, t) => {
    let h = expand ? expand.apply(x, t) : x;
    h = channelShuffle(h, g);
    h = dw.apply(h, t);
    if (att) h = att.apply(h);
    h = project.apply(h, t);
    return residual ? tf.add(h, x) : h;
  });
}

function buildSkip(spec: SkipSpec, cin: number, name: string, rng: Rng): Module {
  if (spec.stride === 1 && cin === spec.out) return new Block(name, spec, cin, spec.out, [], identity);
  const proj = new ConvUnit(`${name}/proj`, cin, spec.out, { k: 1, stride: spec.stride, act: 'none' }, rng);
  return new Block(name, spec, cin, spec.out, [proj], (x, t) => proj.apply(x, t));
}

function buildSep(spec: SepSpec, cin: number, name: string, rng: Rng): Module {
  const act = spec.act ?? 'relu';
  const dw = new DwUnit(
    `${name}/dw`,
    cin,
    { k: spec.k, stride: spec.stride, dilation: spec.dilation, act },
    rng,
  );
  const att = buildAttention(spec.attention ?? 'none', name, cin, rng);
  const pw = new ConvUnit(`${name}/pw`, cin, spec.out, { k: 1, act }, rng);
  const residual = spec.stride === 1 && cin === spec.out;
  return new Block(name, spec, cin, spec.out, [dw, att, pw], (x, t) => {
    let h = dw.apply(x, t);
    if (att) h = att.apply(h);
    h = pw.apply(h, t);
    return residual ? tf.add(h, x) : h;
  });
}

/** GhostNet's ghost module with ratio 2 (see the header). */
class GhostModule implements HasParams {
  readonly primary: ConvUnit;
  readonly cheap: DwUnit;

  constructor(
    prefix: string,
    cin: number,
    readonly outChannels: number,
    act: Activation,
    rng: Rng,
  ) {
    const init = ghostPrimaryChannels(outChannels);
    this.primary = new ConvUnit(`${prefix}/primary`, cin, init, { k: 1, act }, rng);
    this.cheap = new DwUnit(`${prefix}/cheap`, init, { k: GHOST_CHEAP_KERNEL, act }, rng);
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const p = this.primary.apply(x, training);
      const q = this.cheap.apply(p, training);
      const both = tf.concat([p, q], 3);
      const [n, h, w] = both.shape;
      return both.shape[3] === this.outChannels
        ? both
        : tf.slice(both, [0, 0, 0, 0], [n, h, w, this.outChannels]);
    });
  }

  params(): ParamInfo[] {
    return [...this.primary.params(), ...this.cheap.params()];
  }
}

function buildGhost(spec: GhostSpec, cin: number, name: string, rng: Rng): Module {
  const act = spec.act ?? 'relu';
  const hid = ghostHiddenChannels(cin, spec.e);
  const ghost1 = new GhostModule(`${name}/ghost1`, cin, hid, act, rng);
  const dw =
    spec.stride > 1
      ? new DwUnit(`${name}/dw`, hid, { k: spec.k, stride: spec.stride, act: 'none' }, rng)
      : null;
  const att = buildAttention(spec.attention ?? 'none', name, hid, rng);
  const ghost2 = new GhostModule(`${name}/ghost2`, hid, spec.out, 'none', rng);
  const sameShape = spec.stride === 1 && cin === spec.out;
  const scDw = sameShape
    ? null
    : new DwUnit(`${name}/shortcut/dw`, cin, { k: spec.k, stride: spec.stride, act: 'none' }, rng);
  const scPw = sameShape
    ? null
    : new ConvUnit(`${name}/shortcut/pw`, cin, spec.out, { k: 1, act: 'none' }, rng);
  return new Block(name, spec, cin, spec.out, [ghost1, dw, att, ghost2, scDw, scPw], (x, t) => {
    let h = ghost1.apply(x, t);
    if (dw) h = dw.apply(h, t);
    if (att) h = att.apply(h);
    h = ghost2.apply(h, t);
    const sc = scDw && scPw ? scPw.apply(scDw.apply(x, t), t) : x;
    return tf.add(h, sc);
  });
}

function buildPeleeStem(spec: PeleeStemSpec, cin: number, name: string, rng: Rng): Module {
  const out = spec.out;
  const half = peleeHalfChannels(out);
  const stem = new ConvUnit(`${name}/stem`, cin, out, { k: 3, stride: 2, act: 'relu' }, rng);
  const a1 = new ConvUnit(`${name}/branch1a`, out, half, { k: 1, act: 'relu' }, rng);
  const a2 = new ConvUnit(`${name}/branch1b`, half, out, { k: 3, stride: 2, act: 'relu' }, rng);
  const fuse = new ConvUnit(`${name}/fuse`, 2 * out, out, { k: 1, act: 'relu' }, rng);
  return new Block(name, spec, cin, out, [stem, a1, a2, fuse], (x, t) => {
    const s = stem.apply(x, t);
    const a = a2.apply(a1.apply(s, t), t);
    // 'same' on a 2x2/2 window pads only bottom/right and ignores the padding: PyTorch ceil_mode=True
    const b = tf.maxPool(s, 2, 2, 'same');
    return fuse.apply(tf.concat([a, b], 3), t);
  });
}

function buildDwPool(spec: DwPoolSpec, cin: number, name: string, rng: Rng): Module {
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
  return new Block(name, spec, cin, cin, [dw], (x, t) => dw.apply(x, t));
}

function buildIRPool(spec: IRPoolSpec, cin: number, name: string, rng: Rng): Module {
  const act = spec.act ?? 'relu';
  const hid = irHiddenChannels(cin, spec.e);
  const expand = new ConvUnit(`${name}/expand`, cin, hid, { k: 1, act }, rng);
  const project = new ConvUnit(`${name}/project`, hid, spec.out, { k: 1, act, noBn: true }, rng);
  return new Block(name, spec, cin, spec.out, [expand, project], (x, t) =>
    project.apply(globalAvgPool(expand.apply(x, t)), t),
  );
}

/** BlazeFace's parameter-free shortcut: ceil-mode max pool on stride > 1, then zero channels up to `out`. */
function blazeShortcut(x: tf.Tensor4D, stride: number, out: number): tf.Tensor4D {
  const pooled = stride > 1 ? tf.maxPool(x, stride, stride, 'same') : x;
  const extra = out - x.shape[3];
  return extra > 0
    ? tf.pad(pooled, [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, extra],
      ])
    : pooled;
}

function checkBlazeWidths(name: string, cin: number, out: number): void {
  if (out < cin) throw new Error(`${name}: a Blaze block cannot narrow ${cin} to ${out} channels`);
}

function buildBlaze(spec: BlazeSpec, cin: number, name: string, rng: Rng): Module {
  checkBlazeWidths(name, cin, spec.out);
  const dw = new DwUnit(`${name}/dw`, cin, { k: spec.k, stride: spec.stride, act: 'none' }, rng);
  const pw = new ConvUnit(`${name}/pw`, cin, spec.out, { k: 1, act: 'none' }, rng);
  const act = spec.act ?? 'relu';
  return new Block(name, spec, cin, spec.out, [dw, pw], (x, t) => {
    const h = pw.apply(dw.apply(x, t), t);
    return activate(tf.add(h, blazeShortcut(x, spec.stride, spec.out)), act);
  });
}

function buildDoubleBlaze(spec: DoubleBlazeSpec, cin: number, name: string, rng: Rng): Module {
  checkBlazeWidths(name, cin, spec.out);
  const act = spec.act ?? 'relu';
  const dw1 = new DwUnit(`${name}/dw1`, cin, { k: spec.k, stride: spec.stride, act: 'none' }, rng);
  const pw1 = new ConvUnit(`${name}/pw1`, cin, spec.mid, { k: 1, act }, rng);
  const dw2 = new DwUnit(`${name}/dw2`, spec.mid, { k: spec.k, act: 'none' }, rng);
  const pw2 = new ConvUnit(`${name}/pw2`, spec.mid, spec.out, { k: 1, act: 'none' }, rng);
  return new Block(name, spec, cin, spec.out, [dw1, pw1, dw2, pw2], (x, t) => {
    const h = pw2.apply(dw2.apply(pw1.apply(dw1.apply(x, t), t), t), t);
    return activate(tf.add(h, blazeShortcut(x, spec.stride, spec.out)), act);
  });
}

export function buildBlock(spec: BlockSpec, inChannels: number, name: string, rng: Rng): Module {
  const r = new Rng(rng.seed());
  switch (spec.kind) {
    case 'conv':
      return buildConv(spec, inChannels, name, r);
    case 'ir':
      return buildIR(spec, inChannels, name, r);
    case 'skip':
      return buildSkip(spec, inChannels, name, r);
    case 'sep':
      return buildSep(spec, inChannels, name, r);
    case 'ghost':
      return buildGhost(spec, inChannels, name, r);
    case 'pelee_stem':
      return buildPeleeStem(spec, inChannels, name, r);
    case 'dwpool':
      return buildDwPool(spec, inChannels, name, r);
    case 'ir_pool':
      return buildIRPool(spec, inChannels, name, r);
    case 'blaze':
      return buildBlaze(spec, inChannels, name, r);
    case 'double_blaze':
      return buildDoubleBlaze(spec, inChannels, name, r);
  }
}

/** Dispose every variable a module owns. */
export function disposeParams(params: ParamInfo[]): void {
  for (const p of params) p.variable.dispose();
}
