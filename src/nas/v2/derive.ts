/**
 * From an FBNetV2 supernet to a plain network: the argmax block, width, expansion and resolution of every
 * search, an Arch with exactly those channel counts (no masks, no effective shapes), and its weights cut
 * from the shared tensors. Every kept channel set is a leading prefix (channel-mask.ts), so each derived
 * tensor is the leading corner of its supernet tensor along every axis: first c_out filters, first c_in
 * input channels (which matches the previous layer's kept outputs), first hidden / SE channels. The one
 * exception is the head's FC kernel, whose rows are the concatenation [taps..., final features] and are cut
 * per segment. The derived model then reproduces the masked supernet (index mix) on the kept channels;
 * it takes the input subsampled by the chosen factor (resolution.ts subsample).
 */
import { candidateSpec } from '../arch/candidates.ts';
import { headCells, type Arch, type BlockSpec } from '../arch/spec.ts';
import type { ParamInfo } from '../blocks/module.ts';
import { createModel, type NasModel } from '../model/model.ts';
import { getWeights, setWeights, type WeightEntry, type WeightMap } from '../model/weights.ts';
import { argmax } from '../search/gumbel.ts';
import type { MaskedMix, MaskedSupernet } from './masked-supernet.ts';
import { maxOf, type MaskedPlan } from './plan.ts';
import { subsampledSize } from './resolution.ts';

/** Option indices per searchable layer (undefined where a dimension is not searched) and the resolution. */
export interface MaskedChoices {
  blocks: number[];
  widths: (number | undefined)[];
  expansions: (number | undefined)[];
  /** Index into the resolution factors (0 without resolution search). */
  resolution: number;
}

export interface DerivedArch {
  arch: Arch;
  /** Input subsampling factor of the chosen resolution (arch.input.size = ceil(size / factor)). */
  factor: number;
  choices: MaskedChoices;
}

/** The most likely choice of every search (argmax of its logits). */
export async function argmaxChoices(net: MaskedSupernet): Promise<MaskedChoices> {
  const pick = async (v: { data(): Promise<ArrayLike<number>> } | null | undefined) =>
    v ? argmax(await v.data()) : undefined;
  const blocks: number[] = [];
  const widths: (number | undefined)[] = [];
  const expansions: (number | undefined)[] = [];
  for (const l of net.layers) {
    blocks.push(argmax(await l.theta.data()));
    widths.push(await pick(l.widthSearch?.logits));
    expansions.push(await pick(l.expansionSearch?.logits));
  }
  return { blocks, widths, expansions, resolution: (await pick(net.resolution?.logits)) ?? 0 };
}

/** The index mix that runs exactly the chosen network inside the supernet. */
export function choicesMix(c: MaskedChoices): MaskedMix {
  return {
    blocks: [...c.blocks],
    widths: [...c.widths],
    expansions: [...c.expansions],
    resolution: c.resolution,
  };
}

function pickOption(options: number[] | null, choice: number | undefined, what: string): number | null {
  if (!options) return null;
  const i = choice ?? options.length - 1;
  const v = options[i];
  if (!Number.isInteger(i) || v === undefined) throw new Error(`${what}: no option ${choice}`);
  return v;
}

/** The plain Arch of a choice (widths exactly the chosen counts). */
export function deriveArch(plan: MaskedPlan, choices: MaskedChoices, name: string): DerivedArch {
  if (choices.blocks.length !== plan.search.length) {
    throw new Error(`Expected ${plan.search.length} block choices, got ${choices.blocks.length}`);
  }
  const factor = plan.factors[choices.resolution];
  if (factor === undefined) throw new Error(`No resolution option ${choices.resolution}`);
  const body: BlockSpec[] = plan.layers.map((p) => {
    if (p.kind === 'fixed') return structuredClone(p.spec);
    const l = p.searchIndex;
    const b = choices.blocks[l];
    const cand = p.names[b];
    if (!Number.isInteger(b) || cand === undefined) throw new Error(`Layer ${p.index}: no candidate ${b}`);
    const width = pickOption(p.widths, choices.widths[l], `Layer ${p.index} width`) ?? p.layer.out;
    const spec = candidateSpec(cand, width, p.layer.stride);
    const e = pickOption(p.expansions, choices.expansions[l], `Layer ${p.index} expansion`);
    if (e !== null && spec.kind === 'ir' && spec.e !== 1) return { ...spec, e };
    return spec;
  });
  const arch: Arch = {
    name,
    input: { size: subsampledSize(plan.inputSize, factor), channels: plan.space.input.channels },
    body,
    head: structuredClone(plan.space.head),
  };
  return { arch, factor, choices };
}

/** The leading corner of `src` with shape `shape` (row-major). */
export function sliceLeading(src: WeightEntry, shape: number[], what = 'tensor'): WeightEntry {
  if (shape.length !== src.shape.length || shape.some((d, i) => d > src.shape[i])) {
    throw new Error(`${what}: cannot cut [${shape}] from [${src.shape}]`);
  }
  if (shape.every((d, i) => d === src.shape[i]))
    return { shape: [...shape], data: new Float32Array(src.data) };
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  const srcStrides = src.shape.map((_, i) => src.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const inner = shape[shape.length - 1];
  let o = 0;
  const rec = (axis: number, offset: number) => {
    if (axis === shape.length - 1) {
      out.set(src.data.subarray(offset, offset + inner), o);
      o += inner;
      return;
    }
    for (let i = 0; i < shape[axis]; i++) rec(axis + 1, offset + i * srcStrides[axis]);
  };
  if (size > 0) rec(0, 0);
  return { shape: [...shape], data: out };
}

/** FC kernel [Σ segments, out]: keep the leading rows of each segment. */
function sliceSegments(src: WeightEntry, from: number[], to: number[], cols: number): WeightEntry {
  const rows = to.reduce((a, b) => a + b, 0);
  const out = new Float32Array(rows * cols);
  let srcRow = 0;
  let dstRow = 0;
  from.forEach((n, s) => {
    out.set(src.data.subarray(srcRow * cols, (srcRow + to[s]) * cols), dstRow * cols);
    srcRow += n;
    dstRow += to[s];
  });
  return { shape: [rows, cols], data: out };
}

/** Supernet parameter name of a derived one: searchable layers insert the chosen candidate's name. */
function sourceName(plan: MaskedPlan, derived: DerivedArch, name: string): string {
  const m = /^body\/(\d+)\/(.*)$/.exec(name);
  if (!m) return name;
  const p = plan.layers[Number(m[1])];
  if (!p || p.kind === 'fixed') return name;
  return `body/${p.index}/${p.names[derived.choices.blocks[p.searchIndex]]}/${m[2]}`;
}

/**
 * Weights for the derived model's parameters cut from the supernet's (getWeights of weightParams()).
 * `target`: the derived model's params (their names and shapes).
 */
export function sliceWeights(
  plan: MaskedPlan,
  superWeights: WeightMap,
  derived: DerivedArch,
  target: ParamInfo[],
): WeightMap {
  const out: WeightMap = {};
  const head = derived.arch.head;
  const outs = (arch: { body: BlockSpec[] }, inC: number) => {
    let c = inC;
    return arch.body.map((b) => (c = b.kind === 'dwpool' ? c : b.out));
  };
  const derivedOuts = outs(derived.arch, plan.space.input.channels);
  const superOuts = plan.layers.map((p) => maxOf(p.outValues));
  for (const p of target) {
    const src = sourceName(plan, derived, p.name);
    const w = superWeights[src];
    if (!w) throw new Error(`sliceWeights: the supernet has no parameter "${src}" (for "${p.name}")`);
    const shape = [...p.variable.shape];
    if (p.name === 'head/fc/kernel') {
      const taps = head.kind === 'landmarks' ? (head.taps ?? []) : [];
      // grid-pooled features are channel-major (c, cell): the first c channels are the first c · cells rows
      const last = (o: number[]) =>
        (head.features ?? (o.length ? o[o.length - 1] : plan.space.input.channels)) * headCells(head);
      const from = [...taps.map((t) => superOuts[t]), last(superOuts)];
      const to = [...taps.map((t) => derivedOuts[t]), last(derivedOuts)];
      out[p.name] = sliceSegments(w, from, to, shape[1]);
    } else {
      out[p.name] = sliceLeading(w, shape, p.name);
    }
  }
  return out;
}

/** createModel + sliced supernet weights: the derived network of `choices`, ready to run or export. */
export async function deriveModel(
  net: MaskedSupernet,
  choices: MaskedChoices,
  name: string,
): Promise<{ model: NasModel; derived: DerivedArch }> {
  const derived = deriveArch(net.plan, choices, name);
  const model = createModel(derived.arch, { seed: 0 });
  try {
    const weights = sliceWeights(net.plan, await getWeights(net.weightParams()), derived, model.params());
    setWeights(model.params(), weights);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, derived };
}
