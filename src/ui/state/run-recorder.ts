/**
 * Writes the run being searched into the library of runs (src/storage/runs.ts) as the search session learns
 * of it: a record appears with the first step, follows the run's status, collects its curves and the
 * architectures derived from it. Writes are coalesced (at most one every SAVE_MS, plus one per status
 * change) so recording never slows training down. Storage errors are kept, not thrown: a run that cannot be
 * recorded still trains.
 */
import type { ExperimentConfig, StepMetrics } from '../../nas/index.ts';
import type { DerivedResult, SearchLayout, TrainingStatus } from '../../worker/protocol.ts';
import type { CheckpointStore } from '../../storage/checkpoints.ts';
import { idbKV, type KV } from '../../storage/kv.ts';
import { canTransition, RunStore, type RunArch, type RunRecord, type RunStatus } from '../../storage/runs.ts';

const SAVE_MS = 2000;

const STATUS: Partial<Record<TrainingStatus, RunStatus>> = {
  running: 'running',
  paused: 'paused',
  finished: 'finished',
  diverged: 'diverged',
  // the worker failed (device lost): the run stopped without finishing; its checkpoint can resume it
  error: 'interrupted',
};

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

export class RunRecorder {
  readonly store: RunStore;
  /** Startup sweep: runs whose page went away while they ran are marked interrupted, once. */
  readonly ready: Promise<unknown>;
  private record: RunRecord | null = null;
  /** A fresh run not stored until it takes its first step (a configure alone is not a run). */
  private pending = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  lastError: string | null = null;
  /** Called after every write, so a library view can refresh. */
  onSaved: (() => void) | null = null;

  constructor(
    checkpoints: CheckpointStore<unknown, ExperimentConfig>,
    kv: KV = idbKV('nas-playground-library', 'runs'),
  ) {
    this.store = new RunStore(kv, checkpoints as CheckpointStore);
    this.ready = this.store.markInterrupted().catch(() => []);
  }

  get currentId(): string | null {
    return this.record?.id ?? null;
  }

  /** A supernet was built: a new run, or a stored one resumed (or reopened) under its id. */
  begin(
    layout: SearchLayout,
    config: ExperimentConfig,
    backend: string,
    device: string,
    resumed: boolean,
  ): void {
    this.flushRecord(this.record); // the previous run, as it is now
    const now = Date.now();
    this.record = {
      id: layout.runId,
      name: config.title || 'Untitled search',
      experiment: structuredClone(config),
      status: 'paused',
      createdAt: now,
      updatedAt: now,
      backend,
      device,
      step: layout.step,
      totalSteps: layout.totalSteps,
      history: layout.history.map(toPoint),
      evals: [],
      derived: [],
      origin: 'local',
    };
    this.pending = !resumed;
    if (!resumed) return;
    const id = layout.runId;
    this.enqueue(async () => {
      const stored = await this.store.get(id);
      const cur = this.record;
      if (!cur || cur.id !== id) return;
      if (stored) {
        // keep what was recorded; the curves continue from the restored step, with what came in meanwhile
        const kept = stored.history.filter((p) => p.step < layout.step);
        this.record = {
          ...stored,
          status: canTransition(stored.status, cur.status) ? cur.status : stored.status,
          backend,
          device,
          history: [
            ...(kept.length < layout.history.length ? layout.history.map(toPoint) : kept),
            ...cur.history.filter((p) => p.step >= layout.step),
          ],
          evals: [...stored.evals.filter((e) => e.step <= layout.step), ...cur.evals],
          derived: cur.derived.reduce(withArch, stored.derived),
        };
      }
      if (this.record) await this.store.put(this.record);
    });
  }

  status(s: TrainingStatus, step: number, totalSteps: number): void {
    const next = STATUS[s];
    const r = this.record;
    if (!r || !next) return;
    if (!canTransition(r.status, next)) return; // e.g. a finished run reopened for its results
    const finishing = (next === 'finished' || next === 'diverged') && r.status !== next;
    this.record = {
      ...r,
      status: next,
      step,
      totalSteps,
      ...(finishing ? { finishedAt: Date.now() } : {}),
    };
    if (next === 'running') this.pending = false;
    this.flushNow();
    // the pruning policy (runs.ts): a finished run keeps only its last checkpoint
    if (finishing && next === 'finished') {
      const id = r.id;
      this.enqueue(async () => void (await this.store.pruneRun(id)));
    }
  }

  metrics(items: readonly StepMetrics[]): void {
    const r = this.record;
    if (!r || !items.length) return;
    if (r.status === 'finished' || r.status === 'diverged') return;
    this.pending = false;
    this.record = { ...r, history: [...r.history, ...items.map(toPoint)], step: items.at(-1)!.step + 1 };
    this.timer ??= setTimeout(() => this.flushNow(), SAVE_MS);
  }

  evaluation(step: number, valNme: number | null): void {
    const r = this.record;
    if (!r) return;
    this.record = { ...r, evals: [...r.evals, { step, valNme }] };
    this.timer ??= setTimeout(() => this.flushNow(), SAVE_MS);
  }

  /** The search's own derivation at the end of a run. */
  derived(d: DerivedResult): void {
    this.addArch({ mode: 'argmax', arch: d.arch, choices: d.choices, macs: d.macs, params: d.params });
  }

  /**
   * An architecture derived (or finetuned, evaluated, exported) in Results: replaces the entry with the same
   * choices, else is added.
   */
  addArch(a: RunArch): void {
    const r = this.record;
    if (!r || this.pending) return;
    this.record = { ...r, derived: withArch(r.derived, a) };
    this.flushNow();
  }

  /** Writes the current record now (queued after earlier writes). */
  flushNow(): void {
    this.flushRecord(null);
  }

  /**
   * Queues a write of `snapshot`, or (null) of the current record as it is when the write happens: a resumed
   * run's stored record may be merged in before then.
   */
  private flushRecord(snapshot: RunRecord | null): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const id = (snapshot ?? this.record)?.id;
    if (!id || this.pending) return;
    this.enqueue(async () => {
      const r = snapshot ?? this.record;
      if (!r || r.id !== id) return;
      // renamed in the library meanwhile: keep the new name
      const stored = await this.store.get(r.id);
      const rec = stored ? { ...r, name: stored.name, createdAt: stored.createdAt } : r;
      await this.store.put({ ...rec, updatedAt: Date.now() });
    });
  }

  /** Stops recording the current run (deleted from the library): later events do not bring it back. */
  forget(id: string): void {
    if (this.record?.id !== id) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.record = null;
  }

  /** Waits for queued writes (tests and the library view). */
  settled(): Promise<unknown> {
    return this.chain;
  }

  private enqueue(fn: () => Promise<void>): void {
    this.chain = this.chain
      .then(() => this.ready)
      .then(fn)
      .then(
        () => {
          this.lastError = null;
          this.onSaved?.();
        },
        (err: unknown) => {
          this.lastError = err instanceof Error ? err.message : String(err);
        },
      );
  }
}

/** Adds an architecture, or updates the one with the same choices. */
function withArch(list: readonly RunArch[], a: RunArch): RunArch[] {
  const key = a.choices.join(',');
  const i = list.findIndex((x) => x.choices.join(',') === key);
  return i < 0 ? [...list, a] : list.map((x, j) => (j === i ? { ...x, ...a } : x));
}

function toPoint(m: StepMetrics) {
  return {
    step: m.step,
    loss: m.loss,
    taskLoss: m.taskLoss,
    expectedCost: m.expectedCost,
    entropy: mean(m.entropy),
  };
}
