/**
 * How long a search will take on this device, before it starts (issue 14): the experiment's weight and
 * architecture steps are timed on the active backend (see measureRunEstimate for how many) and multiplied
 * by how many of each the schedule runs; the validation the workspace runs at every epoch's end and at the
 * finish (BatchNorm recalibration of the argmax path, then the validation split) is timed too and added
 * per evaluation. The first step's extra time (compilation) is counted once. Weight steps also pay for
 * making their augmented batch (flip, affine warp and colour per image, in JS): the timed steps run on
 * random tensors, so that cost is timed apart on generated faces and added per weight step.
 */
import { taskOf, type SearchSpace } from '../arch/spec.ts';
import type { ExperimentConfig } from '../experiment.ts';
import { headOutputs } from '../model/head.ts';
import { totalStepsOf } from '../search/schedule.ts';
import { SearchTrainer } from '../search/trainer.ts';
import { validateArgmax } from '../search/validate.ts';
import { SPACES } from '../spaces/index.ts';
import { experimentStepPair, timingConfig } from './experiment-step.ts';
import { median } from './time-steps.ts';
import { RandomSource } from './random-source.ts';
import { LandmarkSource } from '../data/landmark-source.ts';
import { generateDataset } from '../data/synthface.ts';
import { Rng } from '../rng.ts';
import * as tf from '@tensorflow/tfjs';

export interface RunEstimate {
  weightSteps: number;
  archSteps: number;
  /** ms per weight step, making its augmented batch included (batchMs). */
  weightMs: number;
  /** ms to make one augmented training batch (part of weightMs). */
  batchMs: number;
  /** ms per architecture step (0 when the schedule has none). */
  archMs: number;
  /** The first step's extra time (kernel compilation, warm-up), paid once. */
  warmupMs: number;
  /** Validations of a run: one per epoch and one at the finish. */
  evaluations: number;
  /** ms per validation. */
  evalMs: number;
  totalMs: number;
}

/** Steps timed per kind at most (the first included), and the time after which no more are started. */
const MAX_TIMED_STEPS = 24;
const TIMING_BUDGET_MS = 8000;

/** Validation images of an experiment: a generated dataset's split, else a typical imported one's. */
export function validationCount(config: ExperimentConfig): number {
  const count = config.dataset.kind === 'synthface' ? config.dataset.count : 1000;
  return Math.max(1, Math.round(config.train.valFraction * count));
}

/** Weight and architecture steps of a run (FBNet's schedule: arch steps only after the warm-up epochs). */
export function stepCounts(train: ExperimentConfig['train']): { weightSteps: number; archSteps: number } {
  const weightSteps = train.epochs * train.stepsPerEpoch;
  return { weightSteps, archSteps: totalStepsOf(train) - weightSteps };
}

export function combineEstimate(
  train: ExperimentConfig['train'],
  weightMs: number,
  archMs: number,
  warmupMs: number,
  evalMs = 0,
  batchMs = 0,
): RunEstimate {
  const { weightSteps, archSteps } = stepCounts(train);
  weightMs += batchMs;
  const evaluations = train.epochs + 1;
  const totalMs = warmupMs + weightSteps * weightMs + archSteps * archMs + evaluations * evalMs;
  return {
    weightSteps,
    archSteps,
    weightMs,
    batchMs,
    archMs: archSteps ? archMs : 0,
    warmupMs,
    evaluations,
    evalMs,
    totalMs,
  };
}

/**
 * Median ms to make one augmented training batch of the experiment's shape, as the search's batch feed
 * does (LandmarkSource.batchAt with the data Rng), on a few generated faces at the dataset's stored size.
 */
function timeAugmentedBatch(config: ExperimentConfig, now: () => number): number {
  const n = config.train.batchSize;
  const size = config.dataset.kind === 'synthface' ? config.dataset.size : config.inputSize;
  const data = generateDataset({ count: n, size, difficulty: 0.5, seed: 1 });
  const source = new LandmarkSource(data, {
    valFraction: 0,
    weightsFraction: 1,
    inputSize: config.inputSize,
  });
  const rng = new Rng(1);
  const indices = Array.from({ length: n }, (_, i) => i);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = now();
    const b = source.batchAt('weights', indices, rng);
    times.push(now() - t);
    tf.dispose([b.x, b.y]);
  }
  return median(times.slice(1));
}

/** Times validateArgmax twice on random data of the experiment's shape: [first, second] in ms. */
async function timeValidation(
  config: ExperimentConfig,
  space: SearchSpace,
  now: () => number,
): Promise<[number, number]> {
  const source = new RandomSource(
    taskOf(space.head),
    config.inputSize,
    space.input.channels,
    headOutputs(space.head),
    validationCount(config),
    2,
  );
  const trainer = new SearchTrainer(timingConfig(config), source, { space });
  try {
    const times: number[] = [];
    for (let i = 0; i < 2; i++) {
      const t = now();
      await validateArgmax(trainer.net, source, config.train.batchSize);
      times.push(now() - t);
    }
    return [times[0], times[1]];
  } finally {
    trainer.dispose();
    source.dispose();
  }
}

/**
 * Times the experiment's steps on the active backend: per kind a first step (compilation, allocation), then
 * more while they take less than TIMING_BUDGET_MS together (at least one, at most MAX_TIMED_STEPS in all);
 * the median of the later half is the per-step figure. `cancelled()` is checked between steps (null when it says so).
 */
export async function measureRunEstimate(
  config: ExperimentConfig,
  {
    cancelled = () => false,
    now = () => performance.now(),
    space,
  }: { cancelled?: () => boolean; now?: () => number; space?: SearchSpace } = {},
): Promise<RunEstimate | null> {
  const { archSteps } = stepCounts(config.train);
  const kinds = archSteps ? (['weights', 'arch'] as const) : (['weights'] as const);
  const ms = { weights: 0, arch: 0 };
  let warmupMs = 0;
  if (cancelled()) return null;
  // both kinds on one trainer, alternating as a run does after its warm-up (see experimentStepPair)
  const pair = experimentStepPair(config, { space });
  try {
    const timed = { weights: [] as number[], arch: [] as number[] };
    let spent = 0;
    // the first step compiles; later ones still warm up (JIT, memory growth, a single-path step meeting a
    // candidate for the first time: on the classroom default the first ten steps take 2-4x the later ones),
    // so steps are timed within a budget and the median of the later half taken
    while (
      timed.weights.length < 2 ||
      (timed.weights.length < MAX_TIMED_STEPS && spent < kinds.length * TIMING_BUDGET_MS)
    ) {
      for (const kind of kinds) {
        if (cancelled()) return null;
        const t = now();
        await pair[kind].step();
        const dt = now() - t;
        timed[kind].push(dt);
        spent += dt;
      }
    }
    for (const kind of kinds) {
      const list = timed[kind];
      ms[kind] = median(list.slice(Math.max(1, list.length >> 1)));
      warmupMs += Math.max(0, list[0] - ms[kind]);
    }
  } finally {
    pair.dispose();
  }
  if (cancelled()) return null;
  const searched = space ?? SPACES[config.space];
  let evalMs = 0;
  let batchMs = 0;
  if (searched && taskOf(searched.head) === 'landmarks') {
    const [first, second] = await timeValidation(config, searched, now);
    evalMs = second;
    warmupMs += Math.max(0, first - second);
    batchMs = timeAugmentedBatch(config, now);
  }
  return combineEstimate(config.train, ms.weights, ms.arch, warmupMs, evalMs, batchMs);
}
