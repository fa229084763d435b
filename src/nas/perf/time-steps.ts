/**
 * Timing of training steps: the benches (scripts/bench.ts, scripts/bench-browser) and the backend chosen by
 * measurement (issue 14) time a step the same way. The first step is timed on its own because on GPU
 * backends it includes compiling every kernel (seconds on SwiftShader), which says nothing about the
 * steady state; the median of the steps after the warm-up is the per-step figure.
 */

/** Anything that performs one optimizer step; the promise settles once the step's result is read back. */
export interface TrainingStep {
  label: string;
  /** One optimizer step; resolves with the loss (one read-back, so the device has finished the step). */
  step(): Promise<number>;
  dispose(): void;
  /** Optimizer steps one call of step() performs (default 1); timings are reported per optimizer step. */
  optimizerSteps?: number;
}

export interface TimeStepsOptions {
  /** Untimed steps before the timed rounds, the first (timed separately as firstMs) included; ≥ 1. */
  warmup?: number;
  /** Timed steps after the warm-up; ≥ 1. */
  rounds?: number;
  /** Stop the timed rounds early once they have taken this long in total (at least one round runs). */
  budgetMs?: number;
  /** Clock in ms (default performance.now). */
  now?: () => number;
}

export interface StepTiming {
  /** Wall time of the very first step: warm-up, kernel compilation, first allocations. */
  firstMs: number;
  /** Median wall time of the timed steps (per optimizer step). */
  medianMs: number;
  /** Wall time of every timed step, in order (per optimizer step). */
  samples: number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `warmup` steps (the first one timed as firstMs), then up to `rounds` timed steps. */
export async function timeSteps(
  step: Pick<TrainingStep, 'step' | 'optimizerSteps'>,
  { warmup = 1, rounds = 5, budgetMs = Infinity, now = () => performance.now() }: TimeStepsOptions = {},
): Promise<StepTiming> {
  if (!Number.isInteger(warmup) || warmup < 1)
    throw new Error(`warmup must be an integer ≥ 1, got ${warmup}`);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`rounds must be an integer ≥ 1, got ${rounds}`);
  let t = now();
  await step.step();
  const firstMs = now() - t;
  for (let i = 1; i < warmup; i++) await step.step();
  const samples: number[] = [];
  const start = now();
  for (let r = 0; r < rounds; r++) {
    if (r > 0 && now() - start > budgetMs) break;
    t = now();
    await step.step();
    samples.push((now() - t) / (step.optimizerSteps ?? 1));
  }
  return { firstMs, medianMs: median(samples), samples };
}
