/** After the search: derive, finetune, evaluate next to the baseline and the supernet's estimate, export. */
export type {
  ComparisonRow,
  DeriveMode,
  FinetuneSummary,
  FinetuneTarget,
  ResultsArchSummary,
  ResultsEvaluation,
  ResultsExport,
  ResultsLayer,
  ResultsV2Choice,
  ViewerSample,
} from './types.ts';
export { baselineArch } from './baseline.ts';
export { CED_LIMIT, CED_REFERENCE_MAX, cedRange, withCedRange } from './ced.ts';
export {
  baselineRow,
  expectedLatency,
  LATENCY_REPEATS,
  subnetRow,
  supernetRow,
  trainingNote,
} from './comparison.ts';
export { deriveSubnet, derivedSource, summarizeDerived, type DeriveRequest } from './derive.ts';
export {
  EXPERIMENT_URL_KEY,
  exportDerived,
  exportMetadata,
  onnxFileName,
  PARITY_IMAGES,
  PARITY_TOLERANCE,
  parityCheck,
} from './export.ts';
export { DEFAULT_FINETUNE, FINAL_LOSS_STEPS, finalLoss, finetuneSeed, trainModel } from './finetune.ts';
export {
  deriveFromSearch,
  expectedSearchCost,
  searchLatencyTable,
  searchLayers,
  searchProbs,
  searchTask,
  pickChoices,
  type DerivedFromSearch,
  type ExpectedSearchCost,
} from './from-search.ts';
export { checkManual, sampleSeed } from './sampling.ts';
export { viewerSample, WORST_LIMIT, worstSamples } from './viewer.ts';
