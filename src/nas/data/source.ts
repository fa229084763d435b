/**
 * What the trainer needs from a dataset: fixed splits addressed by index, batches built on demand.
 * FBNet trains weights and architecture parameters on separate splits ('weights' and 'arch', 80/20 of the
 * training set in the paper); 'val' is held out for reporting. Index choice (and so batch order) belongs
 * to the trainer's seeded Rng; augmentation draws come from the Rng passed in.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.ts';
import type { Task } from '../arch/spec.ts';

export type Split = 'weights' | 'arch' | 'val';

export interface Batch {
  /** NHWC float32 images, values roughly in [0, 1]. */
  x: tf.Tensor4D;
  /** classification: one-hot [N, classes]; landmarks: [N, 2 * points] as x0, y0, x1, y1 ... in [0, 1]. */
  y: tf.Tensor2D;
}

export interface BatchSource {
  readonly task: Task;
  readonly inputSize: number;
  readonly channels: number;
  /** classes, or 2 * points */
  readonly outputs: number;
  count(split: Split): number;
  /** The caller owns (and disposes) the returned tensors. Augments only when `augment` is given. */
  batchAt(split: Split, indices: number[], augment?: Rng): Batch;
  dispose(): void;
}
