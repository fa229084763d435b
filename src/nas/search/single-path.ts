/**
 * Which paths of the supernet a step runs (config.gumbel.paths), and the single-path weights of GDAS.
 *
 * 'all' (absent = FBNet, Wu et al., CVPR 2019): every candidate runs in architecture steps, weighted by
 * the Gumbel-softmax sample m, so ∂L/∂m_i needs every candidate's output; weight steps with hard samples
 * already run only the drawn candidate.
 *
 * 'single' (GDAS: Dong & Yang, "Searching for A Robust Neural Architecture in Four GPU Hours", CVPR
 * 2019): architecture steps run only the drawn candidate too. GDAS's straight-through weight
 * h = onehot − stopgrad(softmax) + softmax is 1 at the drawn candidate s and 0 elsewhere, so the layer's
 * output is h_s · b_s(x) = b_s(x): the forward is the sampled subnet's. θ learns through h_s alone:
 * ∂L/∂h_s = <∂L/∂y, b_s(x)>, passed on to the soft sample and, by the softmax, to every θ_j. The cost term
 * keeps the expected cost Σ m · COST of the relaxed sample. Single-path steps need a one-hot forward, so
 * 'single' implies hard samples whatever gumbel.hard says.
 */
import * as tf from '@tensorflow/tfjs';
import type { ExperimentConfig } from '../experiment.ts';
import type { PathMode } from './search-net.ts';
import type { Phase } from './trainer-state.ts';
import type { SinglePath } from './supernet.ts';

/**
 * Forward value: ones (h_s's exact value, independent of float round-off in one-hot − stopgrad(soft) +
 * soft); gradient: passed through unchanged (the straight-through part of h_s).
 */
const unitForward = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const y = args[0] as tf.Tensor;
  return { value: tf.onesLike(y), gradFunc: (dy: tf.Tensor) => dy };
});

/**
 * GDAS's weight of the drawn candidate `draws[l]` of every layer, taken from the relaxed sample `masks[l]`
 * (soft or straight-through: the gradient of either reaches the soft sample unchanged). Call inside the
 * gradient tape.
 */
export function singlePaths(masks: tf.Tensor1D[], draws: number[]): SinglePath[] {
  if (masks.length !== draws.length) {
    throw new Error(`Expected ${masks.length} draws, got ${draws.length}`);
  }
  return masks.map((m, l) => {
    const index = draws[l];
    if (!(Number.isInteger(index) && index >= 0 && index < m.shape[0])) {
      throw new Error(`Layer ${l} has no candidate ${index}`);
    }
    const weight = unitForward(tf.reshape(tf.slice(m, [index], [1]), [])) as tf.Scalar;
    return { index, weight };
  });
}

type GumbelSettings = ExperimentConfig['gumbel'];

/** True where the config asks for single-path steps (see the file comment). */
export function isSinglePathRun(gumbel: GumbelSettings): boolean {
  return gumbel.paths === 'single';
}

/** Whether a step's samples are hard (straight-through one-hot): gumbel.hard, or implied by 'single'. */
export function hardSamples(gumbel: GumbelSettings): boolean {
  return gumbel.hard || isSinglePathRun(gumbel);
}

/** Throws on a paths setting this code does not know (a checkpoint or config from elsewhere). */
export function checkPaths(gumbel: GumbelSettings): void {
  const p = gumbel.paths;
  if (p !== undefined && p !== 'all' && p !== 'single') {
    throw new Error(`Unknown gumbel.paths "${String(p)}": expected "all" or "single"`);
  }
}

/**
 * The paths a step of `phase` runs. Weight steps with hard samples run the drawn path ('sampled', unless
 * `skipUnsampled` is off); architecture steps run every path, or GDAS's single path.
 */
export function stepPaths(phase: Phase, gumbel: GumbelSettings, skipUnsampled: boolean): PathMode {
  if (phase === 'weights') return hardSamples(gumbel) && skipUnsampled ? 'sampled' : 'all';
  return isSinglePathRun(gumbel) ? 'single' : 'all';
}
