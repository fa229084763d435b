/**
 * What a search step reports and what a checkpoint holds. Plain objects, numbers and Float32Arrays only,
 * so both survive structured cloning (postMessage to the UI, IndexedDB).
 */
import type { SearchSpace } from '../arch/spec.ts';
import type { ExperimentConfig } from '../experiment.ts';
import type { WeightMap } from '../model/weights.ts';
import type { RngState } from '../rng.ts';
import type { BatchOrderState } from './batch-order.ts';
import type { ThetaAdamState } from './theta-adam.ts';

export type Phase = 'weights' | 'arch';

export interface StepMetrics {
  /** Number of optimizer steps (weights and arch together) done before this one. */
  step: number;
  epoch: number;
  phase: Phase;
  /** Task loss (cross-entropy or landmark loss) of this batch. */
  taskLoss: number;
  /** α · log(cost)^β: the factor applied to the task loss. */
  costTerm: number;
  /** Σ m · COST + fixed under the sampled mask, in raw units (MACs, parameters or ms). */
  expectedCost: number;
  /** taskLoss · costTerm (the arch step's objective; weight steps descend taskLoss, see trainer.ts). */
  loss: number;
  tau: number;
  /** Learning rate of the optimizer that stepped. */
  lr: number;
  /** softmax(θ) per searchable layer, after this step. */
  probs: number[][];
  /** argmax of m per layer (the sampled candidate). */
  sampled: number[];
  /** m per layer for this step's sample. */
  gumbelWeights: number[][];
  /** Entropy (nats) of softmax(θ) per layer. */
  entropy: number[];
  /** Loss or gradients were NaN/Inf; the update was not applied. */
  nonFinite: boolean;
}

export interface TensorState {
  shape: number[];
  data: Float32Array;
}

/** Trainer settings that shape the run; stored so that a restore continues identically. */
export interface ResolvedSearchOptions {
  /** Raw cost per candidate per searchable layer (MACs, parameters or ms) and of the fixed part. */
  costTable: number[][];
  fixedCost: number;
  /** Raw cost per loss unit (see trainer.ts: defaultCostUnit). */
  costUnit: number;
  momentum: number;
  lrSchedule: 'cosine' | 'constant';
  thetaWeightDecay: number;
  augment: boolean;
  skipUnsampled: boolean;
  historyLimit: number;
}

export interface TrainerState {
  version: 1;
  config: ExperimentConfig;
  /** The space searched (as given, before candidate edits), so a checkpoint does not depend on the registry. */
  space: SearchSpace;
  options: ResolvedSearchOptions;
  /** Supernet weights by parameter name, BatchNorm running statistics included. */
  weights: WeightMap;
  theta: Float32Array[];
  weightOptimizer: { iterations: number; slots: TensorState[] };
  thetaOptimizer: ThetaAdamState;
  counters: { step: number; epoch: number; iter: number; next: Phase };
  rng: { gumbel: RngState; data: RngState };
  batchOrder: { weights: BatchOrderState; arch: BatchOrderState };
  history: StepMetrics[];
}
