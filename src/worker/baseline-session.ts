/**
 * "Better than random?" inside the worker: a thin adapter from the baseline requests to the engine's
 * src/nas/random-baseline. The searched network is the argmax derivation of the search session's trainer,
 * the data is that trainer's; planning, training and the verdict are the engine's.
 *
 * The worker is the one writer of the check's stored state (storage/baseline-checks.ts, in the runs
 * library): after planning and after every finished (network, init seed) unit, so a reload loses at most
 * the unit in training. The UI hears of each state once it is written.
 */
import {
  deriveSubnet,
  planBaseline,
  runBaselineCheck,
  searchedChoices,
  searchTask,
  type BaselineCheckState,
  type SearchTrainer,
} from '../nas/index.ts';
import { baselineStateProblem, type BaselineCheckStore } from '../storage/baseline-checks.ts';
import { isRunId } from '../storage/runs.ts';
import { WorkerRequestError, type BaselineStartArgs, type WorkerEvent } from './protocol.ts';

/** Least time between two progress events (ms); a unit's first and last step are always posted. */
const PROGRESS_EVERY_MS = 150;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class BaselineSession {
  private abort: AbortController | null = null;

  constructor(
    private readonly emit: (event: WorkerEvent) => void,
    private readonly getTrainer: () => SearchTrainer | null,
    private readonly store: BaselineCheckStore,
  ) {}

  async start(
    args: BaselineStartArgs,
  ): Promise<{ outcome: 'finished' | 'aborted'; state: BaselineCheckState }> {
    if (this.abort) throw new WorkerRequestError('A random-baseline check is already running.', 'busy');
    const { runId, settings, resume } = args;
    if (!isRunId(runId)) throw new WorkerRequestError(`"${String(runId)}" is not a run id.`, 'bad-request');
    const t = this.getTrainer();
    if (!t)
      throw new WorkerRequestError(
        'Open a finished search first: its data and space are needed.',
        'no-search',
      );
    if (searchTask(t) !== 'landmarks')
      throw new WorkerRequestError(
        'The random-baseline check supports landmark searches only.',
        'unsupported',
      );
    const problem = resume === undefined ? null : baselineStateProblem(resume);
    if (problem) throw new WorkerRequestError(`The check cannot be resumed: ${problem}.`, 'bad-request');
    const abort = new AbortController();
    this.abort = abort;
    try {
      const state = resume ?? (await this.plan(t, settings));
      let writes = this.persist(runId, state);
      const results = Object.fromEntries(Object.entries(state.results).map(([id, xs]) => [id, [...xs]]));
      let lastPost = 0;
      const out = await runBaselineCheck(state, t.source, {
        signal: abort.signal,
        onProgress: (p) => {
          const now = performance.now();
          if (p.step !== 0 && p.step !== p.steps && now - lastPost < PROGRESS_EVERY_MS) return;
          lastPost = now;
          this.emit({ type: 'baseline-progress', ...p });
        },
        onResult: (id, seedIndex, nme) => {
          const row = (results[id] ??= []);
          row[seedIndex] = nme;
          const snapshot = { plan: state.plan, results: structuredClone(results) };
          writes = writes.then(() => this.persist(runId, snapshot));
          return writes;
        },
      }).catch((e: unknown) => {
        throw e instanceof WorkerRequestError ? e : new WorkerRequestError(message(e), 'failed');
      });
      await writes;
      return out;
    } finally {
      this.abort = null;
    }
  }

  /** A fresh plan around the search's argmax network (derived only to read its choices, then dropped). */
  private async plan(t: SearchTrainer, settings: BaselineStartArgs['settings']): Promise<BaselineCheckState> {
    const { model, summary } = await deriveSubnet(t, { mode: 'argmax' });
    model.dispose();
    try {
      const plan = planBaseline({
        config: t.config,
        space: t.space,
        searched: searchedChoices(summary),
        settings,
      });
      return { plan, results: {} };
    } catch (e) {
      throw new WorkerRequestError(message(e), 'bad-settings');
    }
  }

  /** Writes the state, then tells the UI; a failed write is reported and the check goes on. */
  private async persist(runId: string, state: BaselineCheckState): Promise<void> {
    try {
      await this.store.save(runId, state);
      this.emit({ type: 'baseline-state', runId, state });
    } catch (e) {
      this.emit({ type: 'baseline-state', runId, state, storageError: message(e) });
    }
  }

  stop(): { stopped: boolean } {
    const a = this.abort;
    a?.abort();
    return { stopped: !!a };
  }
}
