/**
 * A BatchSource that hands out another source's batches subsampled by an integer factor (every f-th pixel
 * from the top-left one, v2/resolution.ts subsample). An FBNetV2 network derived at a lower resolution
 * expects exactly that input: the supernet ran it on the subsampled batch. Augmentation happens at full
 * size first, as during the search. Labels are unchanged: landmark coordinates are fractions of the side.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch, BatchSource, Split } from '../data/source.ts';
import type { Rng } from '../rng.ts';
import { subsample, subsampledSize } from '../v2/resolution.ts';

export class SubsampledSource implements BatchSource {
  readonly task: BatchSource['task'];
  readonly inputSize: number;
  readonly channels: number;
  readonly outputs: number;

  constructor(
    readonly inner: BatchSource,
    readonly factor: number,
  ) {
    if (!Number.isInteger(factor) || factor < 1) throw new Error(`Bad subsampling factor ${factor}`);
    this.task = inner.task;
    this.inputSize = subsampledSize(inner.inputSize, factor);
    this.channels = inner.channels;
    this.outputs = inner.outputs;
  }

  count(split: Split): number {
    return this.inner.count(split);
  }

  batchAt(split: Split, indices: number[], augment?: Rng): Batch {
    const b = this.inner.batchAt(split, indices, augment);
    if (this.factor === 1) return b;
    const x = tf.tidy(() => tf.clone(subsample(b.x, this.factor)));
    b.x.dispose();
    return { x, y: b.y };
  }

  /** A view: the inner source belongs to whoever created it. */
  dispose(): void {}
}

/** `source` itself at factor 1, else a SubsampledSource over it. */
export function subsampledSource(source: BatchSource, factor: number): BatchSource {
  return factor === 1 ? source : new SubsampledSource(source, factor);
}
