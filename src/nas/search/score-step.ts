/**
 * Score-function architecture steps (gumbel.thetaGradient 'score'): REINFORCE (Williams 1992) with a
 * self-critical baseline (Rennie et al., CVPR 2017), over the same Gumbel-max draws as every other step.
 *
 * A drawn architecture s gets the advantage A = L(s) − L(a), where L is FBNet's loss
 * task · α · log(COST)^β of the exact (not expected) cost, and a is the current argmax architecture run
 * on the same batch, so the batch's own difficulty cancels. θ's gradient is A · ∇θ log p(s), which for a
 * softmax row is A · (onehot(s_l) − softmax(θ_l)): a draw that beats the current pick raises its
 * probability, one that loses lowers it. Both forwards run one path and no backward pass.
 *
 * A pull toward low entropy grows linearly over the architecture iterations, from 0 to
 * SCORE_ENTROPY_WEIGHT · ∇θ H(softmax θ) at the end: where two blocks of a layer are equally good the
 * advantage's sign is random, and Adam, which normalises every step to the same size, lets θ random-walk
 * between them to the end of the run (seed 2 of the classroom default: the last layer flipped among three
 * blocks from epoch 5 on and ended at 0.43). The pull breaks such ties late, after the losses had their say.
 *
 * Why not the relaxed (straight-through) gradient by default: on the classroom default it carries almost
 * no task signal. With single paths θ only sees ∂L/∂h_s = <∂L/∂y, b_s(x)> (how scaling the drawn block's
 * output would change the loss), not how the blocks compare; measured on seed 0 (issue 27), θ wandered
 * with the largest softmax 0.17–0.28 per layer after 1,380 steps with β = 0, lr θ 0.2, and the all-paths
 * estimator did no better halfway through the run, while the cost term's steady pull to the cheapest blocks
 * decided what little moved. The score function compares real losses of whole architectures.
 */
import * as tf from '@tensorflow/tfjs';
import { fbnetLoss, taskLoss } from './loss.ts';
import type { CostModel, ScoreSteps, SearchNet, StepSample } from './search-net.ts';
import { packStep, type PackedStep } from './step-record.ts';

/** Weight of the entropy pull at the end of the run (see above); 0 at the first architecture step. */
export const SCORE_ENTROPY_WEIGHT = 0.05;

export interface ScoreStepParts {
  /** The drawn architecture's step record (its task loss, cost and FBNet loss). */
  packed: PackedStep;
  /** θ's gradient per architecture variable, in archVariables() order (caller disposes). */
  grads: tf.Tensor[];
}

/**
 * Runs the drawn and the argmax architecture on one batch and returns the drawn one's step record and
 * θ's score-function gradient.
 */
export function scoreStep(
  net: SearchNet & { scoreSteps: ScoreSteps },
  batch: { x: tf.Tensor4D; y: tf.Tensor2D },
  sample: StepSample,
  best: StepSample,
  cost: CostModel,
  loss: { alpha: number; beta: number },
  /** Share of the architecture iterations done (0..1): scales the entropy pull. */
  progress = 0,
): ScoreStepParts {
  let packed: PackedStep | undefined;
  const grads = tf.tidy(() => {
    // the draws' one-hots as the relaxation: stepCost of them is the architecture's exact cost
    const run = (s: StepSample) => {
      const relaxed = { blocks: net.scoreSteps.drawnOneHots(s) as tf.Tensor1D[], extras: {} };
      const task = taskLoss(net.task, net.forwardStep(batch.x, s, relaxed, 'sampled'), batch.y);
      const stepCost = net.stepCost(relaxed, cost);
      return { relaxed, task, stepCost, ...fbnetLoss(task, stepCost.cost, loss.alpha, loss.beta) };
    };
    const drawn = run(sample);
    const baseline = run(best);
    packed = packStep({
      task: drawn.task,
      costTerm: drawn.costTerm,
      cost: drawn.stepCost.cost,
      loss: drawn.loss,
      blockWeights: drawn.relaxed.blocks,
      extras: { ...drawn.relaxed.extras, ...drawn.stepCost.extras },
    });
    const advantage = tf.sub(drawn.loss, baseline.loss);
    const vars = net.archVariables();
    const pull = SCORE_ENTROPY_WEIGHT * progress;
    return net.scoreSteps.drawnOneHots(sample).map((h, i) => {
      const p = tf.softmax(vars[i], -1);
      const score = tf.mul(advantage, tf.sub(h, p));
      if (pull === 0) return score;
      // ∂H/∂θ_j = −p_j (log p_j + H), H = −Σ p log p: descending it sharpens the row
      const logP = tf.logSoftmax(vars[i], -1);
      const h1 = tf.neg(tf.sum(tf.mul(p, logP), -1, true));
      return tf.add(score, tf.mul(pull, tf.neg(tf.mul(p, tf.add(logP, h1)))));
    });
  });
  return { packed: packed!, grads };
}
