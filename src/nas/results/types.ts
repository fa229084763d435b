/**
 * What the results stage (derive, finetune, evaluate, export) hands back: plain, structured-cloneable
 * records that the worker posts unchanged and the UI draws. They are engine types, so the worker protocol
 * and the UI import them from src/nas/index.ts rather than from the worker session that fills them.
 */
import type { Arch } from '../arch/spec.ts';
import type { FinetuneOutcome } from '../finetune/finetuner.ts';
import type { MaskedChoices } from '../v2/derive.ts';

/** argmax θ, a draw from softmax(θ), or block choices made by hand. */
export type DeriveMode = 'argmax' | 'sample' | 'manual';
export type FinetuneTarget = 'subnet' | 'baseline';

export interface ResultsLayer {
  /** Body index of the searchable layer. */
  index: number;
  out: number;
  stride: number;
  candidates: string[];
  /** softmax(θ) of the layer. */
  probs: number[];
  chosen: number;
}

/** The derived network as the UI shows it. */
export interface ResultsArchSummary {
  arch: Arch;
  mode: DeriveMode;
  choices: number[];
  layers: ResultsLayer[];
  macs: number;
  params: number;
  /** 4 bytes × params. */
  bytes: number;
  inputSize: number;
  /** Search step whose supernet weights were inherited. */
  searchStep: number;
  /** FBNetV2 runs only: the width, expansion and resolution choices (see ResultsV2Choice). */
  v2?: ResultsV2Choice;
}

/** What an FBNetV2 derivation chose besides the blocks. */
export interface ResultsV2Choice {
  /** Option indices of every search (v2/derive.ts MaskedChoices). */
  choices: MaskedChoices;
  /** Output channels of every searchable layer. */
  widths: number[];
  /** Input subsampling factor of the chosen resolution (1 = full size); the network's input side is inputSize. */
  factor: number;
  /** Side of the images the search was run on. */
  searchInputSize: number;
}

export interface FinetuneSummary {
  target: FinetuneTarget;
  outcome: FinetuneOutcome;
  /** Steps of this call, and all steps the model has been trained since it was derived or created. */
  steps: number;
  totalSteps: number;
  fromScratch: boolean;
  /** Mean loss of the last few steps (training mode, augmented batches). */
  finalLoss: number;
  losses: number[];
}

export interface ComparisonRow {
  id: 'subnet' | 'baseline' | 'supernet';
  label: string;
  /** How the numbers were obtained (weights, training, estimation). */
  note: string;
  params: number;
  macs: number;
  bytes: number;
  /** Median batch-1 latency on this device and backend; null when not measured. */
  latencyMs: number | null;
  /** Mean inter-ocular NME as a fraction; null when the model is not trained. */
  nme: number | null;
  failureRate: number | null;
}

/** One validation face for the landmark viewer. */
export interface ViewerSample {
  /** Position in the 'val' split. */
  position: number;
  nme: number;
  /** Side of the stored RGB image. */
  size: number;
  image: Uint8Array;
  gt: Float32Array;
  pred: Float32Array;
}

export interface ResultsEvaluation {
  rows: ComparisonRow[];
  nme: number;
  failureRate: number;
  auc: number;
  ced: { x: number[]; y: number[] };
  normaliser: 'inter-ocular' | 'image-side';
  valCount: number;
  /** NME (fraction) of always predicting the mean training shape: the bar any model must clear. */
  meanShapeNme: number | null;
  /** Worst validation faces first (at most WORST_LIMIT). */
  worst: ViewerSample[];
  backend: string;
}

export interface ResultsExport {
  bytes: Uint8Array;
  fileName: string;
  archJson: string;
  /** max |tfjs − onnxruntime-web| over the checked validation images' outputs. */
  maxAbsDiff: number;
  checkedImages: number;
  tolerance: number;
  params: number;
}
