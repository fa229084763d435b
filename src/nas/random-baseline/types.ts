/**
 * The random-baseline check ("Better than random?"): the searched network and random architectures of the
 * same space, trained from scratch with one fixed recipe, compared on the NME–MACs plane. Plain,
 * structured-cloneable records: the worker posts them, storage keeps them, the UI draws them.
 */
import type { Arch } from '../arch/spec.ts';

/** What the check trains: the searched (derived) network plus random architectures of the same space. */
export type BaselineKind = 'searched' | 'uniform' | 'cost-matched';

/**
 * A choice per searched dimension, as JSON. V1 (and SPOS): a candidate index per searchable layer. FBNetV2
 * adds, per searchable layer, an index into that layer's width options (v2/plan.ts PlanSearch.widths, the
 * same indices as MaskedChoices.widths), the input subsampling factor itself (1, 2, ... — not its index), and,
 * only where the space searches expansion ratios, an index into the layer's expansion options (0 where the
 * layer does not search them).
 */
export interface BaselineChoices {
  blocks: number[];
  widths?: number[];
  factor?: number;
  expansions?: number[];
}

export interface BaselineCandidate {
  /** Stable key: 'searched', 'u1'…, 'c1'…. */
  id: string;
  kind: BaselineKind;
  choices: BaselineChoices;
  /** Per-layer block names, e.g. "skip · k3_e1 · k5_e6 · skip · k3_e3" (FBNetV2: "k3_e1/6 …, input ÷2"). */
  label: string;
  /** Of the plain network at its own input size (FBNetV2: the derived widths, i.e. effective-shape MACs). */
  macs: number;
  params: number;
  /** The plain network; input.size is already the searched resolution. */
  arch: Arch;
  /** Input subsampling factor relative to the search's input (1 = full size). */
  factor: number;
}

/** One fixed from-scratch recipe for every network (Finetuner: SGD momentum 0.9, cosine lr, weight decay). */
export interface BaselineRecipe {
  steps: number;
  lr: number;
  batchSize: number;
  weightDecay: number;
  /** Each network is trained once per init seed (createModel's seed). */
  initSeeds: number[];
  /** Batch order and augmentation: the same for every network and init seed. */
  dataSeed: number;
}

/** What the user picks (defaults: DEFAULT_BASELINE_SETTINGS). */
export interface BaselineSettings {
  /** K1 uniform random architectures. */
  uniform: number;
  /** K2 cost-matched ones (MACs within ±band of the searched network). */
  costMatched: number;
  /** Relative half-width of the cost band, e.g. 0.25 for ±25 %. */
  band: number;
  steps: number;
  lr: number;
  /** How many init seeds each network is trained with. */
  initSeeds: number;
  /** The samplers' seed. */
  seed: number;
}

export interface BaselinePlan {
  version: 1;
  recipe: BaselineRecipe;
  settings: BaselineSettings;
  searched: BaselineCandidate;
  /** Searched first, then uniform, then cost-matched. */
  candidates: BaselineCandidate[];
  /** MACs, inclusive. */
  band: { low: number; high: number };
  /** < settings.costMatched when the space has too few architectures in the band (or none were found). */
  costMatchedFound: number;
  /**
   * Distinct architectures in the band besides the searched one when the space was small enough to list
   * (exact), else null (rejection sampling: only `costMatchedFound` is known).
   */
  bandSize: number | null;
  /** Distinct architectures in the space (Infinity beyond Number's range); informative. */
  spaceSize: number;
}

/** Results so far: candidate id → validation NME (%) per init seed, in recipe.initSeeds order (may be partial). */
export type BaselineResults = Record<string, number[]>;

export interface BaselineCheckState {
  plan: BaselinePlan;
  results: BaselineResults;
}

export type VerdictKind = 'beyond' | 'on-front' | 'dominated';

export interface BaselineVerdict {
  /** See verdict.ts for the exact rule; 'on-front' while `ready` is false. */
  kind: VerdictKind;
  /** One honest sentence, incl. when the search loses; mentions too few cost-matched architectures. */
  sentence: string;
  tooFewCostMatched: boolean;
  /** Median of the cost-matched networks' mean NMEs (%); null when none has a result. */
  costMatchedMedian: number | null;
  /** Pooled standard deviation of NME (%) over init seeds (0 when no network has two finite results). */
  spread: number;
  /** Ids of the random Pareto front (mean NME and MACs, lower is better on both), by increasing MACs. */
  front: string[];
  /** The searched network's mean NME (%) over its finite results; null before it has one. */
  searchedNme: number | null;
  /** Random networks with MACs ≤ the searched one's and a mean NME lower by more than `spread`. */
  beatenBy: string[];
  /** The searched network and at least one random network have a result: the kind means something. */
  ready: boolean;
  /** Every (candidate, init seed) unit has a result. */
  complete: boolean;
}

/** done/total in (candidate, init seed) units; step within the current unit. */
export interface BaselineProgress {
  done: number;
  total: number;
  candidate: string;
  seedIndex: number;
  step: number;
  steps: number;
}

export interface BaselineRunOptions {
  signal?: AbortSignal;
  onProgress?: (p: BaselineProgress) => void;
  /** After each finished unit: persist the state here (awaited before the next unit starts). */
  onResult?: (id: string, seedIndex: number, nme: number) => void | Promise<void>;
}
