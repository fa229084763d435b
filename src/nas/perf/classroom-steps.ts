/**
 * The classroom search's training steps, built the way the app builds them, for the benches (Node and
 * browser) and any caller that wants a fixed, comparable workload:
 *   soft:   one supernet weight step with FBNet's all-paths soft Gumbel mixture (every candidate of every
 *           searchable layer runs, weighted by softmax((θ + g) / τ), τ = τ0 of the default experiment);
 *   subnet: one step of the derived subnet with k3_e3 in every searchable layer (createModel, as the
 *           Finetuner trains it).
 * Both: the landmark L2 loss, SGD with momentum 0.9 on the trainable weights, the default experiment's
 * learning rate. Inputs and targets are seeded random tensors (data loading is not what is timed).
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_EXPERIMENT } from '../experiment.ts';
import { CLASSROOM } from '../spaces/classroom.ts';
import { archFromChoices } from '../spaces/derive.ts';
import { isSearchLayer } from '../arch/spec.ts';
import { createModel } from '../model/model.ts';
import { Supernet } from '../search/supernet.ts';
import { drawGumbel, gumbelSoftmax } from '../search/gumbel.ts';
import { landmarkLoss } from '../data/metrics.ts';
import { Rng } from '../rng.ts';
import type { TrainingStep } from './time-steps.ts';
import { SearchTrainer } from '../search/trainer.ts';
import { RandomSource } from './random-source.ts';

export interface ClassroomStepOptions {
  /** Images per step; default the default experiment's batch size. */
  batch?: number;
  /** Input side in pixels; default the default experiment's input size. */
  inputSize?: number;
  /** Seeds the weights, the Gumbel noise (seed + 1) and the data (seed + 2). Default 1. */
  seed?: number;
}

export type ClassroomStepKind = 'soft' | 'subnet' | 'single';

const LR = DEFAULT_EXPERIMENT.train.lrWeights;
const MOMENTUM = 0.9;
const TAU = DEFAULT_EXPERIMENT.gumbel.tau0;
const POINTS = CLASSROOM.head.kind === 'landmarks' ? CLASSROOM.head.points : 0;
/** The candidate the derived subnet uses in every searchable layer. */
export const SUBNET_CANDIDATE = 'k3_e3';

function resolved(o: ClassroomStepOptions): Required<ClassroomStepOptions> {
  return {
    batch: o.batch ?? DEFAULT_EXPERIMENT.train.batchSize,
    inputSize: o.inputSize ?? DEFAULT_EXPERIMENT.inputSize,
    seed: o.seed ?? 1,
  };
}

function randomBatch(n: number, s: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const rng = new Rng(seed);
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

/** MomentumOptimizer.dispose() forgets SGD's learning-rate scalar (as SearchTrainer.dispose notes). */
function disposeOptimizer(opt: tf.Optimizer): void {
  opt.dispose();
  (opt as unknown as { c?: tf.Tensor }).c?.dispose();
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
export function softSupernetStep(options: ClassroomStepOptions = {}): TrainingStep {
  const { batch, inputSize, seed } = resolved(options);
  const net = new Supernet(CLASSROOM, { inputSize, seed });
  const vars = net.trainableWeights();
  const opt = tf.train.momentum(LR, MOMENTUM);
  const noise = new Rng(seed + 1);
  const { x, y } = randomBatch(batch, inputSize, seed + 2);
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
      disposeOptimizer(opt);
      tf.dispose([x, y]);
    },
  };
}

/** The derived subnet with k3_e3 in every searchable layer, trained as the Finetuner trains it. */
export function subnetStep(options: ClassroomStepOptions = {}): TrainingStep {
  const { batch, inputSize, seed } = resolved(options);
  const choices = CLASSROOM.body.filter(isSearchLayer).map((l) => l.candidates.indexOf(SUBNET_CANDIDATE));
  const arch = archFromChoices(CLASSROOM, choices, 'bench-subnet');
  arch.input.size = inputSize;
  const model = createModel(arch, { seed });
  const vars = model.trainableVariables();
  const opt = tf.train.momentum(LR, MOMENTUM);
  const { x, y } = randomBatch(batch, inputSize, seed + 2);
  return {
    label: `derived subnet (${SUBNET_CANDIDATE} everywhere)`,
    step: () => optimizerStep(opt, vars, () => landmarkLoss(model.apply(x, true), y)),
    dispose() {
      model.dispose();
      disposeOptimizer(opt);
      tf.dispose([x, y]);
    },
  };
}

/**
 * The classroom search's single-path step (GDAS, Dong & Yang 2019; search/single-path.ts): the app's own
 * SearchTrainer with hard samples and `gumbel.paths: 'single'`, alternating a weight step and an
 * architecture step, as the schedule does after warm-up. Only the sampled candidate of each layer runs.
 */
export function singlePathStep(options: ClassroomStepOptions = {}): TrainingStep {
  const { batch, inputSize, seed } = resolved(options);
  const config = structuredClone(DEFAULT_EXPERIMENT);
  config.inputSize = inputSize;
  config.train = { ...config.train, batchSize: batch, warmupEpochs: 0 };
  config.gumbel = { ...config.gumbel, hard: true, paths: 'single' };
  config.seeds = { ...config.seeds, init: seed, gumbel: seed + 1, data: seed + 2 };
  const source = new RandomSource('landmarks', inputSize, 3, 2 * POINTS, batch, seed + 2);
  const trainer = new SearchTrainer(config, source, { space: CLASSROOM, featureEvery: 0 });
  // The search alternates one weight step and one architecture step after the warm-up, and the two cost
  // different amounts, so a call makes one of each and timings divide by two: timing single calls instead
  // made the median depend on which kind the odd round fell on.
  return {
    label: 'supernet, single-path (GDAS; mean of a weight and an arch step)',
    optimizerSteps: 2,
    async step() {
      const { loss } = await trainer.stepWeights();
      await trainer.stepArch();
      return loss;
    },
    dispose() {
      trainer.dispose();
      source.dispose();
    },
  };
}

/** Every classroom step, in the order the benches run them. */
export const CLASSROOM_STEPS: Record<ClassroomStepKind, (o?: ClassroomStepOptions) => TrainingStep> = {
  subnet: subnetStep,
  soft: softSupernetStep,
  single: singlePathStep,
};
