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
    return net.scoreSteps
      .drawnOneHots(sample)
      .map((h, i) => tf.mul(advantage, tf.sub(h, tf.softmax(vars[i], -1))));
  });
  return { packed: packed!, grads };
}
