/**
 * The part of proposing every strategy shares: a seen set so a token list is proposed once, the
 * feasibility (constraint) check before evaluation, and a bounded number of retries.
 */
import { Rng, type RngState } from '../rng.ts';
import { SearchExhaustedError, type StrategyContext } from './strategy.ts';
import { spaceSize, tokenKey } from './token-space.ts';

export class Proposals {
  readonly rng: Rng;
  private readonly seen: Set<string>;

  constructor(
    readonly ctx: StrategyContext,
    seed: number | RngState,
    seen: string[] = [],
  ) {
    if (!(ctx.maxRetries >= 1)) throw new Error(`maxRetries must be at least 1, got ${ctx.maxRetries}`);
    this.rng = new Rng(seed);
    this.seen = new Set(seen);
  }

  has(tokens: readonly number[]): boolean {
    return this.seen.has(tokenKey(tokens));
  }

  get seenCount(): number {
    return this.seen.size;
  }

  /**
   * The first draw of `draw` that is new and feasible, marked seen. After maxRetries draws that were all
   * seen or infeasible, one uniform pick among `remaining()` (the candidates the draw could have produced,
   * listed exhaustively, e.g. every one-token neighbour) that are new and feasible, so a small neighbourhood
   * is not declared used up by bad luck; SearchExhaustedError when there is none either.
   */
  next(draw: (rng: Rng) => number[], remaining?: () => number[][]): number[] {
    for (let i = 0; i < this.ctx.maxRetries; i++) {
      const t = draw(this.rng);
      if (this.has(t) || !this.ctx.feasible(t)) continue;
      this.seen.add(tokenKey(t));
      return t;
    }
    const left = remaining?.().filter((t) => !this.has(t) && this.ctx.feasible(t)) ?? [];
    if (left.length > 0) {
      const t = left[this.rng.int(left.length)];
      this.seen.add(tokenKey(t));
      return t;
    }
    throw new SearchExhaustedError(this.ctx.maxRetries, this.seen.size, spaceSize(this.ctx.space.ranges));
  }

  /** Marks a token list proposed without drawing it (e.g. given initial tokens). */
  mark(tokens: readonly number[]): void {
    this.seen.add(tokenKey(tokens));
  }

  seenKeys(): string[] {
    return [...this.seen];
  }
}
