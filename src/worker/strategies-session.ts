/**
 * Sample-based strategies side by side, inside the worker: a thin adapter from the strategies requests to
 * the engine's SideBySide (src/nas/sample-search) over the search session's trained supernet, scored
 * one-shot with a cache shared by all runs. Streams progress (with the resumable state) after every
 * evaluation; the UI keeps the latest state as the run's checkpoint.
 */
import {
  macsCost,
  OneShotEvaluator,
  randomTokens,
  Rng,
  tokenKey,
  weightSharingCheck,
  type WeightSharingReport,
  SideBySide,
  tokenSpaceOf,
  type SearchTrainer,
  type SideBySideState,
  type SideBySideSummary,
} from '../nas/index.ts';
import {
  WorkerRequestError,
  type StrategiesOutcome,
  type StrategiesStartArgs,
  type WeightSharingArgs,
  type WorkerEvent,
} from './protocol.ts';

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

  /**
   * The weight-sharing caveat: `count` random candidates scored one-shot and trained standalone, with
   * Kendall's τ between the two NME lists (streams weight-sharing-progress).
   */
  async weightSharing(args: WeightSharingArgs): Promise<WeightSharingReport> {
    if (this.abort) throw new WorkerRequestError('Strategies are already running', 'busy');
    const t = this.getTrainer();
    if (!t) throw new WorkerRequestError('Train or resume a supernet first.', 'no-search');
    if (!(Number.isInteger(args.count) && args.count >= 2 && args.count <= 50)) {
      throw new WorkerRequestError(`Pick 2 to 50 candidates, got ${args.count}`, 'bad-settings');
    }
    if (!(Number.isInteger(args.steps) && args.steps >= 1) || !(args.lr > 0)) {
      throw new WorkerRequestError(
        'Standalone training needs at least 1 step and a positive learning rate',
        'bad-settings',
      );
    }
    if (this.evaluator?.trainer !== t) this.evaluator = new OneShotEvaluator(t, { recalibrationBatches: 8 });
    const space = tokenSpaceOf(t.net.space);
    const rng = new Rng(args.seed);
    const keys = new Set<string>();
    const candidates: number[][] = [];
    const size = space.ranges.reduce((a, r) => a * r, 1);
    while (candidates.length < Math.min(args.count, size)) {
      const c = randomTokens(space.ranges, rng);
      if (!keys.has(tokenKey(c))) (candidates.push(c), keys.add(tokenKey(c)));
    }
    const abort = new AbortController();
    this.abort = abort;
    try {
      return await weightSharingCheck(
        this.evaluator,
        candidates,
        { steps: args.steps, lr: args.lr, seed: args.seed },
        (row, done) => this.emit({ type: 'weight-sharing-progress', done, total: candidates.length, row }),
        abort.signal,
      );
    } finally {
      this.abort = null;
    }
  }

  stop(): { stopped: boolean } {
    const a = this.abort;
    a?.abort();
    return { stopped: !!a };
  }
}
