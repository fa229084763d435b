/**
 * The search workspace's state: the experiment being edited, the run's status and the metric history
 * streamed from the worker. Components read it and call its methods; only this class talks to the worker.
 */
import { DEFAULT_EXPERIMENT, type ExperimentConfig, type StepMetrics } from '../../nas/index.ts';
import type { DerivedResult, SearchLayout, TrainingStatus, WorkerEvent } from '../../worker/protocol.ts';
import { CheckpointStore, type CheckpointInfo, type RunManifest } from '../../storage/checkpoints.ts';
import { idbKV } from '../../storage/kv.ts';
import { runtime } from './runtime.svelte.ts';

export const checkpointStore = new CheckpointStore<unknown, ExperimentConfig>(
  idbKV('nas-playground', 'runs'),
);

/** UI refresh is throttled: metric events are buffered and flushed at most this often. */
const FLUSH_MS = 250;

/** Test hook: `?ckptEvery=N` checkpoints every N steps instead of the default. */
function checkpointEveryHook(): number | undefined {
  const v = Number(new URLSearchParams(location.search).get('ckptEvery'));
  return Number.isInteger(v) && v > 0 ? v : undefined;
}

export class SearchSession {
  config = $state<ExperimentConfig>(structuredClone(DEFAULT_EXPERIMENT));
  layout = $state.raw<SearchLayout | null>(null);
  status = $state<TrainingStatus>('idle');
  step = $state(0);
  totalSteps = $state(0);
  history = $state.raw<StepMetrics[]>([]);
  evals = $state.raw<{ step: number; valNme: number | null }[]>([]);
  checkpoints = $state.raw<CheckpointInfo[]>([]);
  derived = $state.raw<DerivedResult | null>(null);
  message = $state<string | null>(null);
  error = $state<string | null>(null);
  progress = $state<{ label: string; done: number; total: number } | null>(null);
  /** An interrupted run found in storage at start-up, offered for resuming. */
  resumable = $state.raw<RunManifest<ExperimentConfig> | null>(null);
  scrubIndex = $state<number | null>(null);
  selectedLayer = $state(0);
  busy = $state(false);
  private runStartedAt = 0;
  private stepAtRunStart = 0;
  private buffer: StepMetrics[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private unsubscribe: (() => void) | null = null;

  /** The metrics shown: the scrubbed step, else the latest. */
  current = $derived.by(() => {
    const h = this.history;
    if (!h.length) return null;
    return h[this.scrubIndex ?? h.length - 1] ?? h[h.length - 1];
  });

  etaSeconds = $derived.by(() => {
    if (this.status !== 'running' || !this.runStartedAt) return null;
    const done = this.step - this.stepAtRunStart;
    if (done < 2) return null;
    const perStep = (performance.now() - this.runStartedAt) / 1000 / done;
    return Math.max(0, (this.totalSteps - this.step) * perStep);
  });

  connect(): void {
    this.unsubscribe?.();
    this.unsubscribe = runtime.client?.onEvent((e) => this.onEvent(e)) ?? null;
  }

  async findResumable(): Promise<void> {
    try {
      const runs = await checkpointStore.listRuns();
      this.resumable =
        runs.find((r) => (r.status === 'running' || r.status === 'paused') && r.checkpoints.length) ?? null;
    } catch {
      this.resumable = null; // storage unavailable: nothing to offer
    }
  }

  private get client() {
    const c = runtime.client;
    if (!c) throw new Error('The training engine is not running yet.');
    return c;
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    this.error = null;
    this.busy = true;
    try {
      return await fn();
    } catch (err) {
      this.error = `${what} failed: ${err instanceof Error ? err.message : String(err)}`;
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  async configure(resumeRunId?: string): Promise<boolean> {
    this.connect();
    const layout = await this.guard('Preparing the search', () =>
      this.client.call('configure', {
        config: $state.snapshot(this.config) as ExperimentConfig,
        resumeRunId,
        checkpointEvery: checkpointEveryHook(),
      }),
    );
    if (!layout) return false;
    this.layout = layout;
    this.history = layout.history;
    this.evals = [];
    this.step = layout.step;
    this.totalSteps = layout.totalSteps;
    this.derived = null;
    this.scrubIndex = null;
    this.selectedLayer = Math.min(this.selectedLayer, Math.max(0, layout.layers.length - 1));
    this.status = resumeRunId ? 'paused' : 'ready';
    this.progress = null;
    await this.refreshCheckpoints();
    return true;
  }

  async start(): Promise<void> {
    if (!this.layout && !(await this.configure())) return;
    this.runStartedAt = performance.now();
    this.stepAtRunStart = this.step;
    this.message = null;
    await this.guard('Starting', () => this.client.call('start', {}));
  }

  async resumeStored(): Promise<void> {
    const run = this.resumable;
    if (!run) return;
    this.config = structuredClone(run.config);
    this.resumable = null;
    // restores the checkpoint and waits, paused, so the restored state can be inspected before resuming
    await this.configure(run.runId);
  }

  async discardStored(): Promise<void> {
    const run = this.resumable;
    this.resumable = null;
    if (run) await checkpointStore.setStatus(run.runId, 'stopped').catch(() => undefined);
  }

  async pause(): Promise<void> {
    await this.guard('Pausing', () => this.client.call('pause', {}));
  }

  async stepOnce(phase: 'weights' | 'arch'): Promise<void> {
    if (!this.layout && !(await this.configure())) return;
    const m = await this.guard('Stepping', () => this.client.call('step', { phase }));
    if (m) this.flush();
  }

  async stop(): Promise<void> {
    await this.guard('Stopping', () => this.client.call('stop', {}));
  }

  /** Back to the initial supernet; a new seed only when asked for. */
  async reset(newSeed: boolean): Promise<void> {
    if (newSeed) this.config.seeds = { ...this.config.seeds, init: (this.config.seeds.init + 1) >>> 0 };
    this.layout = null;
    await this.configure();
  }

  async derive(mode: 'argmax' | 'sample' = 'argmax'): Promise<void> {
    const d = await this.guard('Deriving', () => this.client.call('derive', { mode }));
    if (d) this.derived = d;
  }

  async thetaReadout(): Promise<number[][] | null> {
    return (await this.guard('Reading θ', () => this.client.call('thetaReadout', {})))?.theta ?? null;
  }

  async refreshCheckpoints(): Promise<void> {
    if (!this.layout) return;
    try {
      this.checkpoints = (await checkpointStore.manifest(this.layout.runId))?.checkpoints ?? [];
    } catch {
      this.checkpoints = [];
    }
  }

  async deleteCheckpoint(seq: number): Promise<void> {
    if (!this.layout) return;
    await checkpointStore.deleteCheckpoint(this.layout.runId, seq);
    await this.refreshCheckpoints();
  }

  private onEvent(e: WorkerEvent): void {
    switch (e.type) {
      case 'metrics':
        this.buffer.push(...e.items);
        this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
        break;
      case 'status':
        this.flush();
        this.status = e.status;
        this.step = e.step;
        this.totalSteps = e.totalSteps;
        if (e.message) this.message = e.message;
        if (e.status === 'finished') void this.derive();
        break;
      case 'evaluation':
        this.evals = [...this.evals, { step: e.step, valNme: e.valNme }];
        break;
      case 'checkpoint':
        void this.refreshCheckpoints();
        break;
      case 'progress':
        this.progress = e.done >= e.total ? null : { label: e.label, done: e.done, total: e.total };
        break;
      case 'device-lost':
        this.status = 'error';
        this.error = `${e.message} The last checkpoint is kept; reload the page to resume from it.`;
        break;
      default:
        break;
    }
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.buffer.length) return;
    const items = this.buffer;
    this.buffer = [];
    this.history = [...this.history, ...items];
    this.step = items[items.length - 1].step + 1;
  }
}

export const search = new SearchSession();
