/**
 * Random search: every candidate uniform over the token space (new and within the constraint), the
 * baseline every NAS method should beat at the same evaluation budget (Li & Talwalkar, "Random Search and
 * Reproducibility for Neural Architecture Search", UAI 2019).
 */
import type { RngState } from '../rng.ts';
import { Proposals } from './proposals.ts';
import type { SampleStrategy, StrategyContext, StrategyNote, StrategyState } from './strategy.ts';
import { allTokenLists, randomTokens } from './token-space.ts';

export class RandomSearch implements SampleStrategy {
  readonly id = 'random';
  private readonly proposals: Proposals;

  constructor(ctx: StrategyContext, options: { seed: number }, restored?: StrategyState) {
    this.proposals = new Proposals(ctx, restored?.rng ?? options.seed, restored?.seen);
  }

  propose(): number[] {
    const { ranges } = this.proposals.ctx.space;
    return this.proposals.next(
      (rng) => randomTokens(ranges, rng),
      () => allTokenLists(ranges),
    );
  }

  observe(): StrategyNote {
    return {};
  }

  state(): StrategyState {
    return {
      id: 'random',
      rng: this.proposals.rng.state() as RngState,
      seen: this.proposals.seenKeys(),
      data: {},
    };
  }
}
