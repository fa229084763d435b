/**
 * FBNet's latency-aware loss (paper eq. 2): L = task(a, w) · α · log(COST(a))^β.
 * COST is the expected cost under the sampled mask m (eq. 9), so L is differentiable in θ through m.
 *
 * Units matter because of the log: the cost must be > 1 for log(COST) > 0 (a fractional power of a
 * negative number is NaN, and a cost below 1 would flip the sign of the penalty). The trainer expresses
 * MACs in millions, parameters in thousands and latency in milliseconds; a cost at or below 1 is clamped to
 * COST_FLOOR (finite loss, no gradient from the cost term), so pick units that keep the network above 1.
 * β = 0 gives log(COST)^0 = 1 and L = α · task: the cost is ignored.
 */
import * as tf from '@tensorflow/tfjs';
import type { Task } from '../arch/spec.ts';
import { landmarkLoss } from '../data/metrics.ts';
import { COST_FLOOR } from './loss-host.ts';

// one floor for the tensor loss and the host-side one (loss-host.ts)
export { COST_FLOOR };

export interface LossParts {
  loss: tf.Scalar;
  /** α · log(cost)^β, the factor the task loss is multiplied by. */
  costTerm: tf.Scalar;
}

/** Multiplies the task loss by α · log(cost)^β. */
export function fbnetLoss(task: tf.Scalar, cost: tf.Scalar, alpha: number, beta: number): LossParts {
  return tf.tidy(() => {
    const costTerm: tf.Scalar =
      beta === 0 ? tf.scalar(alpha) : tf.mul(alpha, tf.pow(tf.log(tf.maximum(cost, COST_FLOOR)), beta));
    return { loss: tf.mul(task, costTerm) as tf.Scalar, costTerm };
  });
}

/** Mean softmax cross-entropy; `labels` one-hot [N, classes], `logits` [N, classes]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(logits, -1)), -1))) as tf.Scalar);
}

/** Cross-entropy for classification; for landmarks the data module's L2 loss (sum over coordinates). */
export function taskLoss(task: Task, pred: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  return task === 'classification' ? crossEntropy(pred, target) : landmarkLoss(pred, target);
}
