/**
 * The NAS engine's public API: plain TypeScript + tfjs, no DOM. The worker, the UI and scripts import
 * from here (test helpers from testing.ts); internal module paths may change, these names do not.
 * `npm run check:deps` enforces it.
 *
 * package.json declares src/nas free of import-time side effects (`sideEffects` lists everything else), so
 * a bundle keeps only the engine modules it uses: the UI's values from here (spaces, candidates, cost
 * counting, data formats) do not pull tfjs into the main thread. A module that must act when imported
 * (e.g. registering kernels) has to be added to that list, or better, expose a function to call.
 */

// architecture description, candidates, registries
export type {
  Activation,
  Arch,
  Attention,
  BlockKind,
  BlockSpec,
  HeadSpec,
  InputSpec,
  SearchLayerSpec,
  SearchSpace,
  Task,
} from './arch/spec.ts';
export { isSearchLayer, taskOf } from './arch/spec.ts';
export {
  candidateInfo,
  candidateNames,
  candidateSpec,
  FBNET_V1_CANDIDATES,
  hasCandidate,
  PFLD_CANDIDATES,
} from './arch/candidates.ts';
export { ARCHS } from './arch/registry.ts';
export { SPACES, resolveSpace, archFromChoices, searchLayerIndices } from './spaces/index.ts';

// cost
export { blockCost, countCost, headCost, layerShapes } from './cost/count.ts';
export type { BlockCost, Cost, ParamConvention, Shape } from './cost/count.ts';
export { candidateCostTable, expectedCost, fixedCost } from './cost/table.ts';

// blocks and models
export { buildBlock, disposeParams } from './blocks/build.ts';
export type { Module, ParamInfo } from './blocks/module.ts';
export { createModel } from './model/model.ts';
export type { NasModel } from './model/model.ts';
export { buildHead } from './model/head.ts';
export type { Head } from './model/head.ts';
export { getWeights, setWeights } from './model/weights.ts';
export type { WeightEntry, WeightMap } from './model/weights.ts';

// search (FBNet V1 DNAS)
export { Supernet } from './search/supernet.ts';
export { SearchTrainer } from './search/trainer.ts';
export type { SearchOptions } from './search/trainer.ts';
export type { StepMetrics, TrainerState, V2FeatureSummary } from './search/trainer-state.ts';
export { argmax, drawGumbel, gumbelSoftmax } from './search/gumbel.ts';
export { softmaxArray, temperatureAt } from './search/gumbel-host.ts';
export { crossEntropy, fbnetLoss } from './search/loss.ts';
export { deriveArch } from './search/derive.ts';

// FBNetV2 (DMaskingNAS)
export { argmaxChoices, choicesMix, deriveArch as deriveMaskedArch } from './v2/derive.ts';
export { subsample } from './v2/resolution.ts';
export { distOf, fitChannels, fixedDist } from './v2/channel-mask.ts';
export { buildMaskedBlock, type MaskedBlock } from './v2/masked-blocks.ts';

// training smoke test of a backend
export { runSmokeStep } from './train/smoke-step.ts';

// data
export type { Batch, BatchSource, Split } from './data/source.ts';
export { faceSeed, generateDataset, generateFace, type SynthFace } from './data/synthface.ts';
export {
  FLIP_106,
  flipLandmarks,
  GROUPS_106,
  INTER_OCULAR,
  NUM_COORDS,
  NUM_POINTS,
  POINT,
} from './data/landmarks106.ts';
export { candidateImagePaths, parseList, RANGE_TOLERANCE, toNormalised } from './data/list-parser.ts';
export { NORMALISED_HIGH, NORMALISED_LOW, OUTLIER_SHARE } from './data/list-parser.ts';
export type { CoordMode, ListProblem, ListSample, ParsedList, UnitEvidence } from './data/list-parser.ts';
export { decodePng, encodePng, resizeRgb, type DecodedImage } from './data/png.ts';
export { cedCurve, failureRate, landmarkLoss, meanNme, nmePerImage } from './data/metrics.ts';
export { LandmarkSource } from './data/landmark-source.ts';
export type { LandmarkData } from './data/landmark-source.ts';

// latency tables
export { isAbortError, measureArch, profileRuns, profileSpace } from './latency/profiler.ts';
export {
  keyOfTable,
  predictLatency,
  tableFromJson,
  tableKey,
  tableMismatch,
  tableToJson,
  toCostMatrix,
  validateTable,
} from './latency/table.ts';
export type { LatencySource, LatencyTable } from './latency/table.ts';
export { mapPaddleSlimToSpace, parsePaddleSlimTable } from './latency/paddleslim.ts';
export { spearman } from './latency/rank.ts';

// export
export { exportOnnx, verifyOnnx } from './export/index.ts';

// after the search: inherit, finetune, evaluate, time (finetune/), and the results stage built on it
export {
  evaluateModel,
  Finetuner,
  inheritWeights,
  measureLatency,
  recalibrateBatchNorm,
  sizeBytesOf,
  subsampledSource,
  worstFirst,
} from './finetune/index.ts';
export type { FinetuneOutcome, FinetuneStep, LandmarkEvaluation } from './finetune/index.ts';
export * from './results/index.ts';

// experiment
export { DEFAULT_EXPERIMENT, DEFAULT_V2 } from './experiment.ts';
export type { BackendId, DatasetRef, ExperimentConfig, SynthDatasetRef, V2Settings } from './experiment.ts';
export { Rng } from './rng.ts';

// performance: fixed training steps and their timing (benches, backend chosen by measurement)
export { median, timeSteps } from './perf/time-steps.ts';
export type { StepTiming, TimeStepsOptions, TrainingStep } from './perf/time-steps.ts';
export {
  CLASSROOM_STEPS,
  SUBNET_CANDIDATE,
  singlePathStep,
  softSupernetStep,
  subnetStep,
} from './perf/classroom-steps.ts';
export type { ClassroomStepKind, ClassroomStepOptions } from './perf/classroom-steps.ts';
export { experimentStep } from './perf/experiment-step.ts';
export type { ExperimentStepKind, ExperimentStepOptions } from './perf/experiment-step.ts';
export { RandomSource } from './perf/random-source.ts';
export { rankBackends, sortBySpeed } from './perf/rank-backends.ts';
export type { BackendMeasurement, RankBackendsOptions } from './perf/rank-backends.ts';
export { combineEstimate, measureRunEstimate, stepCounts } from './perf/run-estimate.ts';
export type { RunEstimate } from './perf/run-estimate.ts';
export {
  MASKING_KS,
  MASKING_MAX,
  MASKING_STEM,
  maskedVariant,
  naiveVariant,
  plainVariant,
} from './perf/masking-steps.ts';
export type { MaskingVariant } from './perf/masking-steps.ts';
export { registerFastCpuKernels } from './kernels/index.ts';

// added by the nas-imports codemod (sort into the sections above)
export {
  EXPERIMENT_NUMBERS,
  GUMBEL_PATHS,
  THETA_GRADIENTS,
  isOptionList,
  numberField,
  readNumber,
  type NumberField,
  type NumberPath,
  type V2OptionKind,
  writeNumber,
} from './experiment-fields.ts';
export { type CostSource, type GumbelPaths, type StrategyId, type ThetaGradient } from './experiment.ts';
export { runLayout } from './search/run-layout.ts';
export { deriveBlocks } from './search/derive.ts';
export { type SearchNet } from './search/search-net.ts';
export { meanShapeNme, validateArgmax } from './search/validate.ts';

// export as a PyTorch project (model.py from the one lowering, safetensors, search.py / train.py under DDP)
export {
  derivedFromModel,
  pytorchInputFromTrainer,
  pytorchProjectFiles,
  pytorchProjectName,
  pytorchProjectZip,
  README_COMMANDS,
  type PytorchProjectInput,
} from './export/pytorch/index.ts';
// cost-weight sweep and the supernet estimate vs the standalone derived network
export * from './sweep/index.ts';
// sample-based search (SANAS, aging evolution, random search) scored one-shot on a supernet
export * from './sample-search/index.ts';
// "Better than random?": the searched network vs random architectures trained from scratch (issue 27)
export * from './random-baseline/index.ts';
// host-side (no tfjs) Gumbel-softmax and loss factor, for the Learn lessons' widgets
export {
  drawGumbelSamples,
  entropyOf,
  gumbelSoftmaxValues,
  oneHotOfMax,
  type GumbelDraws,
} from './search/gumbel-host.ts';
export { costFactor, fbnetLossValue } from './search/loss-host.ts';
export { composeMask, effectiveCount, interspersedSubsample } from './v2/mask-host.ts';
// FBNetV3: joint architecture + training-recipe search (Sobol pool, early stop by Kendall τ, pre-trained
// predictor, predictor-driven genetic search)
export * from './v3/index.ts';
/** The loss unit a search uses for a cost table (the Learn area shows it beside measured latencies). */
export { defaultCostUnit } from './search/cost-options.ts';
/** Whether an experiment's greedy weight steps (gumbel.greedy) act: the form disables the field where not. */
export { greedyStepsApply, scoreStepsApply } from './strategies.ts';
