/**
 * Sample-based strategies side by side, inside the worker: a thin adapter from the strategies requests to
 * the engine's SideBySide (src/nas/sample-search) over the search session's trained supernet, scored
 * one-shot with a cache shared by all runs. Streams progress (with the resumable state) after every
 * evaluation; the UI keeps the latest state as the run's checkpoint.
 */
import {
  macsCost,
  OneShotEvaluator,
  SideBySide,
  tokenSpaceOf,
  type SearchTrainer,
  type SideBySideSettings,
  type SideBySideState,
  type SideBySideSummary,
} from '../nas/index.ts';
import { WorkerRequestError, type WorkerEvent } from './protocol.ts';

export interface StrategiesStartArgs {
  settings: SideBySideSettings;
  /** Continue this checkpoint instead of starting over (its settings win). */
  resume?: SideBySideState;
  /** BatchNorm recalibration batches per one-shot evaluation (default 8). */
  recalibrationBatches?: number;
}

export interface StrategiesOutcome {
  status: 'finished' | 'stopped';
  summary: SideBySideSummary;
  state: SideBySideState;
  best: { tokens: number[]; reward: number; nme: number; cost: number } | null;
}

export class StrategiesSession {
  private abort: AbortController | null = null;
  private evaluator: OneShotEvaluator | null = null;

  constructor(
    private readonly emit: (event: WorkerEvent) => void,
    private readonly getTrainer: () => SearchTrainer | null,
  ) {}

  async start(args: StrategiesStartArgs): Promise<StrategiesOutcome> {
    if (this.abort) throw new WorkerRequestError('Strategies are already running', 'busy');
    const t = this.getTrainer();
    if (!t) {
      throw new WorkerRequestError(
        'Train or resume a supernet first: there is nothing to score candidates on.',
        'no-search',
      );
    }
    // one cache per supernet: a different (or further trained) trainer gets a fresh evaluator
    const batches = args.recalibrationBatches ?? 8;
    if (this.evaluator?.trainer !== t || this.evaluator.options.recalibrationBatches !== batches) {
      this.evaluator = new OneShotEvaluator(t, { recalibrationBatches: batches });
    }
    const ev = this.evaluator;
    const space = tokenSpaceOf(t.net.space);
    const costOf = macsCost(space);
    const evaluate = (tokens: number[]) => ev.score(tokens);
    let run: SideBySide;
    try {
      run = args.resume
        ? SideBySide.restore(space, args.resume, costOf, evaluate)
        : new SideBySide(space, args.settings, costOf, evaluate);
    } catch (e) {
      throw new WorkerRequestError(e instanceof Error ? e.message : String(e), 'bad-settings');
    }
    const abort = new AbortController();
    this.abort = abort;
    const started = performance.now();
    const doneAtStart = run.progress().done;
    try {
      while (!run.done && !abort.signal.aborted) {
        await run.step();
        const { done, total } = run.progress();
        const perEval = (performance.now() - started) / Math.max(1, done - doneAtStart);
        this.emit({
          type: 'strategies-progress',
          done,
          total,
          etaMs: perEval * (total - done),
          summary: run.summary(),
          state: run.state(),
        });
        await new Promise<void>((r) => setTimeout(r, 0)); // let a stop request in
      }
    } finally {
      this.abort = null;
    }
    const best = run.best();
    return {
      status: run.done ? 'finished' : 'stopped',
      summary: run.summary(),
      state: run.state(),
      best: best && { tokens: best.tokens, reward: best.reward, nme: best.nme, cost: best.cost },
    };
  }

  stop(): { stopped: boolean } {
    const a = this.abort;
    a?.abort();
    return { stopped: !!a };
  }
}
