/**
 * The one place that maps a sample-strategy id to its implementation; the driver and the worker create
 * and restore strategies only through here.
 */
import { AgingEvolution } from './aging-evolution.ts';
import { RandomSearch } from './random-search.ts';
import { Sanas } from './sanas.ts';
import type { SampleStrategy, SampleStrategyId, StrategyContext, StrategyState } from './strategy.ts';

export interface SampleStrategyOptions {
  seed: number;
  /** SANAS: start from these tokens (T0 = 1) instead of at random (T0 = 10). */
  initTokens?: number[];
  initTemperature?: number;
  reduceRate?: number;
  /** Aging evolution: population P and sample S. */
  population?: number;
  sample?: number;
}

type Factory = (ctx: StrategyContext, o: SampleStrategyOptions, restored?: StrategyState) => SampleStrategy;

const FACTORIES: Record<SampleStrategyId, Factory> = {
  sanas: (ctx, o, r) => new Sanas(ctx, o, r),
  evolution: (ctx, o, r) => new AgingEvolution(ctx, o, r),
  random: (ctx, o, r) => new RandomSearch(ctx, o, r),
};

export const SAMPLE_STRATEGY_IDS = Object.keys(FACTORIES) as SampleStrategyId[];

export const SAMPLE_STRATEGY_TITLES: Record<SampleStrategyId, string> = {
  sanas: 'SANAS (simulated annealing)',
  evolution: 'Aging evolution',
  random: 'Random search',
};

export function createSampleStrategy(
  id: SampleStrategyId,
  ctx: StrategyContext,
  options: SampleStrategyOptions,
): SampleStrategy {
  const f = FACTORIES[id];
  if (!f) throw new Error(`Unknown sample-search strategy "${id}"`);
  return f(ctx, options);
}

/** A strategy continuing from its checkpointed state. */
export function restoreSampleStrategy(state: StrategyState, ctx: StrategyContext): SampleStrategy {
  const f = FACTORIES[state.id];
  if (!f) throw new Error(`Unknown sample-search strategy "${state.id}" in the checkpoint`);
  return f(ctx, { seed: 0 }, state);
}
