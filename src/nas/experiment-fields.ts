/**
 * The numeric settings of an ExperimentConfig and the values each accepts. One table for everyone who
 * validates an experiment: the experiment form draws its inputs (min, max, step) from it and the share codec
 * checks links against it, so a value the form accepts is a value a link carries, and the other way round.
 *
 * The bounds are the ones the v1 link format shipped with: tightening one would make links that were valid
 * when they were made open with a warning. They are wide on purpose (a 100 000-face set at 256 px does not
 * fit in a browser tab's memory), the app reports what it cannot run when it tries.
 */
import type { ExperimentConfig, GumbelPaths, ThetaGradient } from './experiment.ts';

/** Largest seed: seeds are unsigned 32-bit integers. */
export const SEED_MAX = 0xffffffff;

export type NumberPath =
  | 'dataset.count'
  | 'dataset.size'
  | 'dataset.difficulty'
  | 'dataset.seed'
  | 'inputSize'
  | 'train.batchSize'
  | 'train.epochs'
  | 'train.stepsPerEpoch'
  | 'train.warmupEpochs'
  | 'train.lrWeights'
  | 'train.lrTheta'
  | 'train.weightDecay'
  | 'train.valFraction'
  | 'gumbel.tau0'
  | 'gumbel.decay'
  | 'gumbel.greedy'
  | 'loss.alpha'
  | 'loss.beta'
  | 'seeds.split'
  | 'seeds.init'
  | 'seeds.gumbel'
  | 'seeds.data';

export interface NumberField {
  /** Dotted path into ExperimentConfig; `dataset.*` exists only for the synthetic dataset. */
  path: NumberPath;
  /** Whole numbers, reals, or seeds (whole numbers 0..SEED_MAX, repaired to the default, never clamped). */
  kind: 'int' | 'real' | 'seed';
  min: number;
  max: number;
  /** Exclusive bounds: a learning rate of 0 trains nothing, so the value must be above it. */
  minOpen?: boolean;
  maxOpen?: boolean;
  /** An `<input step>`: 1 for whole numbers; reals take any value in range (links carry any). */
  step: 1 | 'any';
  /** Another field this one may not exceed (θ is frozen during warm-up, within the epochs). */
  atMost?: NumberPath;
  /** A field added after v1: the value its absence means (configs and links made before it existed). */
  absent?: number;
}

const int = (path: NumberPath, min: number, max: number, atMost?: NumberPath): NumberField => ({
  path,
  kind: 'int',
  min,
  max,
  step: 1,
  ...(atMost ? { atMost } : {}),
});
const real = (
  path: NumberPath,
  min: number,
  max: number,
  open: { minOpen?: boolean; maxOpen?: boolean } = {},
): NumberField => ({ path, kind: 'real', min, max, ...open, step: 'any' });
const seed = (path: NumberPath): NumberField => ({ path, kind: 'seed', min: 0, max: SEED_MAX, step: 1 });

export const EXPERIMENT_NUMBERS: readonly NumberField[] = [
  int('dataset.count', 1, 100_000),
  int('dataset.size', 16, 256),
  real('dataset.difficulty', 0, 1),
  seed('dataset.seed'),
  int('inputSize', 16, 256),
  int('train.batchSize', 1, 512),
  int('train.epochs', 1, 1000),
  int('train.stepsPerEpoch', 1, 10_000),
  int('train.warmupEpochs', 0, 1000, 'train.epochs'),
  real('train.lrWeights', 0, 10, { minOpen: true }),
  real('train.lrTheta', 0, 10, { minOpen: true }),
  real('train.weightDecay', 0, 1),
  // some data must be left for the weights and θ splits, and some held out
  real('train.valFraction', 0, 0.9, { minOpen: true, maxOpen: true }),
  real('gumbel.tau0', 0, 100, { minOpen: true }),
  real('gumbel.decay', 0, 1, { minOpen: true }),
  { ...real('gumbel.greedy', 0, 1), absent: 0 },
  real('loss.alpha', 0, 10, { minOpen: true }),
  // β = 0 ignores the cost
  real('loss.beta', 0, 2),
  seed('seeds.split'),
  seed('seeds.init'),
  seed('seeds.gumbel'),
  seed('seeds.data'),
];

export function numberField(path: NumberPath): NumberField {
  const f = EXPERIMENT_NUMBERS.find((x) => x.path === path);
  if (!f) throw new Error(`no experiment field ${path}`);
  return f;
}

/**
 * The value at `path`: what a field added after v1 means where the config predates it (`absent`), or
 * undefined where the config has no such field (`dataset.*` of a user dataset).
 */
export function readNumber(config: object, path: NumberPath): number | undefined {
  const parts = path.split('.');
  const parent = parentOf(config, parts);
  if (!parent) return undefined;
  const v = parent[parts[parts.length - 1]];
  return typeof v === 'number' ? v : v === undefined ? numberField(path).absent : undefined;
}

/** Writes `value` at `path` in place; a no-op where the config has no such field (nor can have one). */
export function writeNumber(config: ExperimentConfig, path: NumberPath, value: number): void {
  const parts = path.split('.');
  const parent = parentOf(config, parts);
  if (parent && readNumber(config, path) !== undefined) parent[parts[parts.length - 1]] = value;
}

function parentOf(config: object, parts: string[]): Record<string, unknown> | undefined {
  let cur: unknown = config;
  for (const part of parts.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>) : undefined;
}

/**
 * FBNetV2's option lists (`config.v2`): what each option may be. A list holds 1..V2_MAX_OPTIONS options in
 * ascending order, without repeats.
 */
export const V2_MAX_OPTIONS = 8;
export const V2_OPTIONS = {
  /** fractions of a layer's channels */
  widthFractions: (v: number) => v > 0 && v <= 1,
  /** input subsampling factors (1 = full size) */
  resolutionFactors: (v: number) => Number.isInteger(v) && v >= 1 && v <= 8,
} as const;

export type V2OptionKind = keyof typeof V2_OPTIONS;

export function isOptionList(kind: V2OptionKind, raw: unknown): raw is number[] {
  const ok = V2_OPTIONS[kind];
  return (
    Array.isArray(raw) &&
    raw.length > 0 &&
    raw.length <= V2_MAX_OPTIONS &&
    raw.every((v) => typeof v === 'number' && Number.isFinite(v) && ok(v)) &&
    raw.every((v, i) => i === 0 || v > raw[i - 1])
  );
}

/** What gumbel.paths may be (search/single-path.ts); absent means 'all'. */
export const GUMBEL_PATHS: readonly GumbelPaths[] = ['all', 'single'];

/** What gumbel.thetaGradient may be (search/score-step.ts); absent means 'relaxed'. */
export const THETA_GRADIENTS: readonly ThetaGradient[] = ['relaxed', 'score'];
