/**
 * The interface every search strategy's network implements (FBNet V1's Supernet, FBNetV2's mask-based supernet,
 * and what FBNetV3 candidates and later strategies add). The trainer runs its schedule over it and never
 * asks which strategy it drives; the results code derives and evaluates through it.
 *
 * A step is split in three so that a strategy can choose which paths run:
 * 1. drawSample (outside the gradient tape): Gumbel noise from the run's Rng and the categorical draws.
 * 2. relax (inside the tape): the Gumbel-softmax weights of every searched choice.
 * 3. forwardStep: 'all' runs every path weighted by the relaxed sample (FBNet), 'sampled' only the drawn
 *    one (weight steps with hard samples: the same forward value and weight gradients, no θ gradient),
 *    'single' only the drawn one scaled by GDAS's straight-through weight (value 1; θ gets its gradient
 *    through it: single-path.ts). A strategy's other searched dimensions (FBNetV2's widths and
 *    resolution) keep their relaxed masks in 'single'.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Arch, SearchSpace, Task } from '../arch/spec.ts';
import type { ParamInfo } from '../blocks/module.ts';
import type { BatchSource } from '../data/source.ts';
import type { CostSource } from '../experiment.ts';
import type { NasModel } from '../model/model.ts';
import type { Rng } from '../rng.ts';
import type { ArchValues } from './arch-values.ts';
import type { CostTable } from './supernet.ts';
import type { ResolvedSearchOptions, StepMetrics } from './trainer-state.ts';

/** One searchable layer as the views and the schedule see it. */
export interface SearchLayerInfo {
  /** Index into the space's body. */
  bodyIndex: number;
  candidates: string[];
}

/** An architecture inside the search space: a block per searchable layer plus the strategy's own dimensions. */
export interface ArchChoices {
  blocks: number[];
}

/** The random part of one step, drawn before the forward pass. */
export interface StepSample {
  /** Categorical draw per searchable layer: argmax(θ + g) (the Gumbel-max trick). */
  blocks: number[];
}

/** The Gumbel-softmax weights of one step (tensors made inside the gradient tape). */
export interface Relaxation {
  /** m per searchable layer (FBNet eq. 8). */
  blocks: tf.Tensor1D[];
  /** The strategy's further weights, by name, for the step record (e.g. FBNetV2 widths). */
  extras: Record<string, tf.Tensor[]>;
}

/** Which paths a training forward runs; see the file comment. */
export type PathMode = 'all' | 'sampled' | 'single';

/** How a step's cost is measured: raw costs per loss unit, and V1's table already in loss units. */
export interface CostModel {
  source: CostSource;
  /** Raw cost (MACs, parameters or ms) per loss unit. */
  unit: number;
  /** Candidate cost table divided by `unit`. */
  scaled: CostTable;
}

/** A step's differentiable cost in loss units, and tensors the step record should carry. */
export interface StepCost {
  cost: tf.Scalar;
  extras: Record<string, tf.Tensor[]>;
}

/** A derived plain network: its Arch, the choices it came from and the input subsampling it expects. */
export interface DerivedNet {
  arch: Arch;
  choices: ArchChoices;
  /** Input subsampling factor (1 = the search's input size). */
  factor: number;
}

/** A predictor for validation: the current argmax architecture in inference mode. */
export interface Predictor {
  predict(x: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

/** Architecture variables as a checkpoint stores them (TrainerState.theta / archLogits). */
export interface ArchState {
  theta: Float32Array[];
  archLogits?: Float32Array[];
}

/** What a step's record gives the strategy to describe it (StepMetrics extras). */
export interface StepContext {
  sample: StepSample;
  /** The decoded extras of the step record (relaxation then cost). */
  extras: Record<string, number[][]>;
  step: number;
  /** Host values of the architecture variables after the step. */
  arch: ArchValues;
  source: BatchSource;
  options: ResolvedSearchOptions;
}

/** What a strategy provides for score-function architecture steps (score-step.ts). */
export interface ScoreSteps {
  /** The sample with every searched choice at its argmax (host values: no read-back). */
  argmaxSample(sample: StepSample, arch: ArchValues): StepSample;
  /** One-hot of the sample's draw for every row of every architecture variable (call inside a tidy). */
  drawnOneHots(sample: StepSample): tf.Tensor[];
}

export interface SearchNet {
  /** The space with candidate edits applied and the input size set. */
  readonly space: SearchSpace;
  readonly task: Task;
  readonly layers: readonly SearchLayerInfo[];

  /** Block and head parameters (BatchNorm running statistics included), architecture variables excluded. */
  weightParams(): ParamInfo[];
  /** Block logits θ per searchable layer. */
  thetas(): tf.Variable<tf.Rank.R1>[];
  /** Every architecture variable, in a fixed order: θ's Adam optimizes these. */
  archVariables(): tf.Variable[];
  /** softmax(θ) per searchable layer. */
  probs(): Promise<number[][]>;

  /**
   * A lower bound of (cheapest network of this net) / (cheapest V1 network of the cost table), so the
   * default cost unit keeps log(COST) >= 1 for every choice (1 for V1).
   */
  costShrink(source: CostSource): number;

  /** Draws from the architecture variables' host values (`arch`; see arch-values.ts). */
  drawSample(rng: Rng, arch: ArchValues): StepSample;
  /**
   * The sample of a greedy weight step (gumbel.greedy): `sample` with its searched choices set to the current
   * argmax, or null while θ is still uniform (no preferred path yet). Absent: the strategy has no greedy steps.
   */
  greedySample?(sample: StepSample, arch: ArchValues): StepSample | null;
  /**
   * Score-function architecture steps (gumbel.thetaGradient 'score', score-step.ts). Absent: the strategy's
   * architecture steps are relaxed only.
   */
  readonly scoreSteps?: ScoreSteps;
  relax(sample: StepSample, tau: number, hard: boolean): Relaxation;
  forwardStep(x: tf.Tensor4D, sample: StepSample, relaxed: Relaxation, paths: PathMode): tf.Tensor2D;
  /** The differentiable cost of the relaxed sample, in loss units. */
  stepCost(relaxed: Relaxation, cost: CostModel): StepCost;
  /** StepMetrics fields the strategy adds (after the step; may read the variables). */
  describeStep(ctx: StepContext): Promise<Partial<StepMetrics>>;

  /** argmax of every architecture variable. */
  argmaxChoices(): Promise<ArchChoices>;
  /** Every dimension drawn from its softmax, blocks first (one inverse-CDF draw per choice). */
  sampleChoices(rng: Rng): Promise<ArchChoices>;
  /** Hand-picked blocks with every other dimension at its argmax. */
  choicesWithBlocks(blocks: number[]): Promise<ArchChoices>;
  /** Inference or training forward of one architecture inside the supernet (shared weights). */
  forwardChoices(x: tf.Tensor4D, training: boolean, choices: ArchChoices): tf.Tensor2D;
  deriveArch(choices: ArchChoices, name: string): DerivedNet;
  /** The derived network as a plain model with weights inherited (copied or sliced) from the supernet. */
  deriveModel(choices: ArchChoices, name: string): Promise<{ model: NasModel; derived: DerivedNet }>;
  /** Cost under softmax of every architecture logit (raw MACs and parameters), for the supernet row. */
  softCost(): Promise<{ macs: number; params: number }>;
  /** How softCost is obtained, in words for the results' comparison table. */
  readonly softCostBasis: string;
  /**
   * What argmaxPredictor measures, in words for the live validation chart (whose weights, and whether the
   * BatchNorm statistics are recalibrated for the one path). Absent: ARGMAX_BASIS_DEFAULT (run-layout.ts).
   */
  readonly argmaxBasis?: string;
  /** The current argmax architecture for validation, ready to predict on `source`'s 'val' split. */
  argmaxPredictor(source: BatchSource, batchSize: number): Promise<Predictor>;

  saveArch(): Promise<ArchState>;
  /** Restores saveArch's result (a checkpoint's theta and, where present, archLogits). */
  loadArch(state: ArchState): Promise<void>;
  dispose(): void;
}
