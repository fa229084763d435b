/**
 * How long a search will take on this device, before it starts (issue 14): one weight step and one
 * architecture step of the experiment are timed on the active backend (after a warm-up step each, so
 * kernel compilation is not counted per step) and multiplied by how many of each the schedule runs.
 */
import type { SearchSpace } from '../arch/spec.ts';
import type { ExperimentConfig } from '../experiment.ts';
import { totalStepsOf } from '../search/schedule.ts';
import { experimentStep } from './experiment-step.ts';

export interface RunEstimate {
  weightSteps: number;
  archSteps: number;
  weightMs: number;
  /** ms per architecture step (0 when the schedule has none). */
  archMs: number;
  /** The first step's extra time (kernel compilation, warm-up), paid once. */
  warmupMs: number;
  totalMs: number;
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
): RunEstimate {
  const { weightSteps, archSteps } = stepCounts(train);
  const totalMs = warmupMs + weightSteps * weightMs + archSteps * archMs;
  return { weightSteps, archSteps, weightMs, archMs: archSteps ? archMs : 0, warmupMs, totalMs };
}

/**
 * Times the experiment's steps on the active backend: per kind a first step (compilation, allocation) and
 * one more that is the per-step figure. `cancelled()` is checked between steps (null when it says so).
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
      let t = now();
      await step.step();
      const firstMs = now() - t;
      if (cancelled()) return null;
      t = now();
      await step.step();
      ms[kind] = now() - t;
      warmupMs += Math.max(0, firstMs - ms[kind]);
    } finally {
      step.dispose();
    }
  }
  return combineEstimate(config.train, ms.weights, ms.arch, warmupMs);
}
