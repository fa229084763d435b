/** FBNetV3 at playground scale: joint architecture + recipe search with a pre-trained predictor. */
export * from './joint-space.ts';
export * from './sobol.ts';
export * from './early-stop.ts';
export * from './predictor.ts';
export * from './ensemble.ts';
export * from './proxy-data.ts';
export * from './genetic.ts';
export * from './joint-search.ts';
export * from './train-candidate.ts';
export * from './pretrain-ablation.ts';
export * from './rank-crossing.ts';
export * from './pareto.ts';
export * from './coverage.ts';
