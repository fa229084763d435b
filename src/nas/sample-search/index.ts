/** Sample-based search (SANAS, aging evolution, random search) over token spaces, scored one-shot. */
export * from './token-space.ts';
export * from './token-spaces.ts';
export * from './reward.ts';
export * from './strategy.ts';
export * from './sanas.ts';
export * from './aging-evolution.ts';
export * from './random-search.ts';
export * from './sample-strategies.ts';
export * from './sample-search.ts';
export * from './pareto.ts';
export * from './one-shot.ts';
export * from './weight-sharing.ts';
export * from './spos-net.ts';
export * from './side-by-side.ts';
