/**
 * The sweep and the estimate check inside the worker: a thin adapter from requests to the engine's
 * src/nas/sweep. A sweep builds its own data and trainers from the experiment (it does not touch the search
 * session's run); the estimate check reads the search session's trainer and trains only its own copy of the
 * derived network. One task at a time; cancel stops either.
 */
import {
  checkStandalone,
  DEFAULT_FINETUNE,
  runSweep,
  searchTask,
  sweepWeights,
  type FinetuneRecipe,
  type SearchTrainer,
  type StandaloneCheck,
  type SweepResult,
} from '../nas/index.ts';
import { WorkerRequestError, type SweepArgs, type WorkerEvent } from './protocol.ts';
import { buildSource } from './data-source.ts';
import { resolveCost } from './cost-source.ts';

/** Least time between two progress events (ms); the last one is always posted. */
const PROGRESS_EVERY_MS = 150;

function recipeOf(steps: number | undefined): FinetuneRecipe {
  const s = steps ?? DEFAULT_FINETUNE.steps;
  if (!Number.isInteger(s) || s < 1 || s > 100_000)
    throw new WorkerRequestError('Finetune steps must be a whole number from 1 to 100000.', 'bad-request');
  return { ...DEFAULT_FINETUNE, steps: s };
}

export class SweepSession {
  private abort: AbortController | null = null;

  constructor(
    private readonly emit: (event: WorkerEvent) => void,
    private readonly getTrainer: () => SearchTrainer | null,
  ) {}

  private async exclusive<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.abort) throw new WorkerRequestError('A sweep or estimate check is already running.', 'busy');
    const abort = new AbortController();
    this.abort = abort;
    try {
      return await fn(abort.signal);
    } finally {
      this.abort = null;
    }
  }

  async run({ config, betas, finetuneSteps }: SweepArgs): Promise<SweepResult> {
    const recipe = recipeOf(finetuneSteps);
    if (
      !Array.isArray(betas) ||
      betas.length < 1 ||
      betas.length > 8 ||
      !betas.every((b) => b >= 0 && b < 100)
    )
      throw new WorkerRequestError('Give one to eight values of β, each from 0 to 100.', 'bad-request');
    return this.exclusive(async (signal) => {
      let lastPost = 0;
      const { source } = await buildSource(config, (label, done, total) =>
        this.emit({ type: 'progress', label, done, total }),
      );
      try {
        if (source.task !== 'landmarks')
          throw new WorkerRequestError('The sweep supports landmark searches only.', 'unsupported');
        const cost = await resolveCost(config);
        return await runSweep(config, source, {
          weights: sweepWeights(config, betas),
          recipe,
          searchOptions: cost.options,
          signal,
          onProgress: (p) => {
            const now = performance.now();
            if (now - lastPost < PROGRESS_EVERY_MS && p.done < p.total) return;
            lastPost = now;
            this.emit({ type: 'sweep-progress', ...p });
          },
          onPoint: (point) => this.emit({ type: 'sweep-point', point }),
        });
      } finally {
        source.dispose();
      }
    });
  }

  /** Derive + short finetune of the search's argmax network, next to the supernet's estimate. */
  async checkEstimate({ finetuneSteps }: { finetuneSteps?: number }): Promise<StandaloneCheck> {
    const recipe = recipeOf(finetuneSteps);
    return this.exclusive(async (signal) => {
      const t = this.getTrainer();
      if (!t) throw new WorkerRequestError('Run a search first.', 'no-search');
      if (searchTask(t) !== 'landmarks')
        throw new WorkerRequestError('The estimate check supports landmark searches only.', 'unsupported');
      let lastPost = 0;
      return checkStandalone(t, {
        recipe,
        signal,
        onStep: (step, total) => {
          const now = performance.now();
          if (now - lastPost < PROGRESS_EVERY_MS && step < total) return;
          lastPost = now;
          this.emit({ type: 'estimate-progress', step, total });
        },
      });
    });
  }

  cancel(): { cancelled: boolean } {
    if (!this.abort) return { cancelled: false };
    this.abort.abort();
    return { cancelled: true };
  }
}
