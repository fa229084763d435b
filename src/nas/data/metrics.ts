/**
 * Landmark metrics as in the PFLD-106 reference evaluation (test.py of Hsintao/pfld_106_face_landmarks,
 * which the NNI FBNet example cites):
 *  - NME per image = mean over points of ||pred - gt|| / d, with d the distance between the two outer eye
 *    corners of the ground truth (INTER_OCULAR; the inter-pupil distance is offered too);
 *  - failure rate = fraction of images with NME > 0.10;
 *  - CED curve: fraction of images with NME <= x for x in [0, 0.10]; AUC = area under it / 0.10
 *    (the reference integrates with Simpson's rule on a 1e-4 grid; we use the trapezoid rule on the same
 *    kind of grid, which agrees to well below 1e-3).
 * The NME functions are plain JS on flat Float32Arrays so the worker, the UI and tests can all use them.
 *
 * Training loss: plain L2, sum of squared coordinate errors per face, mean over the batch. It is the
 * PFLD/NNI loss without its pose-angle weighting (we have no auxiliary pose net); it is smooth, cheap and
 * its scale does not depend on a hand-tuned width. Wing loss (Feng et al. 2018) mainly helps late in
 * training on small errors; it is exported as an option (`wingLoss`) rather than the default.
 */
import * as tf from '@tensorflow/tfjs';
import { INTER_OCULAR, INTER_PUPIL, NUM_COORDS } from './landmarks106.ts';

export type Normaliser = 'inter-ocular' | 'inter-pupil' | readonly [number, number];

function normPair(norm: Normaliser): readonly [number, number] {
  return norm === 'inter-ocular' ? INTER_OCULAR : norm === 'inter-pupil' ? INTER_PUPIL : norm;
}

/**
 * NME of each image. `pred` and `gt` hold `count` faces of `coords` values (x, y pairs) each.
 * Images whose normalising distance is 0 get NaN (they cannot be scored).
 */
export function nmePerImage(
  pred: Float32Array,
  gt: Float32Array,
  norm: Normaliser = 'inter-ocular',
  coords = NUM_COORDS,
): Float32Array {
  if (pred.length !== gt.length) throw new Error(`nme: pred has ${pred.length} values, gt ${gt.length}`);
  if (gt.length % coords !== 0) throw new Error(`nme: ${gt.length} values is not a multiple of ${coords}`);
  const count = gt.length / coords;
  const points = coords / 2;
  const [a, b] = normPair(norm);
  const out = new Float32Array(count);
  for (let n = 0; n < count; n++) {
    const o = n * coords;
    const d = Math.hypot(gt[o + 2 * a] - gt[o + 2 * b], gt[o + 2 * a + 1] - gt[o + 2 * b + 1]);
    let sum = 0;
    for (let i = 0; i < points; i++) {
      sum += Math.hypot(pred[o + 2 * i] - gt[o + 2 * i], pred[o + 2 * i + 1] - gt[o + 2 * i + 1]);
    }
    out[n] = d > 0 ? sum / (points * d) : NaN;
  }
  return out;
}

/** Mean NME over images (NaN entries skipped). */
export function meanNme(
  pred: Float32Array,
  gt: Float32Array,
  norm: Normaliser = 'inter-ocular',
  coords = NUM_COORDS,
): number {
  return mean(nmePerImage(pred, gt, norm, coords));
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < xs.length; i++) {
    if (Number.isNaN(xs[i])) continue;
    s += xs[i];
    n++;
  }
  return n ? s / n : NaN;
}

/** Fraction of images with NME above `threshold` (0.10 in the reference). */
export function failureRate(nmes: ArrayLike<number>, threshold = 0.1): number {
  let fail = 0;
  let n = 0;
  for (let i = 0; i < nmes.length; i++) {
    if (Number.isNaN(nmes[i])) continue;
    n++;
    if (nmes[i] > threshold) fail++;
  }
  return n ? fail / n : NaN;
}

export interface CedCurve {
  /** thresholds 0 .. maxThreshold, steps + 1 of them */
  x: Float32Array;
  /** fraction of images with NME <= x */
  y: Float32Array;
}

/** Cumulative error distribution on a regular grid of `steps` intervals up to `maxThreshold`. */
export function cedCurve(nmes: ArrayLike<number>, maxThreshold = 0.1, steps = 1000): CedCurve {
  const sorted = Array.from(nmes)
    .filter((v) => !Number.isNaN(v))
    .sort((p, q) => p - q);
  const x = new Float32Array(steps + 1);
  const y = new Float32Array(steps + 1);
  let k = 0;
  for (let i = 0; i <= steps; i++) {
    const t = (maxThreshold * i) / steps;
    while (k < sorted.length && sorted[k] <= t) k++;
    x[i] = t;
    y[i] = sorted.length ? k / sorted.length : 0;
  }
  return { x, y };
}

/** Area under the CED curve up to `threshold`, divided by `threshold` (1 = every image perfect). */
export function cedAuc(nmes: ArrayLike<number>, threshold = 0.1, steps = 1000): number {
  const { x, y } = cedCurve(nmes, threshold, steps);
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((y[i] + y[i - 1]) / 2) * (x[i] - x[i - 1]);
  return area / threshold;
}

/** Summary the UI shows after validation. */
export interface LandmarkScores {
  nme: number;
  failureRate: number;
  auc: number;
}

export function landmarkScores(
  pred: Float32Array,
  gt: Float32Array,
  norm: Normaliser = 'inter-ocular',
): LandmarkScores {
  const per = nmePerImage(pred, gt, norm);
  return { nme: mean(per), failureRate: failureRate(per, 0.1), auc: cedAuc(per, 0.1) };
}

/** L2 landmark loss: sum over coordinates of squared error, mean over the batch. pred, target: [N, 212]. */
export function landmarkLoss(pred: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sum(tf.square(tf.sub(pred, target)), -1)) as tf.Scalar);
}

/**
 * Wing loss on per-coordinate errors, summed per face and averaged over the batch. Defaults are scaled
 * from the paper's pixel values (w = 10, eps = 2 on ~64 px faces) to normalised coordinates.
 */
export function wingLoss(pred: tf.Tensor, target: tf.Tensor, w = 0.1, eps = 0.02): tf.Scalar {
  return tf.tidy(() => {
    const x = tf.abs(tf.sub(pred, target));
    const c = w - w * Math.log(1 + w / eps);
    const small = tf.mul(w, tf.log1p(tf.div(x, eps)));
    const large = tf.sub(x, c);
    return tf.mean(tf.sum(tf.where(tf.less(x, w), small, large), -1)) as tf.Scalar;
  });
}
