/**
 * Aging (regularized) evolution, Real et al., "Regularized Evolution for Image Classifier Architecture
 * Search", AAAI 2019 (AmoebaNet), algorithm 1: start from P random candidates; then repeatedly sample S
 * members of the population uniformly, mutate the best of the sample (one token here) and add the child,
 * removing the OLDEST member, not the worst, so every architecture eventually dies and good ones survive
 * only by being re-discovered through their children.
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
import { allTokenLists, mutateOneToken, oneTokenNeighbours, randomTokens } from './token-space.ts';

export interface EvolutionOptions {
  seed: number;
  /** Population size P. */
  population?: number;
  /** Tournament sample size S. */
  sample?: number;
}

export const EVOLUTION_DEFAULTS = { population: 16, sample: 4 };

export interface Member {
  tokens: number[];
  reward: number;
}

interface EvolutionData {
  population: number;
  sample: number;
  /** Random candidates proposed to fill the first population. */
  randomProposed: number;
  /** Oldest first. */
  members: Member[];
}

export class AgingEvolution implements SampleStrategy {
  readonly id = 'evolution';
  private readonly proposals: Proposals;
  private d: EvolutionData;

  constructor(ctx: StrategyContext, options: EvolutionOptions, restored?: StrategyState) {
    const population = options.population ?? EVOLUTION_DEFAULTS.population;
    const sample = options.sample ?? EVOLUTION_DEFAULTS.sample;
    if (!(Number.isInteger(population) && population >= 2)) {
      throw new Error(`The population must be an integer of at least 2, got ${population}`);
    }
    if (!(Number.isInteger(sample) && sample >= 1 && sample <= population)) {
      throw new Error(`The sample size must be an integer in [1, ${population}], got ${sample}`);
    }
    this.proposals = new Proposals(ctx, restored?.rng ?? options.seed, restored?.seen);
    this.d = restored
      ? (structuredClone(restored.data) as unknown as EvolutionData)
      : { population, sample, randomProposed: 0, members: [] };
  }

  /** The population, oldest first. */
  get members(): Member[] {
    return this.d.members.map((m) => ({ tokens: [...m.tokens], reward: m.reward }));
  }

  propose(): number[] {
    const { ranges } = this.proposals.ctx.space;
    const d = this.d;
    if (d.randomProposed < d.population || d.members.length === 0) {
      d.randomProposed += 1;
      return this.proposals.next(
        (rng) => randomTokens(ranges, rng),
        () => allTokenLists(ranges),
      );
    }
    try {
      return this.mutateSampleBest(ranges);
    } catch (e) {
      // every feasible neighbour of the population was evaluated: a random new candidate instead
      if (!(e instanceof SearchExhaustedError)) throw e;
      return this.proposals.next(
        (rng) => randomTokens(ranges, rng),
        () => allTokenLists(ranges),
      );
    }
  }

  /** A one-token mutation of the best of S members drawn uniformly without replacement. */
  private mutateSampleBest(ranges: number[]): number[] {
    const d = this.d;
    return this.proposals.next(
      (rng) => {
        // S distinct members uniformly (partial Fisher-Yates), the best of them is the parent
        const idx = d.members.map((_, i) => i);
        const s = Math.min(d.sample, idx.length);
        let parent = -1;
        for (let k = 0; k < s; k++) {
          const j = k + rng.int(idx.length - k);
          [idx[k], idx[j]] = [idx[j], idx[k]];
          if (parent < 0 || d.members[idx[k]].reward > d.members[parent].reward) parent = idx[k];
        }
        return mutateOneToken(d.members[parent].tokens, ranges, rng);
      },
      () => d.members.flatMap((m) => oneTokenNeighbours(m.tokens, ranges)),
    );
  }

  observe(tokens: readonly number[], reward: number): StrategyNote {
    this.d.members.push({ tokens: [...tokens], reward });
    if (this.d.members.length > this.d.population) this.d.members.shift();
    return {};
  }

  state(): StrategyState {
    return {
      id: 'evolution',
      rng: this.proposals.rng.state() as RngState,
      seen: this.proposals.seenKeys(),
      data: structuredClone(this.d) as unknown as Record<string, unknown>,
    };
  }
}
