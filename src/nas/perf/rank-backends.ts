/**
 * The backend chosen by measurement (issue 14): time one real training step on each available backend and
 * rank them, fastest first. A software renderer behind WebGPU/WebGL (SwiftShader, llvmpipe) is not trusted
 * by name: it competes like any backend and loses when the CPU path is faster. A backend whose first step
 * (kernel compilation included) already exceeds the budget is not timed further and counts as slower.
 */
import { median, type TrainingStep } from './time-steps.ts';

export interface BackendMeasurement<B extends string = string> {
  backend: B;
  /** Median ms per step after the warm-up (the first step's ms when it alone exceeded the budget); null on error. */
  msPerStep: number | null;
  /** The first step: warm-up and kernel compilation. */
  firstMs: number | null;
  /** The first step alone took longer than the budget: msPerStep is a lower bound. */
  overBudget: boolean;
  error?: string;
}

export interface RankBackendsOptions<B extends string> {
  /** Makes `backend` the active one (tf.setBackend); the step is built after it. */
  activate(backend: B): Promise<void>;
  /** Builds the step to time on the active backend. */
  build(backend: B): Promise<TrainingStep>;
  /** Timed steps after the one warm-up step; default 2. */
  rounds?: number;
  /** Per backend: stop timing once this much time is spent (default 15 s). */
  budgetMs?: number;
  now?: () => number;
}

/** Times the step on every backend in turn and returns the measurements, fastest first (errors last). */
export async function rankBackends<B extends string>(
  backends: readonly B[],
  { activate, build, rounds = 2, budgetMs = 15_000, now = () => performance.now() }: RankBackendsOptions<B>,
): Promise<BackendMeasurement<B>[]> {
  const out: BackendMeasurement<B>[] = [];
  for (const backend of backends) {
    let step: TrainingStep | null = null;
    try {
      await activate(backend);
      step = await build(backend);
      const t0 = now();
      await step.step();
      const firstMs = now() - t0;
      if (firstMs > budgetMs) {
        out.push({ backend, msPerStep: firstMs, firstMs, overBudget: true });
        continue;
      }
      const samples: number[] = [];
      for (let r = 0; r < rounds && (r === 0 || now() - t0 < budgetMs); r++) {
        const t = now();
        await step.step();
        samples.push(now() - t);
      }
      out.push({ backend, msPerStep: median(samples), firstMs, overBudget: false });
    } catch (err) {
      out.push({
        backend,
        msPerStep: null,
        firstMs: null,
        overBudget: false,
        error: err instanceof Error ? err.message : String(err),
      });
    } finally {
      step?.dispose();
    }
  }
  return sortBySpeed(out);
}

/** Fastest first; a backend that failed sorts last. */
export function sortBySpeed<M extends { msPerStep: number | null }>(measurements: readonly M[]): M[] {
  const key = (m: M) => m.msPerStep ?? Infinity;
  return [...measurements].sort((a, b) => key(a) - key(b));
}
