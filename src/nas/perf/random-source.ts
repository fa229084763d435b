/**
 * A BatchSource of seeded random examples (normal images, uniform landmark targets or random one-hot
 * classes) of any shape: what timing a real training step needs when the step's speed, not its data, is
 * the point. Each split holds `perSplit` examples, generated up front.
 */
import * as tf from '@tensorflow/tfjs';
import type { Task } from '../arch/spec.ts';
import type { Batch, BatchSource, Split } from '../data/source.ts';
import { Rng } from '../rng.ts';

export class RandomSource implements BatchSource {
  private readonly images: Record<Split, Float32Array>;
  private readonly targets: Record<Split, Float32Array>;

  constructor(
    readonly task: Task,
    readonly inputSize: number,
    readonly channels: number,
    readonly outputs: number,
    private readonly perSplit: number,
    seed: number,
  ) {
    const rng = new Rng(seed);
    const pixels = inputSize * inputSize * channels;
    const make = () => ({
      x: Float32Array.from({ length: perSplit * pixels }, () => rng.normal()),
      y: this.randomTargets(rng),
    });
    const splits = { weights: make(), arch: make(), val: make() };
    this.images = { weights: splits.weights.x, arch: splits.arch.x, val: splits.val.x };
    this.targets = { weights: splits.weights.y, arch: splits.arch.y, val: splits.val.y };
  }

  private randomTargets(rng: Rng): Float32Array {
    const y = new Float32Array(this.perSplit * this.outputs);
    for (let n = 0; n < this.perSplit; n++) {
      if (this.task === 'classification') y[n * this.outputs + rng.int(this.outputs)] = 1;
      else for (let k = 0; k < this.outputs; k++) y[n * this.outputs + k] = rng.uniform(0, 1);
    }
    return y;
  }

  count(): number {
    return this.perSplit;
  }

  /** No augmentation: the examples are noise already. */
  batchAt(split: Split, indices: number[]): Batch {
    const s = this.inputSize;
    const pixels = s * s * this.channels;
    const xs = new Float32Array(indices.length * pixels);
    const ys = new Float32Array(indices.length * this.outputs);
    indices.forEach((i, n) => {
      xs.set(this.images[split].subarray(i * pixels, (i + 1) * pixels), n * pixels);
      ys.set(this.targets[split].subarray(i * this.outputs, (i + 1) * this.outputs), n * this.outputs);
    });
    return {
      x: tf.tensor4d(xs, [indices.length, s, s, this.channels]),
      y: tf.tensor2d(ys, [indices.length, this.outputs]),
    };
  }

  dispose(): void {}
}
