/**
 * FBNetV2 effective shape propagation and the differentiable cost (paper eqs. 5-10).
 *
 * Effective channels of a choice with weights g over widths c_i: C̄ = Σ g_i · c_i (eq. 5), passed on
 * layer by layer (C̄_in of a layer is C̄_out of the previous one; depthwise convs keep C̄_in, eq. 9).
 * Derived widths are expectations over their own choices: an IR's hidden width H̄ = Σ_ij g_in,j · g_e,i ·
 * irHidden(c_j, e_i), its SE bottleneck R̄ = Σ P(h) · seReduce(h).
 *
 * The cost this module computes, for each conv (same conventions as cost/count.ts):
 *   MACs   = Ā_out · k² · C̄_in · C̄_out / γ      (depthwise: Ā_out · k² · C̄)
 *   params = k² · C̄_in · C̄_out / γ + 2 · C̄_out (BatchNorm) [+ C̄_out bias]
 * i.e. products of effective in / out channels as FBNetV2 does. Ā_out is the expected output area over the
 * resolution choice, Σ_r g_r · h_r · w_r (exact sizes per resolution, computed with count.ts's rules),
 * the only place where an exact expectation replaces a product of effective values. SE: 2·H̄·R̄ MACs,
 * 2·H̄·R̄ + R̄ + H̄ params; eSE: H̄² and H̄² + H̄. A searchable layer costs Σ_b m_b · cost_b (V1 eq. 9). A
 * block whose derived version is an identity when c_in = c_out (skip at stride 1) costs
 * (1 − P(c_in = c_out)) · projection. Blocks with certain widths (ghost, pelee_stem) cost
 * Σ_r g_r · blockCost(spec, shape_r). The head: its 1x1 conv and FC the same way.
 *
 * For one-hot choices every effective value is the chosen integer, so the result equals countCost of the
 * derived architecture (exactly, up to float32 rounding of values above 2^24).
 */
import * as tf from '@tensorflow/tfjs';
import { headCells, type Attention, type BlockSpec, type HeadSpec } from '../arch/spec.ts';
import { blockCost } from '../cost/count.ts';
import { convOutSize, irHidden, seReduce } from '../cost/rules.ts';
import { headOutputs } from '../model/head.ts';
import type { LayerMix } from '../search/supernet.ts';
import {
  distOf,
  expectedValue,
  fixedDist,
  mapDist,
  matchProbability,
  pairDist,
  type OptionDist,
} from './channel-mask.ts';
import type { MaskedMix } from './masked-supernet.ts';
import type { MaskedPlan, PlanLayer } from './plan.ts';

/** A number when nothing searched enters it, else a differentiable scalar. */
export type Num = number | tf.Scalar;

function add(a: Num, b: Num): Num {
  return typeof a === 'number' && typeof b === 'number' ? a + b : (tf.add(a, b) as tf.Scalar);
}

function mul(a: Num, b: Num): Num {
  return typeof a === 'number' && typeof b === 'number' ? a * b : (tf.mul(a, b) as tf.Scalar);
}

function sum(...xs: Num[]): Num {
  return xs.reduce<Num>((s, x) => add(s, x), 0);
}

function toScalar(x: Num): tf.Scalar {
  return typeof x === 'number' ? tf.scalar(x) : x;
}

interface Cost {
  macs: Num;
  params: Num;
}

const ZERO: Cost = { macs: 0, params: 0 };

function plus(a: Cost, b: Cost): Cost {
  return { macs: add(a.macs, b.macs), params: add(a.params, b.params) };
}

function scale(c: Cost, w: Num): Cost {
  return { macs: mul(c.macs, w), params: mul(c.params, w) };
}

/** Side of each resolution option (values) with the resolution weights. */
type Sides = OptionDist;

function after(sides: Sides, k: number, stride: number, dilation = 1): Sides {
  return mapDist(sides, (s) => convOutSize(s, k, stride, dilation));
}

/** Expected area Σ_r g_r · side_r². */
function area(sides: Sides): Num {
  return expectedValue(mapDist(sides, (s) => s * s));
}

interface ConvOpts {
  depthwise?: boolean;
  groups?: number;
  bias?: boolean;
  bn?: boolean;
}

/** One conv: output area Ā, effective in / out channels (see the header). */
function conv(a: Num, cin: Num, cout: Num, k: number, opts: ConvOpts = {}): Cost {
  const { depthwise = false, groups = 1, bias = false, bn = true } = opts;
  let weights: Num;
  if (depthwise) weights = mul(k * k, cout);
  else if (typeof cin === 'number' && typeof cout === 'number') weights = cout * (cin / groups) * k * k;
  else weights = mul(mul((k * k) / groups, cin), cout); // groups = 1 wherever widths vary (plan.ts)
  let params = weights;
  if (bias) params = add(params, cout);
  if (bn) params = add(params, mul(2, cout));
  return { macs: mul(a, weights), params };
}

function attention(kind: Attention | undefined, hidden: OptionDist): Cost {
  if (kind === 'se') {
    const c = expectedValue(hidden);
    const r = expectedValue(mapDist(hidden, seReduce));
    const cr = mul(c, r);
    return { macs: mul(2, cr), params: sum(mul(2, cr), r, c) };
  }
  if (kind === 'ese') {
    const c = expectedValue(hidden);
    const cc = mul(c, c);
    return { macs: cc, params: add(cc, c) };
  }
  return ZERO;
}

/** Effective cost of one block and the sides of its output. */
function blockEffCost(
  spec: BlockSpec,
  cin: OptionDist,
  cout: OptionDist,
  expansion: OptionDist | null,
  sides: Sides,
): { cost: Cost; out: Sides } {
  const eIn = expectedValue(cin);
  switch (spec.kind) {
    case 'conv': {
      const out = after(sides, spec.k, spec.stride, spec.dilation ?? 1);
      const cost = conv(area(out), eIn, expectedValue(cout), spec.k, {
        groups: spec.groups ?? 1,
        bias: spec.noBn === true,
        bn: spec.noBn !== true,
      });
      return { cost, out };
    }
    case 'ir': {
      const g = spec.groups ?? 1;
      const hidden =
        spec.e === 1 ? cin : pairDist(cin, expansion ?? fixedDist(spec.e), (c, e) => irHidden(c, e, g));
      const h = expectedValue(hidden);
      const out = after(sides, spec.k, spec.stride, spec.dilation ?? 1);
      const aOut = area(out);
      let cost = spec.e === 1 ? ZERO : conv(area(sides), eIn, h, 1, { groups: g });
      cost = plus(cost, conv(aOut, h, h, spec.k, { depthwise: true }));
      cost = plus(cost, attention(spec.attention, hidden));
      cost = plus(cost, conv(aOut, h, expectedValue(cout), 1, { groups: g }));
      return { cost, out };
    }
    case 'skip': {
      const out = after(sides, 1, spec.stride);
      const proj = conv(area(out), eIn, expectedValue(cout), 1);
      if (spec.stride !== 1) return { cost: proj, out };
      const keep = add(1, mul(-1, matchProbability(cin, cout)));
      return { cost: scale(proj, keep), out };
    }
    case 'sep': {
      const out = after(sides, spec.k, spec.stride, spec.dilation ?? 1);
      const aOut = area(out);
      let cost = conv(aOut, eIn, eIn, spec.k, { depthwise: true });
      cost = plus(cost, attention(spec.attention, cin));
      cost = plus(cost, conv(aOut, eIn, expectedValue(cout), 1));
      return { cost, out };
    }
    case 'dwpool': {
      const out = after(sides, spec.k, spec.stride);
      return { cost: conv(area(out), eIn, eIn, spec.k, { depthwise: true, bias: true, bn: false }), out };
    }
    default: {
      // certain channels (plan.ts forbids these where widths vary): exact cost per resolution
      if (cin.weights) throw new Error(`${spec.kind}: effective cost needs a certain input width`);
      const c = cin.values[0];
      const per = sides.values.map((s) => blockCost(spec, { h: s, w: s, c }));
      const weighted = (f: (x: (typeof per)[number]) => number) =>
        expectedValue({ values: per.map(f), weights: sides.weights });
      return {
        cost: { macs: weighted((x) => x.macs), params: weighted((x) => x.params) },
        out: { values: per.map((x) => x.out.h), weights: sides.weights },
      };
    }
  }
}

function headEffCost(head: HeadSpec, last: OptionDist, taps: OptionDist[], sides: Sides): Cost {
  let cost = ZERO;
  let c: Num = expectedValue(last);
  if (head.features !== undefined) {
    cost = conv(area(sides), c, head.features, 1);
    c = head.features;
  }
  c = mul(c, headCells(head));
  if (head.kind === 'landmarks') for (const t of taps) c = add(c, expectedValue(t));
  const outputs = headOutputs(head);
  return plus(cost, { macs: mul(c, outputs), params: add(mul(c, outputs), outputs) });
}

function mixWeight(mix: LayerMix, i: number): Num | null {
  if (typeof mix === 'number') return mix === i ? 1 : null;
  return tf.squeeze(tf.slice(mix, [i], [1])) as tf.Scalar;
}

export interface EffectiveLayer {
  /** Effective output channels C̄_out. */
  channels: Num;
  /** Effective output side Σ_r g_r · side_r. */
  side: Num;
  /** Expected cost of the layer. */
  macs: Num;
  params: Num;
}

/** Walks the plan; shapes of every body layer, and the total including the head. */
function walk(plan: MaskedPlan, mix: MaskedMix): { layers: EffectiveLayer[]; total: Cost } {
  const factors = plan.factors;
  // a single factor still subsamples (masked-supernet.ts resolutionDist)
  const resolution = factors.length > 1 ? distOf(factors, mix.resolution ?? 0) : fixedDist(factors[0]);
  let sides: Sides = mapDist(resolution, (f) => Math.ceil(plan.inputSize / f));
  let cin: OptionDist = fixedDist(plan.space.input.channels);
  let total = ZERO;
  const layers: EffectiveLayer[] = [];
  const outs: OptionDist[] = [];
  plan.layers.forEach((p: PlanLayer) => {
    let cost = ZERO;
    let cout: OptionDist;
    let next: Sides = sides;
    if (p.kind === 'fixed') {
      cout = p.spec.kind === 'dwpool' ? cin : fixedDist(p.spec.out);
      const r = blockEffCost(p.spec, cin, cout, null, sides);
      cost = r.cost;
      next = r.out;
    } else {
      const l = p.searchIndex;
      const bmix = mix.blocks[l];
      if (bmix === undefined) throw new Error(`No block mix for searchable layer ${l}`);
      cout = p.widths ? distOf(p.widths, mix.widths?.[l]) : fixedDist(p.layer.out);
      const expansion = p.expansions ? distOf(p.expansions, mix.expansions?.[l]) : null;
      p.specs.forEach((spec, b) => {
        const w = mixWeight(bmix, b);
        const useExp = spec.kind === 'ir' && spec.e !== 1 ? expansion : null;
        const r = blockEffCost(spec, cin, cout, useExp, sides);
        next = r.out;
        if (w !== null) cost = plus(cost, scale(r.cost, w));
      });
    }
    total = plus(total, cost);
    layers.push({
      channels: expectedValue(cout),
      side: expectedValue(next),
      macs: cost.macs,
      params: cost.params,
    });
    outs.push(cout);
    cin = cout;
    sides = next;
  });
  const head = plan.space.head;
  const taps = head.kind === 'landmarks' ? (head.taps ?? []).map((t) => outs[t]) : [];
  total = plus(total, headEffCost(head, cin, taps, sides));
  return { layers, total };
}

/**
 * Differentiable expected MACs and params of the network a mix describes (see the header). Gradients
 * reach every weight tensor in `mix` (block masks, width / expansion / resolution Gumbel weights).
 */
export function effectiveCost(plan: MaskedPlan, mix: MaskedMix): { macs: tf.Scalar; params: tf.Scalar } {
  return tf.tidy(() => {
    const { total } = walk(plan, mix);
    return { macs: toScalar(total.macs), params: toScalar(total.params) };
  });
}

/** Effective output channels and side of every body layer (and its expected cost), as scalars. */
export function effectiveShapes(
  plan: MaskedPlan,
  mix: MaskedMix,
): { channels: tf.Scalar; side: tf.Scalar; macs: tf.Scalar; params: tf.Scalar }[] {
  return tf.tidy(() =>
    walk(plan, mix).layers.map((l) => ({
      channels: toScalar(l.channels),
      side: toScalar(l.side),
      macs: toScalar(l.macs),
      params: toScalar(l.params),
    })),
  );
}
