/**
 * The search workspace's state: the experiment being edited, the run's status and the metric history
 * streamed from the worker. Components read it and call its methods; only this class talks to the worker.
 */
import {
  DEFAULT_EXPERIMENT,
  DEFAULT_V2,
  type ExperimentConfig,
  type GumbelPaths,
  EXPERIMENT_NUMBERS,
  isOptionList,
  numberField,
  readNumber,
  writeNumber,
  type NumberPath,
  type V2OptionKind,
  type StepMetrics,
} from '../../nas/index.ts';
import { check, numberRule } from '../../share/index.ts';
import type {
  BackendChoice,
  DerivedResult,
  SearchLayout,
  TrainingStatus,
  WorkerEvent,
} from '../../worker/protocol.ts';
import { CheckpointStore, type CheckpointInfo, type RunManifest } from '../../storage/checkpoints.ts';
import { idbKV } from '../../storage/kv.ts';
import { heldLockNames, runLockName } from '../../storage/locks.ts';
import { listenToRuns, type RunAnnouncement } from '../../worker/run-broadcast.ts';
import { runtime } from './runtime.svelte.ts';
import { RunPace } from './run-pace.svelte.ts';
import { RunEstimator } from './run-estimate.svelte.ts';
import { RunRecorder } from './run-recorder.ts';

export const checkpointStore = new CheckpointStore<unknown, ExperimentConfig>(
  idbKV('nas-playground', 'runs'),
);

/** Every search is kept in the library of runs (Runs area). */
export const recorder = new RunRecorder(checkpointStore);

/** UI refresh is throttled: metric events are buffered and flushed at most this often. */
const FLUSH_MS = 250;

/** Test hook: `?ckptEvery=N` checkpoints every N steps instead of the default. */
function checkpointEveryHook(): number | undefined {
  const v = Number(new URLSearchParams(location.search).get('ckptEvery'));
  return Number.isInteger(v) && v > 0 ? v : undefined;
}

/** A value that may be read but not changed in place. */
/** A run another tab of the app holds (its lock), with what that tab last said it is doing. */
export interface RunElsewhere {
  runId: string;
  title: string;
  status: string;
  step: number;
}

/** How often a tab re-checks whether another tab still holds a run it could otherwise offer to resume. */
const ELSEWHERE_POLL_MS = 2000;

export type ReadonlyDeep<T> = T extends (infer U)[]
  ? readonly ReadonlyDeep<U>[]
  : T extends object
    ? { readonly [K in keyof T]: ReadonlyDeep<T[K]> }
    : T;

export class SearchSession {
  #config = $state<ExperimentConfig>(structuredClone(DEFAULT_EXPERIMENT));
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
  /** Runs open in another tab of the app: shown, never offered for resuming here. */
  elsewhere = $state.raw<RunElsewhere[]>([]);
  /** The run the worker was training when it crashed or lost its device: offered for resuming elsewhere. */
  recovery = $state.raw<{ runId: string; step: number } | null>(null);
  scrubIndex = $state<number | null>(null);
  selectedLayer = $state(0);
  busy = $state(false);
  /** Warm-up time, steps/s and time left of the running search. */
  readonly pace = new RunPace();
  /** The run's duration on this device, measured before Start. */
  readonly estimator = new RunEstimator();
  private buffer: StepMetrics[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopListening: (() => void) | null = null;
  private pollTimer: ReturnType<typeof setTimeout> | null = null;

  /** The metrics shown: the scrubbed step, else the latest. */
  current = $derived.by(() => {
    const h = this.history;
    if (!h.length) return null;
    return h[this.scrubIndex ?? h.length - 1] ?? h[h.length - 1];
  });

  /**
   * The experiment being edited. Read-only from outside: every change goes through `config =`, `edit` or a
   * setter below, which keep the invariant that any edit invalidates the built supernet.
   */
  get config(): ReadonlyDeep<ExperimentConfig> {
    return this.#config;
  }
  set config(c: ExperimentConfig) {
    this.#config = c;
    this.invalidate();
  }

  /** A plain, mutable copy of the experiment (for the worker, links and storage). */
  snapshot(): ExperimentConfig {
    return $state.snapshot(this.#config);
  }

  /** Changes the experiment; the supernet built for the old one is dropped and the next Start rebuilds it. */
  edit(change: (c: ExperimentConfig) => void): void {
    change(this.#config);
    this.invalidate();
  }

  /** A running search keeps its supernet: the form is locked meanwhile. */
  private invalidate(): void {
    if (this.status !== 'running') this.layout = null;
    this.estimator.drop();
  }

  /** Times the experiment's steps on the active backend to estimate the run's duration. */
  async estimateDuration(): Promise<void> {
    const c = runtime.client;
    if (!c || runtime.status !== 'ready') return;
    await this.estimator.measure(c, this.snapshot());
  }

  /**
   * A smaller experiment for a slow device: single-path GDAS with hard samples (one candidate per layer
   * in every step) and, when the input is larger, 32 px.
   */
  applyFastPreset(): void {
    this.edit((c) => {
      c.gumbel = { ...c.gumbel, hard: true, paths: 'single' };
      c.inputSize = Math.min(c.inputSize, 32);
    });
  }

  /**
   * Sets a number of the experiment, repaired as a share link would be (clamped, rounded, or kept as it
   * was when not a number or outside an open bound), and within the field it may not exceed. Returns the
   * value used; the config holds only values a link can carry.
   */
  setNumber(path: NumberPath, raw: number): number | undefined {
    const current = readNumber(this.#config, path);
    if (current === undefined) return undefined;
    const f = numberField(path);
    // + 0 turns -0 into 0: a link (JSON) cannot carry -0
    let value = (check(numberRule(f), raw, current).value as number) + 0;
    const cap = f.atMost && readNumber(this.#config, f.atMost);
    if (cap !== undefined && value > cap) value = cap;
    if (value === current) return value;
    this.edit((c) => {
      writeNumber(c, path, value);
      // fields capped by this one follow it down (warm-up epochs when the epochs shrink)
      for (const g of EXPERIMENT_NUMBERS)
        if (g.atMost === path && (readNumber(c, g.path) ?? 0) > value) writeNumber(c, g.path, value);
    });
    return value;
  }

  /**
   * One of FBNetV2's option lists, sorted and without repeats; ignored (false) unless a link can carry it
   * (each option valid, at most V2_MAX_OPTIONS).
   */
  setOptions(kind: V2OptionKind, options: readonly number[]): boolean {
    const values = [...new Set(options)].sort((a, b) => a - b);
    if (!isOptionList(kind, values)) return false;
    this.edit((c) => {
      const v2 = c.v2 ?? DEFAULT_V2;
      c.v2 = {
        widthFractions: [...v2.widthFractions],
        resolutionFactors: [...v2.resolutionFactors],
        [kind]: values,
      };
    });
    return true;
  }

  /**
   * Paths per supernet step. 'all' (FBNet) is stored as no field, as configs from before the setting
   * existed have it, so such experiments and their links stay as they were; 'single' (GDAS) implies hard
   * samples whatever gumbel.hard says.
   */
  setPaths(paths: GumbelPaths): void {
    this.edit((c) => {
      const { paths: _, ...gumbel } = c.gumbel;
      c.gumbel = paths === 'single' ? { ...gumbel, paths } : gumbel;
    });
  }

  /** Another search space: the candidate edits were for the old one's layers. */
  setSpace(space: string): void {
    this.edit((c) => {
      c.space = space;
      c.candidateEdits = {};
    });
  }

  /** Candidates of one searchable layer; a layer keeps at least one, so an empty list is ignored. */
  setCandidates(layer: number, names: string[]): void {
    if (names.length === 0) return;
    this.edit((c) => (c.candidateEdits = { ...c.candidateEdits, [layer]: [...names] }));
  }

  connect(): void {
    this.unsubscribe?.();
    const client = runtime.client;
    const offEvents = client?.onEvent((e) => this.onEvent(e));
    const offCrash = runtime.onCrash((message) => this.onWorkerLost(message));
    this.unsubscribe = () => {
      offEvents?.();
      offCrash();
    };
  }

  /**
   * An interrupted run to offer for resuming, unless another tab holds it (then it is listed in
   * `elsewhere` with what that tab is doing, and checked again until that tab lets go).
   */
  async findResumable(): Promise<void> {
    this.stopListening ??= listenToRuns((a) => this.onAnnouncement(a));
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    try {
      const runs = await checkpointStore.listRuns();
      const held = new Set(await heldLockNames());
      const mine = this.layout?.runId;
      const open = runs.filter(
        (r) => (r.status === 'running' || r.status === 'paused') && r.checkpoints.length && r.runId !== mine,
      );
      this.resumable = open.find((r) => !held.has(runLockName(r.runId))) ?? null;
      this.elsewhere = open
        .filter((r) => held.has(runLockName(r.runId)))
        .map((r) => {
          const known = this.elsewhere.find((e) => e.runId === r.runId);
          return (
            known ?? { runId: r.runId, title: r.title, status: r.status, step: r.checkpoints.at(-1)!.step }
          );
        });
    } catch {
      this.resumable = null; // storage unavailable: nothing to offer
      this.elsewhere = [];
    }
    if (this.elsewhere.length)
      this.pollTimer = setTimeout(() => void this.findResumable(), ELSEWHERE_POLL_MS);
  }

  private onAnnouncement(a: RunAnnouncement): void {
    const i = this.elsewhere.findIndex((e) => e.runId === a.runId);
    const entry = { runId: a.runId, title: a.title, status: a.status, step: a.step };
    this.elsewhere = i < 0 ? [...this.elsewhere, entry] : this.elsewhere.map((e, j) => (j === i ? entry : e));
    if (this.resumable?.runId === a.runId) this.resumable = null;
  }

  /** The worker died or lost its GPU: the run stops here, and can resume from its checkpoint elsewhere. */
  private onWorkerLost(message: string): void {
    const runId = this.layout?.runId;
    if (!runId) return; // nothing was configured: the runtime's banner says it all
    this.pace.end();
    this.status = 'error';
    recorder.status('error', this.step, this.totalSteps);
    const step = this.checkpoints.at(-1)?.step ?? 0;
    this.recovery = { runId, step };
    this.error = `${message}. The run stopped; its last checkpoint (step ${step}) is kept. Resume it on another backend below, or reload the page.`;
  }

  /** Restarts the engine on `backend` and restores the lost run's last checkpoint there (paused). */
  async resumeOn(backend: BackendChoice): Promise<void> {
    const r = this.recovery;
    if (!r) return;
    this.recovery = null;
    this.error = null;
    this.layout = null;
    await runtime.start(backend);
    if (runtime.status !== 'ready') {
      this.recovery = r;
      this.error = runtime.error;
      return;
    }
    if (await this.configure(r.runId))
      this.message = `Resumed from the last checkpoint (step ${this.step}) on ${runtime.info?.backend ?? backend}. Press Resume to continue.`;
    else this.recovery = r;
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
        config: this.snapshot(),
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
    recorder.begin(layout, this.snapshot(), runtime.info?.backend ?? '', runtime.adapterLabel, !!resumeRunId);
    await this.refreshCheckpoints();
    return true;
  }

  async start(): Promise<void> {
    if (!this.layout && !(await this.configure())) return;
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
    if (newSeed) this.edit((c) => (c.seeds = { ...c.seeds, init: (c.seeds.init + 1) >>> 0 }));
    this.layout = null;
    await this.configure();
  }

  async derive(mode: 'argmax' | 'sample' = 'argmax'): Promise<void> {
    const d = await this.guard('Deriving', () => this.client.call('derive', { mode }));
    if (d) this.derived = d;
    if (d) recorder.derived(d);
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
        if (e.status === 'running' && this.status !== 'running') this.pace.begin(e.step);
        else if (e.status !== 'running') this.pace.end();
        this.status = e.status;
        this.step = e.step;
        this.totalSteps = e.totalSteps;
        if (e.message) this.message = e.message;
        recorder.status(e.status, e.step, e.totalSteps);
        if (e.status === 'finished') void this.derive();
        break;
      case 'evaluation':
        this.evals = [...this.evals, { step: e.step, valNme: e.valNme }];
        recorder.evaluation(e.step, e.valNme);
        break;
      case 'checkpoint':
        void this.refreshCheckpoints();
        break;
      case 'progress':
        this.progress = e.done >= e.total ? null : { label: e.label, done: e.done, total: e.total };
        break;
      case 'device-lost':
        this.onWorkerLost(e.message.replace(/\.$/, ''));
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
    recorder.metrics(items);
    this.step = items[items.length - 1].step + 1;
    this.pace.stepped(this.step);
  }
}

export const search = new SearchSession();
