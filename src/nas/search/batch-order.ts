/**
 * Seeded batch order over one split: a shuffled permutation consumed `n` indices at a time and reshuffled
 * when exhausted (a batch may straddle two passes). The permutation and cursor are part of a checkpoint,
 * so a resumed run sees exactly the batches an uninterrupted one would.
 */
import type { Rng } from '../rng.ts';

export interface BatchOrderState {
  perm: number[];
  cursor: number;
}

export class BatchOrder {
  private perm: number[] = [];
  private cursor = 0;

  constructor(private readonly count: number) {}

  /** The next `n` indices; `rng` shuffles a new pass when the current one is used up. */
  next(n: number, rng: Rng): number[] {
    if (this.count < 1) throw new Error('Cannot draw batches from an empty split');
    const out: number[] = [];
    while (out.length < n) {
      if (this.cursor >= this.perm.length) {
        this.perm = rng.shuffle(Array.from({ length: this.count }, (_, i) => i));
        this.cursor = 0;
      }
      out.push(this.perm[this.cursor++]);
    }
    return out;
  }

  state(): BatchOrderState {
    return { perm: [...this.perm], cursor: this.cursor };
  }

  setState(s: BatchOrderState): void {
    if (s.perm.some((i) => i >= this.count)) throw new Error('Batch order state does not fit the split size');
    this.perm = [...s.perm];
    this.cursor = s.cursor;
  }
}
