/** After the search: inherit supernet weights, finetune or retrain, evaluate, time and size a derived network. */
export { inheritWeights, supernetParamName } from './inherit.ts';
export { Finetuner, type FinetuneOptions, type FinetuneStep, type FinetuneOutcome } from './finetuner.ts';
export { evaluateModel, worstFirst, type EvaluateOptions, type LandmarkEvaluation } from './evaluate.ts';
export { measureLatency, type LatencyOptions, type LatencyResult } from './latency.ts';
export { modelSizeBytes, sizeBytesOf, BYTES_PER_PARAM } from './model-size.ts';
export { SubsampledSource, subsampledSource } from './subsampled-source.ts';
export { recalibrateBatchNorm } from './recalibrate.ts';
