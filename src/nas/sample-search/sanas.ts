/**
 * SANAS, simulated-annealing NAS as PaddleSlim implements it (SAController): the state is one token list;
 * a proposal changes one token uniformly at random (never a token list proposed before, never one over
 * the constraint); the reward r_new of the proposal replaces the current r_cur with the Metropolis
 * probability min(1, exp((r_new − r_cur) / T)), T = T0 · r^iteration, iteration = rewards seen so far.
 * PaddleSlim's defaults: T0 = 10 from a random start, 1 from given initial tokens (they are already a
 * good network: little uphill exploration), r = 0.85. The best candidate so far is kept apart from the
 * current state, which may move downhill. When every feasible one-token neighbour of the current state
 * has been evaluated, the next proposal is a random new candidate (a restart) rather than the end of the run.
 */
import type { RngState } from '../rng.ts';
import { Proposals } from './proposals.ts';
import {
  SearchExhaustedError,
  type SampleStrategy,
  type StrategyContext,
  type StrategyNote,
  type StrategyState,
} from './strategy.ts';
import {
  allTokenLists,
  checkTokens,
  mutateOneToken,
  oneTokenNeighbours,
  randomTokens,
} from './token-space.ts';

export const SANAS_T0_RANDOM = 10;
export const SANAS_T0_GIVEN = 1;
export const SANAS_REDUCE_RATE = 0.85;

/** T = T0 · r^iteration. */
export function sanasTemperature(t0: number, rate: number, iteration: number): number {
  return t0 * Math.pow(rate, iteration);
}

/** Metropolis: 1 for an improvement (or a tie), exp((r_new − r_cur) / T) otherwise. */
export function acceptanceProbability(rNew: number, rCur: number, temperature: number): number {
  if (rNew >= rCur) return 1;
  return Math.exp((rNew - rCur) / temperature);
}

export interface SanasOptions {
  seed: number;
  /** Start here instead of at random tokens (then T0 defaults to 1). */
  initTokens?: number[];
  initTemperature?: number;
  reduceRate?: number;
}

interface SanasData {
  t0: number;
  rate: number;
  initTokens: number[] | null;
  initProposed: boolean;
  current: number[] | null;
  /** null before the first observation (JSON has no −Infinity). */
  currentReward: number | null;
  best: number[] | null;
  bestReward: number | null;
  iteration: number;
  accepted: number;
}

export class Sanas implements SampleStrategy {
  readonly id = 'sanas';
  private readonly proposals: Proposals;
  private d: SanasData;

  constructor(ctx: StrategyContext, options: SanasOptions, restored?: StrategyState) {
    const init = options.initTokens ?? null;
    if (init) {
      checkTokens(ctx.space, init);
      if (!ctx.feasible(init)) {
        throw new Error(
          `The initial tokens [${init.join(', ')}] are over the constraint: pick others or relax it`,
        );
      }
    }
    this.proposals = new Proposals(ctx, restored?.rng ?? options.seed, restored?.seen);
    this.d = restored
      ? (structuredClone(restored.data) as unknown as SanasData)
      : {
          t0: options.initTemperature ?? (init ? SANAS_T0_GIVEN : SANAS_T0_RANDOM),
          rate: options.reduceRate ?? SANAS_REDUCE_RATE,
          initTokens: init ? [...init] : null,
          initProposed: false,
          current: null,
          currentReward: null,
          best: null,
          bestReward: null,
          iteration: 0,
          accepted: 0,
        };
  }

  /** The temperature the next observation is judged at. */
  get temperature(): number {
    return sanasTemperature(this.d.t0, this.d.rate, this.d.iteration);
  }

  get current(): { tokens: number[] | null; reward: number } {
    return { tokens: this.d.current && [...this.d.current], reward: this.d.currentReward ?? -Infinity };
  }

  get best(): { tokens: number[] | null; reward: number } {
    return { tokens: this.d.best && [...this.d.best], reward: this.d.bestReward ?? -Infinity };
  }

  propose(): number[] {
    const { ranges } = this.proposals.ctx.space;
    if (this.d.initTokens && !this.d.initProposed) {
      this.d.initProposed = true;
      if (!this.proposals.has(this.d.initTokens)) {
        this.proposals.mark(this.d.initTokens);
        return [...this.d.initTokens];
      }
    }
    const cur = this.d.current;
    const random = () =>
      this.proposals.next(
        (rng) => randomTokens(ranges, rng),
        () => allTokenLists(ranges),
      );
    if (!cur) return random();
    try {
      return this.proposals.next(
        (rng) => mutateOneToken(cur, ranges, rng),
        () => oneTokenNeighbours(cur, ranges),
      );
    } catch (e) {
      // every feasible neighbour of the current state was evaluated: restart from a random new candidate
      // (the annealing then goes on from wherever the Metropolis rule lets it)
      if (e instanceof SearchExhaustedError) return random();
      throw e;
    }
  }

  observe(tokens: readonly number[], reward: number): StrategyNote {
    const d = this.d;
    const temperature = this.temperature;
    let accepted = d.currentReward === null || reward > d.currentReward;
    if (!accepted) {
      accepted = this.proposals.rng.next() < acceptanceProbability(reward, d.currentReward!, temperature);
    }
    if (accepted) {
      d.current = [...tokens];
      d.currentReward = reward;
      d.accepted += 1;
    }
    if (d.bestReward === null || reward > d.bestReward) {
      d.best = [...tokens];
      d.bestReward = reward;
    }
    d.iteration += 1;
    return { temperature, accepted, acceptanceRate: d.accepted / d.iteration };
  }

  state(): StrategyState {
    return {
      id: 'sanas',
      rng: this.proposals.rng.state() as RngState,
      seen: this.proposals.seenKeys(),
      data: structuredClone(this.d) as unknown as Record<string, unknown>,
    };
  }
}
