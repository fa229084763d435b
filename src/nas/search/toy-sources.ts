/**
 * Tiny synthetic BatchSources with a planted answer, for testing the search on the CPU backend in seconds.
 * Examples are generated up front from a seed; batches are gathered by index.
 */
import * as tf from '@tensorflow/tfjs';
import type { Task } from '../arch/spec.ts';
import type { Batch, BatchSource, Split } from '../data/source.ts';
import { Rng } from '../rng.ts';

export interface ToyExample {
  /** size * size * channels, NHWC order. */
  image: Float32Array;
  /** one-hot classes or 2 * points coordinates in [0, 1]. */
  target: Float32Array;
}

export type SplitCounts = Record<Split, number>;

export class ToySource implements BatchSource {
  constructor(
    readonly task: Task,
    readonly inputSize: number,
    readonly channels: number,
    readonly outputs: number,
    private readonly splits: Record<Split, ToyExample[]>,
  ) {}

  count(split: Split): number {
    return this.splits[split].length;
  }

  /** Augmentation (classification only): a horizontal flip with probability 1/2, drawn from `augment`. */
  batchAt(split: Split, indices: number[], augment?: Rng): Batch {
    const s = this.inputSize;
    const c = this.channels;
    const xs = new Float32Array(indices.length * s * s * c);
    const ys = new Float32Array(indices.length * this.outputs);
    indices.forEach((idx, n) => {
      const ex = this.splits[split][idx];
      const flip = augment !== undefined && this.task === 'classification' && augment.next() < 0.5;
      const base = n * s * s * c;
      for (let r = 0; r < s; r++) {
        for (let col = 0; col < s; col++) {
          const from = (r * s + (flip ? s - 1 - col : col)) * c;
          for (let k = 0; k < c; k++) xs[base + (r * s + col) * c + k] = ex.image[from + k];
        }
      }
      ys.set(ex.target, n * this.outputs);
    });
    return {
      x: tf.tensor4d(xs, [indices.length, s, s, c]),
      y: tf.tensor2d(ys, [indices.length, this.outputs]),
    };
  }

  dispose(): void {}
}

function oneHot(k: number, n: number): Float32Array {
  const t = new Float32Array(n);
  t[k] = 1;
  return t;
}

function makeSplits(
  counts: SplitCounts,
  seed: number,
  make: (rng: Rng) => ToyExample,
): Record<Split, ToyExample[]> {
  const rng = new Rng(seed);
  const gen = (n: number) => Array.from({ length: n }, () => make(rng));
  return { weights: gen(counts.weights), arch: gen(counts.arch), val: gen(counts.val) };
}

/**
 * Two vertical lines (rows 1 .. size-2) away from the border. Class 1: they are 3 or 4 columns apart;
 * class 0: 6 to 8. A 3x3 window never sees both lines, so after a pointwise stem a k3 layer followed by
 * global pooling gives every image exactly the same features (each line contributes the same isolated
 * response); a 5x5 window sees both lines of class 1, and only of class 1. The answer a search must
 * find: k5 over k3.
 */
export function lineDistanceTask(size: number, counts: SplitCounts, seed: number): ToySource {
  if (size < 12) throw new Error('lineDistanceTask needs size >= 12');
  return new ToySource(
    'classification',
    size,
    1,
    2,
    makeSplits(counts, seed, (rng) => {
      const label = rng.int(2);
      const dist = label === 1 ? 3 + rng.int(2) : 6 + rng.int(3);
      const col = 1 + rng.int(size - 2 - dist);
      const image = new Float32Array(size * size);
      for (let row = 1; row < size - 1; row++) {
        image[row * size + col] = 1;
        image[row * size + col + dist] = 1;
      }
      return { image, target: oneHot(label, 2) };
    }),
  );
}

/** Easy classification for every candidate: is the left or the right half brighter (plus noise)? */
export function brighterHalfTask(size: number, counts: SplitCounts, seed: number): ToySource {
  return new ToySource(
    'classification',
    size,
    1,
    2,
    makeSplits(counts, seed, (rng) => {
      const label = rng.int(2);
      const image = new Float32Array(size * size);
      for (let r = 0; r < size; r++) {
        for (let c = 0; c < size; c++) {
          const bright = c < size / 2 === (label === 0);
          image[r * size + c] = (bright ? 0.7 : 0.3) + 0.1 * rng.normal();
        }
      }
      return { image, target: oneHot(label, 2) };
    }),
  );
}

/** One bright blob on a dark image; the target is its centre (a single landmark, 2 outputs). */
export function blobLandmarkTask(size: number, counts: SplitCounts, seed: number, channels = 1): ToySource {
  return new ToySource(
    'landmarks',
    size,
    channels,
    2,
    makeSplits(counts, seed, (rng) => {
      const cx = 1 + rng.int(size - 2);
      const cy = 1 + rng.int(size - 2);
      const image = new Float32Array(size * size * channels);
      for (let r = cy - 1; r <= cy + 1; r++) {
        for (let c = cx - 1; c <= cx + 1; c++) {
          for (let k = 0; k < channels; k++) image[(r * size + c) * channels + k] = 1;
        }
      }
      return { image, target: new Float32Array([(cx + 0.5) / size, (cy + 0.5) / size]) };
    }),
  );
}
