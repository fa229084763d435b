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
  /** FBNetV2 runs only. */
  v2?: V2StepMetrics;
}

/**
 * FBNetV2 per-step state. Per-layer arrays are indexed by searchable layer; a layer that does not search
 * its width has widthOptions [out], probs and g [1].
 */
export interface V2StepMetrics {
  /** Output width options (channels, ascending) per layer. */
  widthOptions: number[][];
  /** softmax of the width logits after this step. */
  widthProbs: number[][];
  /** Gumbel-softmax weights g over the width options used in this step. */
  widthWeights: number[][];
  /** Width of the categorical draw argmax(logits + noise), in channels. */
  sampledWidths: number[];
  /** M = Σ_i g_i · l_i per layer: one value per channel of the largest width (1 kept, 0 dropped). */
  masks: number[][];
  /** Σ_i g_i · w_i per layer (effective channels C̄ of eq. 5). */
  expectedWidths: number[];
  /** Effective (differentiable) MACs and parameters of this step's sample. */
  effectiveMacs: number;
  effectiveParams: number;
  /** Resolution search: input subsampling factors, their softmax after the step, g, the drawn input side. */
  resolutionFactors?: number[];
  resolutionProbs?: number[];
  resolutionWeights?: number[];
  sampledResolution?: number;
  /** Every `featureEvery` steps: channel thumbnails of every searchable layer (see V2FeatureSummary). */
  features?: V2FeatureSummary[];
}

/**
 * One searchable layer's output b(x) (before masking) in the full-width argmax-θ network on the first
 * validation image, inference mode: per channel a side×side average-pooled thumbnail and the mean |b(x)|.
 */
export interface V2FeatureSummary {
  bodyIndex: number;
  side: number;
  thumbs: number[][];
  means: number[];
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
  /** FBNetV2 feature-thumbnail interval (absent in checkpoints made before it existed). */
  featureEvery?: number;
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
  /** FBNetV2: every architecture logit (archVariables order: per layer θ, width, expansion; resolution). */
  archLogits?: Float32Array[];
}
