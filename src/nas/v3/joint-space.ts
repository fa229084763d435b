/**
 * FBNetV3's joint search space as data (Dai et al., "FBNetV3: Joint Architecture-Recipe Search using
 * Predictor Pretraining", CVPR 2021, table 1): architecture knobs and training-recipe knobs side by side,
 * so one candidate is an (architecture, recipe) pair that trains standalone.
 *
 * Sized for a browser on the classroom skeleton (spaces/classroom.ts): the same 3×3/2 stem and landmark
 * head (1×1 to 64 features, pooled over a 4×4 grid, FC to 106 points), and three stages of inverted
 * residual blocks at strides 1, 2, 2, each with its own kernel, expansion, width and depth, plus the input
 * resolution. Recipe knobs: optimizer, learning rate (log scale), weight decay (log scale), dropout before
 * the head's FC, an exponential moving average of the weights, augmentation strength and training steps.
 * Left out: mixup (landmark regression has no labels to mix) and stochastic depth (the model builder has
 * no per-block drop path; adding one would touch every block kind for a knob that matters little at
 * depth ≤ 3).
 *
 * A candidate is one number per knob, in `space.knobs` order: the value itself (a choice's value, the
 * learning rate...), so it reads plainly in JSON. `candidateFromUnit` maps a point of [0, 1)^d (a Sobol point or a
 * random draw) to a candidate, `candidateToUnit` back; `archFeatures` / `recipeFeatures` are what the predictor
 * sees, every knob scaled to [0, 1].
 */
import type { Arch, BlockSpec, ConvSpec, HeadSpec } from '../arch/spec.ts';
import { countCost } from '../cost/count.ts';
import type { Rng } from '../rng.ts';

export type KnobDomain =
  | { kind: 'choice'; values: readonly number[] }
  | { kind: 'log'; lo: number; hi: number }
  | { kind: 'linear'; lo: number; hi: number };

export interface JointKnob {
  name: string;
  group: 'arch' | 'recipe';
  label: string;
  domain: KnobDomain;
}

/** One stage of blocks: the first block has the stride, the rest stride 1. */
export interface StageOptions {
  stride: number;
  kernels: readonly number[];
  expansions: readonly number[];
  widths: readonly number[];
  depths: readonly number[];
}

/** Optimizers a recipe may pick, by the index the `optimizer` knob holds. */
export const OPTIMIZERS = ['sgd', 'adam'] as const;
export type OptimizerId = (typeof OPTIMIZERS)[number];

export interface RecipeOptions {
  lr: readonly [number, number];
  weightDecay: readonly [number, number];
  dropout: readonly [number, number];
  /** EMA decays on offer; 0 = no moving average. */
  ema: readonly number[];
  /** Augmentation strength range: 0 = none, 1 = the data pipeline's default jitter (data/augment.ts). */
  augment: readonly [number, number];
  steps: readonly number[];
}

export interface JointSpace {
  id: string;
  channels: number;
  stem: ConvSpec;
  resolutions: readonly number[];
  stages: readonly StageOptions[];
  head: HeadSpec;
  recipe: RecipeOptions;
  knobs: JointKnob[];
}

/** A candidate: one value per knob of its space, in knob order. */
export type JointCandidate = number[];

/** What a candidate trains with. */
export interface TrainingRecipe {
  optimizer: OptimizerId;
  lr: number;
  weightDecay: number;
  /** Dropout rate on the head's FC input while training. */
  dropout: number;
  /** EMA decay of the weights evaluated at the end; 0 = the raw weights. */
  ema: number;
  /** Scales the default augmentation's magnitudes (flip probability, rotation, scale, shift, jitter). */
  augment: number;
  steps: number;
}

export const CLASSROOM_STAGES: readonly StageOptions[] = [
  { stride: 1, kernels: [3, 5], expansions: [1, 3, 6], widths: [8, 12, 16], depths: [1, 2] },
  { stride: 2, kernels: [3, 5], expansions: [1, 3, 6], widths: [16, 24, 32], depths: [1, 2, 3] },
  { stride: 2, kernels: [3, 5], expansions: [1, 3, 6], widths: [24, 32, 48], depths: [1, 2, 3] },
];

export const CLASSROOM_RECIPE: RecipeOptions = {
  lr: [1e-3, 5e-2],
  weightDecay: [1e-6, 1e-3],
  dropout: [0, 0.3],
  ema: [0, 0.9, 0.98],
  augment: [0, 1],
  steps: [100, 200, 300],
};

/** The recipe every other part of the app trains with (Results' finetune, results/finetune.ts). */
export function defaultRecipe(space: JointSpace): TrainingRecipe {
  return {
    optimizer: 'sgd',
    lr: 0.005,
    weightDecay: 1e-4,
    dropout: 0,
    ema: 0,
    augment: 1,
    steps: space.recipe.steps[space.recipe.steps.length - 1],
  };
}

const RECIPE_KNOBS = ['optimizer', 'lr', 'weightDecay', 'dropout', 'ema', 'augment', 'steps'] as const;

export interface JointSpaceOptions {
  id?: string;
  resolutions?: readonly number[];
  stages?: readonly StageOptions[];
  recipe?: Partial<RecipeOptions>;
}

/** The classroom joint space; every list can be narrowed (tests and tiny runs). */
export function classroomJointSpace(options: JointSpaceOptions = {}): JointSpace {
  const resolutions = options.resolutions ?? [32, 48, 64];
  const stages = options.stages ?? CLASSROOM_STAGES;
  const recipe = { ...CLASSROOM_RECIPE, ...options.recipe };
  const choice = (values: readonly number[]): KnobDomain => {
    if (values.length === 0) throw new Error('A choice knob needs at least one value');
    return { kind: 'choice', values: [...values] };
  };
  const knobs: JointKnob[] = [
    { name: 'resolution', group: 'arch', label: 'input resolution', domain: choice(resolutions) },
  ];
  stages.forEach((s, i) => {
    knobs.push(
      { name: `s${i}.kernel`, group: 'arch', label: `stage ${i + 1} kernel`, domain: choice(s.kernels) },
      {
        name: `s${i}.expansion`,
        group: 'arch',
        label: `stage ${i + 1} expansion`,
        domain: choice(s.expansions),
      },
      { name: `s${i}.width`, group: 'arch', label: `stage ${i + 1} width`, domain: choice(s.widths) },
      { name: `s${i}.depth`, group: 'arch', label: `stage ${i + 1} depth`, domain: choice(s.depths) },
    );
  });
  knobs.push(
    { name: 'optimizer', group: 'recipe', label: 'optimizer (SGD, Adam)', domain: choice([0, 1]) },
    {
      name: 'lr',
      group: 'recipe',
      label: 'learning rate',
      domain: { kind: 'log', lo: recipe.lr[0], hi: recipe.lr[1] },
    },
    {
      name: 'weightDecay',
      group: 'recipe',
      label: 'weight decay',
      domain: { kind: 'log', lo: recipe.weightDecay[0], hi: recipe.weightDecay[1] },
    },
    {
      name: 'dropout',
      group: 'recipe',
      label: 'dropout before the head',
      domain: { kind: 'linear', lo: recipe.dropout[0], hi: recipe.dropout[1] },
    },
    { name: 'ema', group: 'recipe', label: 'EMA decay of the weights (0: off)', domain: choice(recipe.ema) },
    {
      name: 'augment',
      group: 'recipe',
      label: 'augmentation strength',
      domain: { kind: 'linear', lo: recipe.augment[0], hi: recipe.augment[1] },
    },
    { name: 'steps', group: 'recipe', label: 'training steps', domain: choice(recipe.steps) },
  );
  return {
    id: options.id ?? 'classroom-joint',
    channels: 3,
    stem: { kind: 'conv', k: 3, out: 8, stride: 2, act: 'relu' },
    resolutions: [...resolutions],
    stages: stages.map((s) => ({ ...s })),
    head: { kind: 'landmarks', points: 106, features: 64, act: 'relu', grid: 4 },
    recipe,
    knobs,
  };
}

export function knobIndex(space: JointSpace, name: string): number {
  const i = space.knobs.findIndex((k) => k.name === name);
  if (i < 0) throw new Error(`Joint space "${space.id}" has no knob "${name}"`);
  return i;
}

/** Indices of the architecture knobs and of the recipe knobs. */
export function knobGroups(space: JointSpace): { arch: number[]; recipe: number[] } {
  const arch: number[] = [];
  const recipe: number[] = [];
  space.knobs.forEach((k, i) => (k.group === 'arch' ? arch : recipe).push(i));
  return { arch, recipe };
}

function clampUnit(u: number): number {
  return u < 0 ? 0 : u >= 1 ? 1 - 2 ** -32 : u;
}

/** A knob's value at unit coordinate u ∈ [0, 1): choices split [0, 1) evenly, log/linear interpolate. */
export function knobFromUnit(domain: KnobDomain, u: number): number {
  const v = clampUnit(u);
  if (domain.kind === 'choice') return domain.values[Math.floor(v * domain.values.length)];
  if (domain.kind === 'log') return domain.lo * (domain.hi / domain.lo) ** v;
  return domain.lo + v * (domain.hi - domain.lo);
}

/** Unit coordinate of a value: a choice at the middle of its cell, log/linear inverted. */
export function knobToUnit(domain: KnobDomain, value: number): number {
  if (domain.kind === 'choice') {
    const i = domain.values.indexOf(value);
    if (i < 0) throw new Error(`${value} is not one of ${domain.values.join(', ')}`);
    return (i + 0.5) / domain.values.length;
  }
  const f =
    domain.kind === 'log'
      ? Math.log(value / domain.lo) / Math.log(domain.hi / domain.lo)
      : (value - domain.lo) / (domain.hi - domain.lo || 1);
  return Math.min(1, Math.max(0, f));
}

/** A knob's value as the predictor sees it, in [0, 1]: a choice's index over the last index. */
export function knobFeature(domain: KnobDomain, value: number): number {
  if (domain.kind === 'choice') {
    const n = domain.values.length;
    return n > 1 ? domain.values.indexOf(value) / (n - 1) : 0;
  }
  return knobToUnit(domain, value);
}

export function candidateFromUnit(space: JointSpace, u: readonly number[]): JointCandidate {
  if (u.length !== space.knobs.length) {
    throw new Error(`Joint space "${space.id}" has ${space.knobs.length} knobs, got a ${u.length}-d point`);
  }
  return space.knobs.map((k, i) => knobFromUnit(k.domain, u[i]));
}

export function candidateToUnit(space: JointSpace, c: JointCandidate): number[] {
  return space.knobs.map((k, i) => knobToUnit(k.domain, c[i]));
}

/** Every knob drawn uniformly from its unit interval. */
export function randomCandidate(space: JointSpace, rng: Rng): JointCandidate {
  return candidateFromUnit(
    space,
    space.knobs.map(() => rng.next()),
  );
}

/** Throws a message naming the first knob whose value is outside its domain. */
export function checkCandidate(space: JointSpace, c: readonly number[]): void {
  if (c.length !== space.knobs.length) {
    throw new Error(`Joint space "${space.id}" has ${space.knobs.length} knobs, got ${c.length} values`);
  }
  space.knobs.forEach((k, i) => {
    const v = c[i];
    const d = k.domain;
    const ok =
      d.kind === 'choice'
        ? d.values.includes(v)
        : Number.isFinite(v) && v >= Math.min(d.lo, d.hi) - 1e-12 && v <= Math.max(d.lo, d.hi) + 1e-12;
    if (!ok) throw new Error(`Knob "${k.name}" of space "${space.id}" cannot take the value ${v}`);
  });
}

/** The key of a candidate in caches and seen sets. */
export function candidateKey(c: readonly number[]): string {
  return c.map((v) => String(v)).join(',');
}

/** The key of a candidate's architecture alone. */
export function archKey(space: JointSpace, c: readonly number[]): string {
  return knobGroups(space)
    .arch.map((i) => c[i])
    .join(',');
}

/** The plain network of a candidate: stem, stages of inverted residuals, the classroom landmark head. */
export function decodeArch(space: JointSpace, c: readonly number[], name = 'v3-candidate'): Arch {
  checkCandidate(space, c);
  const body: BlockSpec[] = [{ ...space.stem }];
  space.stages.forEach((s, i) => {
    const base = 1 + 4 * i;
    const [k, e, out, depth] = [c[base], c[base + 1], c[base + 2], c[base + 3]];
    for (let d = 0; d < depth; d++) {
      body.push({ kind: 'ir', k, e, out, stride: d === 0 ? s.stride : 1, groups: 1, act: 'relu' });
    }
  });
  return {
    name,
    input: { size: c[0], channels: space.channels },
    body,
    head: structuredClone(space.head),
  };
}

export function decodeRecipe(space: JointSpace, c: readonly number[]): TrainingRecipe {
  checkCandidate(space, c);
  const v = (name: (typeof RECIPE_KNOBS)[number]) => c[knobIndex(space, name)];
  return {
    optimizer: OPTIMIZERS[v('optimizer')],
    lr: v('lr'),
    weightDecay: v('weightDecay'),
    dropout: v('dropout'),
    ema: v('ema'),
    augment: v('augment'),
    steps: v('steps'),
  };
}

/** The candidate with its recipe knobs set to `recipe` (the architecture kept). */
export function withRecipe(space: JointSpace, c: readonly number[], recipe: TrainingRecipe): JointCandidate {
  const out = [...c];
  out[knobIndex(space, 'optimizer')] = OPTIMIZERS.indexOf(recipe.optimizer);
  out[knobIndex(space, 'lr')] = recipe.lr;
  out[knobIndex(space, 'weightDecay')] = recipe.weightDecay;
  out[knobIndex(space, 'dropout')] = recipe.dropout;
  out[knobIndex(space, 'ema')] = recipe.ema;
  out[knobIndex(space, 'augment')] = recipe.augment;
  out[knobIndex(space, 'steps')] = recipe.steps;
  checkCandidate(space, out);
  return out;
}

/** Architecture knobs scaled to [0, 1] (the predictor's encoder input). */
export function archFeatures(space: JointSpace, c: readonly number[]): number[] {
  return knobGroups(space).arch.map((i) => knobFeature(space.knobs[i].domain, c[i]));
}

/** Recipe knobs scaled to [0, 1] (fed to the accuracy head next to the architecture embedding). */
export function recipeFeatures(space: JointSpace, c: readonly number[]): number[] {
  return knobGroups(space).recipe.map((i) => knobFeature(space.knobs[i].domain, c[i]));
}

/** Multiply-adds and parameters of a candidate's network (cost/count.ts conventions), cached per space. */
const costCache = new WeakMap<JointSpace, Map<string, { macs: number; params: number }>>();
export function candidateCost(space: JointSpace, c: readonly number[]): { macs: number; params: number } {
  let cache = costCache.get(space);
  if (!cache) costCache.set(space, (cache = new Map()));
  const key = archKey(space, c);
  let cost = cache.get(key);
  if (!cost) {
    cost = countCost(decodeArch(space, c));
    cache.set(key, cost);
  }
  return cost;
}

/**
 * The resource constraint of a search: a MACs budget, and optionally a second cost of the network (e.g. a
 * latency predicted from the device's table) with its own budget.
 */
export interface JointConstraint {
  maxMacs: number;
  cost?: { of: (arch: Arch) => number; max: number };
}

export function meetsConstraint(
  space: JointSpace,
  c: readonly number[],
  constraint: JointConstraint,
): boolean {
  if (candidateCost(space, c).macs > constraint.maxMacs) return false;
  if (constraint.cost && constraint.cost.of(decodeArch(space, c)) > constraint.cost.max) return false;
  return true;
}
