/**
 * The batches of a search: seeded order per split (batch-order.ts), augmentation of weight batches, and
 * the next step's batch made ahead. On a GPU backend kernels run asynchronously, so building the next
 * batch while the current step computes overlaps the JS work with the GPU's instead of leaving the GPU
 * idle between steps. A prefetch draws exactly what the step itself would draw, in the same order, so a
 * run is the same with or without it; the states from before the draw are kept, so that a checkpoint taken
 * meanwhile, or a step of the other phase (a manual step), sees the state without it.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch, BatchSource } from '../data/source.ts';
import { Rng, type RngState } from '../rng.ts';
import { BatchOrder, type BatchOrderState } from './batch-order.ts';
import type { Phase } from './trainer-state.ts';

export interface BatchFeedState {
  rng: RngState;
  batchOrder: Record<Phase, BatchOrderState>;
}

export class BatchFeed {
  private rng: Rng;
  private readonly order: Record<Phase, BatchOrder>;
  private ahead: { phase: Phase; batch: Batch; before: BatchFeedState } | null = null;

  constructor(
    private readonly source: BatchSource,
    private readonly batchSize: number,
    private readonly augment: boolean,
    seed: number,
  ) {
    this.rng = new Rng(seed);
    this.order = {
      weights: new BatchOrder(source.count('weights')),
      arch: new BatchOrder(source.count('arch')),
    };
  }

  /** The batch of a step of `phase` (the prefetched one when it is for that phase). The caller disposes it. */
  take(phase: Phase): Batch {
    const ahead = this.ahead;
    this.ahead = null;
    if (ahead?.phase === phase) return ahead.batch;
    if (ahead) this.undo(ahead);
    return this.draw(phase);
  }

  /** Makes the batch of the next step of `phase` now (nothing for an empty split: take() says why). */
  prefetch(phase: Phase): void {
    if (this.ahead) this.undo(this.ahead);
    if (this.source.count(phase) < 1) return;
    const before = this.ownState();
    this.ahead = { phase, batch: this.draw(phase), before };
  }

  /** The state as if nothing were prefetched. */
  state(): BatchFeedState {
    return this.ahead ? structuredClone(this.ahead.before) : this.ownState();
  }

  setState(s: BatchFeedState): void {
    if (this.ahead) this.undo(this.ahead);
    this.rng = new Rng(s.rng);
    this.order.weights.setState(s.batchOrder.weights);
    this.order.arch.setState(s.batchOrder.arch);
  }

  dispose(): void {
    if (this.ahead) tf.dispose([this.ahead.batch.x, this.ahead.batch.y]);
    this.ahead = null;
  }

  private draw(phase: Phase): Batch {
    const indices = this.order[phase].next(this.batchSize, this.rng);
    const augment = phase === 'weights' && this.augment ? this.rng : undefined;
    return this.source.batchAt(phase, indices, augment);
  }

  private undo(ahead: { batch: Batch; before: BatchFeedState }): void {
    tf.dispose([ahead.batch.x, ahead.batch.y]);
    this.ahead = null;
    this.setState(ahead.before);
  }

  private ownState(): BatchFeedState {
    return {
      rng: this.rng.state(),
      batchOrder: { weights: this.order.weights.state(), arch: this.order.arch.state() },
    };
  }
}
