/**
 * Test and demo helpers of the engine (tiny search spaces and synthetic data sources), the second public
 * entry next to index.ts: code outside src/nas imports them from here.
 */
export { blobLandmarkTask, brighterHalfTask, lineDistanceTask, ToySource } from './search/toy-sources.ts';
export type { SplitCounts, ToyExample } from './search/toy-sources.ts';
export { LANDMARK_SPACE, RF_SPACE, THREE_LAYER_SPACE, toyConfig } from './search/toy-spaces.ts';

export { sampleTable } from './latency/testing.ts';
export * from './v3/testing.ts';
export { searchAtFactor, TINY_FACE_SPACE, TINY_FACTORS, tinyFaceConfig } from './results/testing.ts';
