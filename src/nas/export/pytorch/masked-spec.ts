/**
 * The FBNetV2 (DMaskingNAS) masked supernet as model.py reads it: the network description of net-spec.ts
 * (every part the op list of arch/lower.ts, at the supernet's maximal widths, under the masked supernet's
 * parameter names) plus where v2/masked-blocks.ts masks channels, so model.py's MaskedNetwork computes
 * what v2/masked-supernet.ts computes:
 *   - `masks`: after the op giving value `after`, multiply by the channel mask of a width distribution:
 *     'out' (the block's output width), 'in' (its input width), 'hidden' (an inverted residual's hidden
 *     width irHidden(c_in, e) over the input and expansion choices), 'se_hidden' / 'se_in' (the SE
 *     bottleneck seChannels of those widths);
 *   - `residual`: stride-1 blocks add R ∘ x with R the residual gate of the input and output widths (the
 *     lowered `add`, present only when the maximal widths match, is left out for it); `skip_proj`: the
 *     variable skip's (M_out − R) ∘ proj(x) + R ∘ x;
 *   - per layer the width / expansion options, and the network's input resolution factors.
 * Width arithmetic (irHidden, seChannels) is tabulated here, so model.py holds no copy of the formulas.
 */
import { lowerBlock, lowerHead, type LoweredPart, type Shape } from '../../arch/lower.ts';
import type { BlockSpec } from '../../arch/spec.ts';
import { irHiddenChannels, seChannels } from '../../blocks/shapes.ts';
import { BN_EPSILON, BN_MOMENTUM } from '../../blocks/module.ts';
import { candidateExpansions, maxOf, type MaskedPlan, type PlanLayer } from '../../v2/plan.ts';
import type { MaskedSupernet } from '../../v2/masked-supernet.ts';
import { torchPart, type TorchLayer, type TorchNetSpec, type TorchPart } from './net-spec.ts';

export type MaskDist = 'in' | 'out' | 'hidden' | 'se_hidden' | 'se_in';

export interface MaskedTorchPart extends TorchPart {
  masks: { after: number; dist: MaskDist }[];
  residual: boolean;
  skip_proj: boolean;
  /** The block has an expand conv: its hidden width follows the input and expansion choices. */
  expand: boolean;
  /** The candidate's own expansion ratio (used when the layer searches none). */
  e: number;
  /** "c|e" -> irHidden(c, e); "h" -> seChannels(h) for every reachable width. */
  hidden_of: Record<string, number>;
  se_of: Record<string, number>;
  out_max: number;
}

export interface MaskedTorchNetSpec extends TorchNetSpec {
  masked: true;
  /** Input subsampling factors (ascending, 1 = full size). */
  factors: number[];
  layers_v2: {
    kind: 'fixed' | 'search';
    /** dwpool: the output width is the input width. */
    passthrough: boolean;
    out_max: number;
    out: number;
    widths: number[] | null;
    expansions: number[] | null;
  }[];
}

const opOut = (part: LoweredPart, name: string): number | undefined =>
  part.ops.find((o) => o.name === name)?.out.id;

/** The value a conv unit ends in (its act, else its BatchNorm, else the conv). */
function unitEnd(part: LoweredPart, prefix: string): number {
  const id = opOut(part, `${prefix}/act`) ?? opOut(part, `${prefix}/bn`) ?? opOut(part, prefix);
  if (id === undefined) throw new Error(`PyTorch export: ${prefix} is not in the lowering`);
  return id;
}

/** Leaves out the block's own residual add (the gate replaces it); the part then ends before it. */
function withoutAdd(part: LoweredPart, name: string): LoweredPart {
  const add = part.ops.find((o) => o.name === `${name}/add`);
  if (!add) return part;
  return { ...part, ops: part.ops.filter((o) => o !== add), out: add.in[0] };
}

function renameOps(part: LoweredPart, from: string, to: string): LoweredPart {
  const re = (s: string) => (s.startsWith(from) ? to + s.slice(from.length) : s);
  return {
    ...part,
    ops: part.ops.map((o) => ({
      ...o,
      name: re(o.name),
      params: o.params.map((p) => ({ ...p, name: re(p.name) })),
    })) as LoweredPart['ops'],
  };
}

function maskedPart(
  p: PlanLayer,
  spec: BlockSpec,
  name: string,
  shape: Shape,
  expansions: number[] | null,
  variable: boolean,
): MaskedTorchPart {
  const inMax = maxOf(p.inValues);
  const input = { ...shape, c: inMax };
  let part = lowerBlock(spec, input, name);
  let masks: MaskedTorchPart['masks'] = [];
  let residual = false;
  let skipProj = false;
  let expand = false;
  let e = 1;
  const hiddenOf: Record<string, number> = {};
  const seOf: Record<string, number> = {};
  switch (spec.kind) {
    case 'conv':
      masks = [{ after: part.out.id, dist: 'out' }];
      break;
    case 'ir': {
      const g = spec.groups ?? 1;
      const es = expansions ?? [spec.e];
      const eMax = es[es.length - 1];
      part = withoutAdd(lowerBlock({ ...spec, e: eMax }, input, name), name);
      expand = spec.e !== 1;
      e = spec.e;
      const hiddens = expand
        ? p.inValues.flatMap((c) => es.map((x) => irHiddenChannels(c, x, g)))
        : p.inValues;
      if (expand)
        for (const c of p.inValues) for (const x of es) hiddenOf[`${c}|${x}`] = irHiddenChannels(c, x, g);
      for (const h of hiddens) seOf[String(h)] = seChannels(h);
      masks.push({ after: unitEnd(part, `${name}/dw`), dist: 'hidden' });
      if (spec.attention === 'se')
        masks.push({ after: unitEnd(part, `${name}/se/reduce`), dist: 'se_hidden' });
      masks.push({ after: unitEnd(part, `${name}/project`), dist: 'out' });
      residual = spec.stride === 1;
      break;
    }
    case 'skip':
      if (!variable && spec.stride === 1 && inMax === spec.out) break; // an identity
      // the projection is a 1x1 conv unit (BN, no act) under `${name}/proj`
      part = renameOps(
        lowerBlock({ kind: 'conv', k: 1, out: spec.out, stride: spec.stride, act: 'none' }, input, name),
        `${name}/conv`,
        `${name}/proj`,
      );
      skipProj = true;
      residual = spec.stride === 1;
      break;
    case 'sep':
      part = withoutAdd(part, name);
      for (const c of p.inValues) seOf[String(c)] = seChannels(c);
      masks.push({ after: unitEnd(part, `${name}/dw`), dist: 'in' });
      if (spec.attention === 'se') masks.push({ after: unitEnd(part, `${name}/se/reduce`), dist: 'se_in' });
      masks.push({ after: unitEnd(part, `${name}/pw`), dist: 'out' });
      residual = spec.stride === 1;
      break;
    case 'dwpool':
      masks = [{ after: part.out.id, dist: 'in' }];
      break;
    default:
      break; // certain widths (plan.ts): the plain block
  }
  return {
    ...torchPart(part),
    masks,
    residual,
    skip_proj: skipProj,
    expand,
    e,
    hidden_of: hiddenOf,
    se_of: seOf,
    out_max: part.out.shape.c,
  };
}

/** model.py's description of a masked supernet (its plan, built at the plan's input size). */
export function maskedSupernetSpec(net: MaskedSupernet): MaskedTorchNetSpec {
  const plan: MaskedPlan = net.plan;
  const space = net.space;
  let shape: Shape = { h: plan.inputSize, w: plan.inputSize, c: space.input.channels };
  const outShapes: Shape[] = [];
  const layersV2: MaskedTorchNetSpec['layers_v2'] = [];
  const body: TorchLayer[] = plan.layers.map((p) => {
    const outMax = maxOf(p.outValues);
    let parts: MaskedTorchPart[];
    if (p.kind === 'fixed') {
      parts = [maskedPart(p, p.spec, `body/${p.index}`, shape, null, p.inValues.length > 1)];
      layersV2.push({
        kind: 'fixed',
        passthrough: p.spec.kind === 'dwpool',
        out_max: outMax,
        out: outMax,
        widths: null,
        expansions: null,
      });
    } else {
      const variable = p.inValues.length > 1 || p.outValues.length > 1;
      parts = p.specs.map((s, j) =>
        maskedPart(
          p,
          s,
          `body/${p.index}/${p.names[j]}`,
          shape,
          candidateExpansions(s, p.expansions),
          variable,
        ),
      );
      layersV2.push({
        kind: 'search',
        passthrough: false,
        out_max: outMax,
        out: p.layer.out,
        widths: p.widths,
        expansions: p.expansions,
      });
    }
    // spatial size from the lowering; channels at the layer's largest width
    const first = p.kind === 'fixed' ? p.spec : p.specs[0];
    const oh = lowerBlock(first, { ...shape, c: maxOf(p.inValues) }).out.shape;
    shape = { h: oh.h, w: oh.w, c: outMax };
    outShapes.push(shape);
    return p.kind === 'fixed'
      ? { kind: 'fixed', part: parts[0] }
      : { kind: 'search', body_index: p.index, candidates: [...p.names], parts };
  });
  const head = space.head;
  const taps = head.kind === 'landmarks' ? (head.taps ?? []) : [];
  const h = lowerHead(
    head,
    shape,
    taps.map((t) => outShapes[t]),
    'head',
  );
  return {
    name: space.id,
    input: { channels: space.input.channels, size: plan.inputSize },
    body,
    taps,
    head: torchPart(
      h,
      taps.map((_, j) => h.in.id + 1 + j),
    ),
    task: head.kind === 'landmarks' ? 'landmarks' : 'classification',
    outputs: head.kind === 'landmarks' ? 2 * head.points : head.classes,
    bn: { eps: BN_EPSILON, momentum: BN_MOMENTUM },
    masked: true,
    factors: [...plan.factors],
    layers_v2: layersV2,
  };
}
