/**
 * The classroom search's training steps, built the way the app builds them, for scripts/bench.ts:
 *   soft:   one supernet weight step with FBNet's all-paths soft Gumbel mixture (every candidate of every
 *           searchable layer runs, weighted by softmax((θ + g) / τ), τ = τ0 of the default experiment);
 *   subnet: one step of the derived subnet with k3_e3 in every searchable layer (createModel, as the
 *           Finetuner trains it).
 * Both: the default experiment's batch and input, the landmark L2 loss, SGD with momentum 0.9 on the
 * trainable weights. Inputs and targets are seeded random tensors (data loading is not what is timed).
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_EXPERIMENT } from '../src/nas/experiment.ts';
import { CLASSROOM } from '../src/nas/spaces/classroom.ts';
import { archFromChoices } from '../src/nas/spaces/derive.ts';
import { isSearchLayer } from '../src/nas/arch/spec.ts';
import { createModel } from '../src/nas/model/model.ts';
import { Supernet } from '../src/nas/search/supernet.ts';
import { drawGumbel, gumbelSoftmax } from '../src/nas/search/gumbel.ts';
import { landmarkLoss } from '../src/nas/data/metrics.ts';
import { Rng } from '../src/nas/rng.ts';

export interface ClassroomStep {
  label: string;
  /** One optimizer step; resolves with the loss once it is known (one read-back). */
  step(): Promise<number>;
  dispose(): void;
}

export const CLASSROOM_BATCH = Number(
  process.env.BENCH_CLASSROOM_BATCH ?? DEFAULT_EXPERIMENT.train.batchSize,
);
export const CLASSROOM_INPUT = Number(process.env.BENCH_CLASSROOM_INPUT ?? DEFAULT_EXPERIMENT.inputSize);
const LR = DEFAULT_EXPERIMENT.train.lrWeights;
const MOMENTUM = 0.9;
const TAU = DEFAULT_EXPERIMENT.gumbel.tau0;
const POINTS = CLASSROOM.head.kind === 'landmarks' ? CLASSROOM.head.points : 0;
/** Index of k3_e3 among the classroom candidates (the same list in every searchable layer). */
export const SUBNET_CANDIDATE = 'k3_e3';

function batch(seed: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const rng = new Rng(seed);
  const n = CLASSROOM_BATCH;
  const s = CLASSROOM_INPUT;
  const x = tf.tensor4d(
    Float32Array.from({ length: n * s * s * 3 }, () => rng.normal()),
    [n, s, s, 3],
  );
  const y = tf.tensor2d(
    Float32Array.from({ length: n * 2 * POINTS }, () => rng.uniform(0, 1)),
    [n, 2 * POINTS],
  );
  return { x, y };
}

function optimizerStep(opt: tf.Optimizer, vars: tf.Variable[], f: () => tf.Scalar): Promise<number> {
  const loss = opt.minimize(f, true, vars);
  if (!loss) throw new Error('minimize returned no loss');
  return loss.data().then((v) => {
    loss.dispose();
    return v[0];
  });
}

/** All-paths soft supernet weight step (FBNet eq. 5 with a soft Gumbel-softmax mask per layer). */
export function softSupernetStep(seed = 1): ClassroomStep {
  const net = new Supernet(CLASSROOM, { inputSize: CLASSROOM_INPUT, seed });
  const vars = net.trainableWeights();
  const opt = tf.train.momentum(LR, MOMENTUM);
  const noise = new Rng(seed + 1);
  const { x, y } = batch(seed + 2);
  return {
    label: 'supernet, all-paths soft',
    step: () =>
      optimizerStep(opt, vars, () => {
        const masks = net.mixed.map((m) =>
          gumbelSoftmax(m.theta, TAU, tf.tensor1d(drawGumbel(noise, m.candidates.length)), false),
        );
        return landmarkLoss(net.forward(x, true, masks), y);
      }),
    dispose() {
      net.dispose();
      opt.dispose();
      tf.dispose([x, y]);
    },
  };
}

/** The derived subnet with k3_e3 in every searchable layer, trained as the Finetuner trains it. */
export function subnetStep(seed = 1): ClassroomStep {
  const choices = CLASSROOM.body.filter(isSearchLayer).map((l) => l.candidates.indexOf(SUBNET_CANDIDATE));
  const arch = archFromChoices(CLASSROOM, choices, 'bench-subnet');
  arch.input.size = CLASSROOM_INPUT;
  const model = createModel(arch, { seed });
  const vars = model.trainableVariables();
  const opt = tf.train.momentum(LR, MOMENTUM);
  const { x, y } = batch(seed + 2);
  return {
    label: `derived subnet (${SUBNET_CANDIDATE} everywhere)`,
    step: () => optimizerStep(opt, vars, () => landmarkLoss(model.apply(x, true), y)),
    dispose() {
      model.dispose();
      opt.dispose();
      tf.dispose([x, y]);
    },
  };
}

// Single-path supernet step (issue 14, point 1): another change adds it to the search interface; add its
// ClassroomStep here (and 'single' to scripts/bench-torch.py) so the bench times it beside these two.
