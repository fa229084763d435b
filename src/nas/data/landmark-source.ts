/**
 * BatchSource over an in-memory landmark dataset (SynthFace-106 or an imported list.txt dataset).
 * Split: a seeded permutation; the first round(valFraction * count) samples are 'val', the rest is split
 * 80/20 into 'weights' and 'arch' (FBNet trains the two parameter sets on separate data). Batches are
 * float32 NHWC in [0, 1], resized bilinearly when the stored size differs from inputSize, augmented only
 * when an Rng is passed. Landmarks are normalised, so resizing leaves them unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng.ts';
import type { Batch, BatchSource, Split } from './source.ts';
import { NUM_COORDS } from './landmarks106.ts';
import { augmentSample, type AugmentOptions } from './augment.ts';
import { resizeRgb } from './png.ts';

export interface LandmarkData {
  images: Uint8Array;
  landmarks: Float32Array;
  count: number;
  size: number;
}

export interface LandmarkSourceOptions {
  /** fraction held out as 'val' (default 0.1) */
  valFraction?: number;
  /** seed of the split permutation */
  splitSeed?: number;
  /** network input side (default: the stored size) */
  inputSize?: number;
  /** fraction of the non-val part used for 'weights' (default 0.8, FBNet's 80/20) */
  weightsFraction?: number;
  augment?: AugmentOptions;
}

export class LandmarkSource implements BatchSource {
  readonly task = 'landmarks' as const;
  readonly channels = 3;
  readonly outputs = NUM_COORDS;
  readonly inputSize: number;
  private readonly splits: Record<Split, Int32Array>;
  private readonly augment: AugmentOptions;

  constructor(
    private readonly data: LandmarkData,
    options: LandmarkSourceOptions = {},
  ) {
    const { count, size } = data;
    if (data.images.length !== count * size * size * 3) {
      throw new Error(
        `LandmarkSource: images hold ${data.images.length} bytes, expected ${count * size * size * 3}`,
      );
    }
    if (data.landmarks.length !== count * NUM_COORDS) {
      throw new Error(
        `LandmarkSource: landmarks hold ${data.landmarks.length} values, expected ${count * NUM_COORDS}`,
      );
    }
    this.inputSize = options.inputSize ?? size;
    this.augment = options.augment ?? {};
    const perm = new Rng(options.splitSeed ?? 0).shuffle(Array.from({ length: count }, (_, i) => i));
    const nVal = Math.min(count, Math.round((options.valFraction ?? 0.1) * count));
    const rest = count - nVal;
    const nWeights = Math.round((options.weightsFraction ?? 0.8) * rest);
    this.splits = {
      val: Int32Array.from(perm.slice(0, nVal)),
      weights: Int32Array.from(perm.slice(nVal, nVal + nWeights)),
      arch: Int32Array.from(perm.slice(nVal + nWeights)),
    };
  }

  count(split: Split): number {
    return this.splits[split].length;
  }

  /** Dataset index of the i-th sample of a split (for showing images next to predictions). */
  sampleIndex(split: Split, i: number): number {
    return this.splits[split][i];
  }

  /** The stored (unaugmented, unresized) image and landmarks of a split position. */
  sample(split: Split, i: number): { image: Uint8Array; landmarks: Float32Array } {
    const idx = this.sampleIndex(split, i);
    const { size } = this.data;
    const stride = size * size * 3;
    return {
      image: this.data.images.subarray(idx * stride, (idx + 1) * stride),
      landmarks: this.data.landmarks.subarray(idx * NUM_COORDS, (idx + 1) * NUM_COORDS),
    };
  }

  batchAt(split: Split, indices: number[], augment?: Rng): Batch {
    const n = indices.length;
    const s = this.inputSize;
    const size = this.data.size;
    const list = this.splits[split];
    const x = new Float32Array(n * s * s * 3);
    const y = new Float32Array(n * NUM_COORDS);
    for (let b = 0; b < n; b++) {
      const pos = indices[b];
      if (pos < 0 || pos >= list.length)
        throw new Error(`LandmarkSource: index ${pos} outside split '${split}' (${list.length})`);
      let { image, landmarks } = this.sample(split, pos);
      if (augment) ({ image, landmarks } = augmentSample(image, landmarks, size, augment, this.augment));
      if (size !== s) image = resizeRgb(image, size, size, s, s);
      const o = b * s * s * 3;
      for (let k = 0; k < s * s * 3; k++) x[o + k] = image[k] / 255;
      y.set(landmarks, b * NUM_COORDS);
    }
    return { x: tf.tensor4d(x, [n, s, s, 3]), y: tf.tensor2d(y, [n, NUM_COORDS]) };
  }

  dispose(): void {
    // nothing on the GPU: batches are created on demand and owned by the caller
  }
}
