/**
 * The one interface of sample-based search strategies (SANAS, aging evolution, random search): ask for
 * the next token list to evaluate, tell it the reward. The driver (sample-search.ts) evaluates, keeps the
 * records and never asks which strategy runs; strategies report their own telemetry (e.g. SANAS's
 * temperature) as plain numbers in the note `observe` returns.
 */
import type { RngState } from '../rng.ts';
import type { TokenSpace } from './token-space.ts';

export type SampleStrategyId = 'sanas' | 'evolution' | 'random';

/** What a strategy needs from the run: the space, a feasibility test (the constraint) and a retry bound. */
export interface StrategyContext {
  space: Pick<TokenSpace, 'id' | 'ranges' | 'init'>;
  /** False for candidates over the constraint: rejected before evaluation. */
  feasible: (tokens: readonly number[]) => boolean;
  /** Draws tried for one proposal before the search reports the space exhausted. */
  maxRetries: number;
}

/** Per-observation telemetry a strategy reports (for SANAS: temperature and acceptance). */
export interface StrategyNote {
  temperature?: number;
  accepted?: boolean;
  /** Accepted moves / observations so far. */
  acceptanceRate?: number;
}

/** A strategy's whole state as plain JSON: checkpointed with the run, restored by the registry. */
export interface StrategyState {
  id: SampleStrategyId;
  rng: RngState;
  /** Keys of every token list proposed so far (never proposed twice). */
  seen: string[];
  /** The strategy's own fields. */
  data: Record<string, unknown>;
}

export interface SampleStrategy {
  readonly id: SampleStrategyId;
  /** The next candidate: feasible and not proposed before, or a SearchExhaustedError. */
  propose(): number[];
  /** The reward of a candidate `propose` returned. */
  observe(tokens: readonly number[], reward: number): StrategyNote;
  state(): StrategyState;
}

/** No new feasible candidate within the retry bound: the space (or its feasible part) is used up. */
export class SearchExhaustedError extends Error {
  constructor(tries: number, seen: number, size: number) {
    super(
      `No new candidate within the constraint after ${tries} tries (${seen} of ${size} token lists ` +
        'already evaluated): the search space, or the part of it under the budget, looks exhausted. ' +
        'Widen the space, relax the constraint or lower the evaluation budget.',
    );
    this.name = 'SearchExhaustedError';
  }
}
