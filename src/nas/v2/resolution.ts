/**
 * FBNetV2 input-resolution search. All resolutions share one network. A lower resolution is the input
 * subsampled by an integer factor f (every f-th pixel from the top-left one: nearest-neighbour, side
 * ceil(size / f)). To sum maps of different resolutions the paper spreads the small map back over the
 * large grid with zeros interspersed (small pixel (i, j) at (i·f, j·f), zeros between): unlike padding
 * at the border, pixel (i, j) of every resolution then lands on the same image location.
 *
 * Receptive fields: a k×k conv run directly on an interspersed map would mix kept pixels with the zeros
 * between them (a 3×3 kernel would see 2×2 real pixels at f = 2). Run with dilation d·f, padding p·f
 * (p = the small conv's padding) and the same stride instead, its outputs at the kept positions (multiples
 * of f) equal the small conv's outputs exactly (conv2dInterspersed). That form needs every op to mask the
 * positions between kept ones, and BatchNorm statistics would count them; so, like the paper ("we
 * subsample to avoid modifying F"), the supernet runs the network on the subsampled input itself
 * (mixResolutions) and the interspersed form is what the outputs mean on the full grid (interspersedSum).
 */
import * as tf from '@tensorflow/tfjs';
import { sumTensors } from '../tensor-sum.ts';
import { dilateKernel, padSpatial } from '../blocks/ops.ts';
import { samePad } from '../blocks/shapes.ts';
import type { OptionDist } from './channel-mask.ts';

/** Side of the map a factor f leaves of a side `size`. */
export function subsampledSize(size: number, f: number): number {
  return Math.ceil(size / f);
}

/** Every f-th pixel along H and W, starting at (0, 0): [N, ceil(H/f), ceil(W/f), C]. */
export function subsample(x: tf.Tensor4D, f: number): tf.Tensor4D {
  if (f === 1) return x;
  const [n, h, w, c] = x.shape;
  return tf.stridedSlice(x, [0, 0, 0, 0], [n, h, w, c], [1, f, f, 1]) as tf.Tensor4D;
}

/** The kept positions (multiples of f) of an interspersed map: the inverse of intersperse. */
export const keptPositions = subsample;

/**
 * Spread `small` [N, h, w, C] over a [N, size, size, C] grid: pixel (i, j) at (i·f, j·f), zeros elsewhere.
 * Needs (h - 1)·f < size. Built from reshape / pad / slice (rank 4 only), so it is differentiable.
 */
export function intersperse(small: tf.Tensor4D, f: number, size: number): tf.Tensor4D {
  const [n, h, w, c] = small.shape;
  if ((h - 1) * f >= size || (w - 1) * f >= size) {
    throw new Error(`intersperse: a ${h}x${w} map at factor ${f} does not fit a ${size}x${size} grid`);
  }
  if (f === 1) return small;
  return tf.tidy(() => {
    // rows: [N, h, 1, w*C] -> pad to [N, h, f, w*C] -> [N, h*f, w, C]
    let t: tf.Tensor4D = tf.reshape(small, [n, h, 1, w * c]);
    t = tf.pad(t, [
      [0, 0],
      [0, 0],
      [0, f - 1],
      [0, 0],
    ]);
    t = tf.reshape(t, [n * h * f, w, 1, c]);
    // columns: [N*h*f, w, 1, C] -> pad to [N*h*f, w, f, C] -> [N, h*f, w*f, C]
    t = tf.pad(t, [
      [0, 0],
      [0, 0],
      [0, f - 1],
      [0, 0],
    ]);
    t = tf.reshape(t, [n, h * f, w * f, c]);
    const hs = Math.min(size, h * f);
    const ws = Math.min(size, w * f);
    t = tf.slice(t, [0, 0, 0, 0], [n, hs, ws, c]);
    if (hs < size || ws < size) {
      t = tf.pad(t, [
        [0, 0],
        [0, size - hs],
        [0, size - ws],
        [0, 0],
      ]);
    }
    return t;
  });
}

/** [1, size, size, 1]: 1 at the kept positions (multiples of f), 0 between them. */
export function keptMask(size: number, f: number): tf.Tensor4D {
  const data = new Float32Array(size * size);
  for (let i = 0; i < size; i += f) for (let j = 0; j < size; j += f) data[i * size + j] = 1;
  return tf.tensor4d(data, [1, size, size, 1]);
}

/**
 * The conv that, on a map interspersed at factor f, computes the small map's conv (kernel [k, k, in, out],
 * stride s, dilation d, padding samePad(k, d)) at the kept positions: dilation d·f, padding samePad(k, d)·f,
 * stride s. The result is again interspersed at factor f (positions between kept ones are zeroed).
 */
export function conv2dInterspersed(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  f: number,
  stride = 1,
  dilation = 1,
): tf.Tensor4D {
  return tf.tidy(() => {
    const k = kernel.shape[0];
    const y = tf.conv2d(
      padSpatial(x, samePad(k, dilation) * f),
      dilateKernel(kernel, dilation * f),
      stride,
      'valid',
    );
    return tf.mul(y, keptMask(y.shape[1], f));
  });
}

/** Depthwise counterpart of conv2dInterspersed (kernel [k, k, C, 1]). */
export function depthwiseInterspersed(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  f: number,
  stride = 1,
  dilation = 1,
): tf.Tensor4D {
  return tf.tidy(() => {
    const k = kernel.shape[0];
    const xp = padSpatial(x, samePad(k, dilation) * f);
    const y = tf.depthwiseConv2d(xp, dilateKernel(kernel, dilation * f), stride, 'valid');
    return tf.mul(y, keptMask(y.shape[1], f));
  });
}

/**
 * The paper's combined map: Σ_r w_r · intersperse(maps[r], factors[r], size). One-hot weights give one
 * resolution's map on the full grid; on the kept positions of every factor the maps overlap aligned.
 */
export function interspersedSum(
  maps: tf.Tensor4D[],
  factors: number[],
  d: OptionDist,
  size: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    if (!d.weights) {
      const r = factors.indexOf(d.values[0]);
      return intersperse(maps[r], factors[r], size);
    }
    const spread = maps.map((m, r) => intersperse(m, factors[r], size));
    const w = tf.unstack(d.weights);
    return sumTensors(spread.map((s, r) => tf.mul(s, w[r])) as tf.Tensor4D[]);
  });
}

/**
 * Runs `run` (the shared network) on the input subsampled by each factor of `d` and sums the results
 * weighted by d's weights; a certain choice runs one resolution only. Compute grows sub-linearly in the
 * number of options (a factor f costs about 1/f² of the full resolution).
 */
export function mixResolutions<T extends tf.Tensor>(
  x: tf.Tensor4D,
  d: OptionDist,
  run: (x: tf.Tensor4D) => T,
): T {
  return tf.tidy(() => {
    if (!d.weights) return run(subsample(x, d.values[0]));
    const w = tf.unstack(d.weights);
    return sumTensors(d.values.map((f, r) => tf.mul(run(subsample(x, f)), w[r]))) as T;
  });
}
