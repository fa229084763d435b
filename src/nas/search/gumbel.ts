/**
 * Gumbel-softmax relaxation of a categorical choice (FBNet eq. 8): m = softmax((θ + g) / τ), g ~ Gumbel(0, 1).
 * The noise is drawn on the JS side from a seeded Rng and passed in as a tensor, so a run draws the same
 * samples on every backend and resumes exactly from a checkpointed Rng state.
 */
import * as tf from '@tensorflow/tfjs';
import type { ArchValues } from './arch-values.ts';
import type { Rng } from '../rng.ts';

// plain-number parts live in gumbel-host.ts (no tfjs), re-exported here for the engine's callers
export { softmaxArray, temperatureAt } from './gumbel-host.ts';

/** Gumbel(0, 1) draws for `count` categories, `rows` times (flat, row-major). */
export function drawGumbel(rng: Rng, count: number, rows = 1): Float32Array {
  const out = new Float32Array(count * rows);
  for (let i = 0; i < out.length; i++) out[i] = rng.gumbel();
  return out;
}

/**
 * Forward value: one-hot of the argmax of y; gradient: passed to y unchanged. Equivalent to
 * y_hard - stop_gradient(y) + y (tfjs has no stop_gradient) but without the float round-off of that sum,
 * so the forward value is an exact one-hot.
 */
const straightThrough = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const y = args[0] as tf.Tensor;
  const k = y.shape[y.shape.length - 1];
  const flat = y.reshape([-1, k]);
  const hard = tf.oneHot(tf.argMax(flat, -1), k).asType('float32').reshape(y.shape);
  return { value: hard, gradFunc: (dy: tf.Tensor) => dy };
});

/**
 * Gumbel-softmax sample over the last axis of `logits` ([k] or [rows, k]).
 * `noise` has the logits' shape. With `hard`, the forward value is the one-hot of the sample (the
 * categorical draw itself) and the gradient is that of the soft sample (straight-through estimator).
 */
export function gumbelSoftmax<T extends tf.Tensor1D | tf.Tensor2D>(
  logits: T,
  tau: number,
  noise: tf.Tensor,
  hard: boolean,
): T {
  if (!(tau > 0)) throw new Error(`Gumbel temperature must be > 0, got ${tau}`);
  return tf.tidy(() => {
    const soft = tf.softmax(tf.div(tf.add(logits, noise), tau), -1);
    return (hard ? straightThrough(soft) : soft) as T;
  });
}

/** Shannon entropy in nats. */
export function entropy(probs: number[]): number {
  return -probs.reduce((s, p) => (p > 0 ? s + p * Math.log(p) : s), 0);
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * Gumbel-max trick: argmax(logits + g) with g ~ Gumbel(0, 1) is a draw from softmax(logits) (the same
 * argmax as the Gumbel-softmax sample m at any τ). The draw a training step reports and, with hard
 * samples, runs.
 */
export function gumbelMaxIndex(logits: ArrayLike<number>, noise: ArrayLike<number>): number {
  return argmax(Array.from(noise, (g, i) => g + logits[i]));
}

/**
 * Gumbel noise for every logits variable, in order, from `rng`, and the categorical draws of
 * gumbelMaxIndex with the variables' host values (arch-values.ts: no read-back here).
 */
export function drawGumbelMax(
  logits: tf.Variable[],
  rng: Rng,
  values: ArchValues,
): { noise: Float32Array[]; draws: number[] } {
  const noise = logits.map((v) => drawGumbel(rng, v.size));
  return { noise, draws: noise.map((g, l) => gumbelMaxIndex(values(logits[l]), g)) };
}
