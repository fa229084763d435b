/**
 * How long a search will take on this device, before it starts (issue 14): the experiment's weight and
 * architecture steps are timed on the active backend (see measureRunEstimate for how many) and multiplied
 * by how many of each the schedule runs; the validation the workspace runs at every epoch's end and at the
 * finish (BatchNorm recalibration of the argmax path, then the validation split) is timed too and added
 * per evaluation. The first step's extra time (compilation) is counted once.
 */
import { taskOf, type SearchSpace } from '../arch/spec.ts';
import type { ExperimentConfig } from '../experiment.ts';
import { headOutputs } from '../model/head.ts';
import { totalStepsOf } from '../search/schedule.ts';
import { SearchTrainer } from '../search/trainer.ts';
import { validateArgmax } from '../search/validate.ts';
import { SPACES } from '../spaces/index.ts';
import { experimentStep, timingConfig } from './experiment-step.ts';
import { median } from './time-steps.ts';
import { RandomSource } from './random-source.ts';

export interface RunEstimate {
  weightSteps: number;
  archSteps: number;
  weightMs: number;
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
): RunEstimate {
  const { weightSteps, archSteps } = stepCounts(train);
  const evaluations = train.epochs + 1;
  const totalMs = warmupMs + weightSteps * weightMs + archSteps * archMs + evaluations * evalMs;
  return {
    weightSteps,
    archSteps,
    weightMs,
    archMs: archSteps ? archMs : 0,
    warmupMs,
    evaluations,
    evalMs,
    totalMs,
  };
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
  for (const kind of kinds) {
    if (cancelled()) return null;
    const step = await experimentStep(config, { kind, space });
    try {
      const timed: number[] = [];
      let spent = 0;
      // the first step compiles; later ones still warm up (JIT, memory growth, a single-path step meeting a
      // candidate for the first time: on the classroom default the first ten steps take 2-4x the later ones),
      // so steps are timed within a budget and the median of the later half taken
      while (timed.length < 2 || (timed.length < MAX_TIMED_STEPS && spent < TIMING_BUDGET_MS)) {
        if (cancelled()) return null;
        const t = now();
        await step.step();
        const dt = now() - t;
        timed.push(dt);
        spent += dt;
      }
      ms[kind] = median(timed.slice(Math.max(1, timed.length >> 1)));
      warmupMs += Math.max(0, timed[0] - ms[kind]);
    } finally {
      step.dispose();
    }
  }
  if (cancelled()) return null;
  const searched = space ?? SPACES[config.space];
  let evalMs = 0;
  if (searched && taskOf(searched.head) === 'landmarks') {
    const [first, second] = await timeValidation(config, searched, now);
    evalMs = second;
    warmupMs += Math.max(0, first - second);
  }
  return combineEstimate(config.train, ms.weights, ms.arch, warmupMs, evalMs);
}
