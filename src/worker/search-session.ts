/**
 * The search run inside the worker: owns the trainer and its data, runs the step loop, streams metrics
 * (throttled), evaluates at epoch ends, and checkpoints to IndexedDB every N steps, at least every 30 s of
 * training, and at pause/stop. A NaN/Inf loss stops the run without checkpointing the bad step. A full disk
 * pauses the run with the way to free space (the previous checkpoint stays). A damaged checkpoint is skipped
 * on resume, and said so. While a run is configured this worker holds its Web Lock, so no other tab writes
 * to it, and it broadcasts what the run is doing to the app's other tabs (run-broadcast.ts).
 */
import {
  type ExperimentConfig,
  type BatchSource,
  SearchTrainer,
  type StepMetrics,
  type TrainerState,
  runLayout,
  deriveBlocks,
  Rng,
  meanShapeNme,
  validateArgmax,
  pytorchInputFromTrainer,
  pytorchProjectName,
  pytorchProjectZip,
} from '../nas/index.ts';
import { CheckpointStore } from '../storage/checkpoints.ts';
import { idbKV, StorageFullError, type KV } from '../storage/kv.ts';
import { runLockName, tryLock, type HeldLock, type LockManagerLike } from '../storage/locks.ts';
import { announceRun } from './run-broadcast.ts';
import {
  WorkerRequestError,
  type DerivedResult,
  type PytorchExport,
  type SearchLayout,
  type TrainingStatus,
  type WorkerEvent,
} from './protocol.ts';
import { buildSource } from './data-source.ts';
import { resolveCost } from './cost-source.ts';

/** Checkpoint every 50 steps and at least every 30 s of training; post metrics at most every 150 ms. */
const EVERY = { checkpointSteps: 50, checkpointMs: 30_000, metricsMs: 150 };

/** Seams for tests: a Web Locks stand-in, and a wrapper over the run's data (to inject bad batches). */
export interface SessionOptions {
  locks?: LockManagerLike | null;
  wrapSource?: (source: BatchSource) => BatchSource;
}

export class SearchSession {
  private trainer: SearchTrainer | null = null;
  private source: BatchSource | null = null;
  private runId = '';
  private status: TrainingStatus = 'idle';
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private pending: StepMetrics[] = [];
  private lastMetricsPost = 0;
  private lastCheckpointAt = 0;
  private lastCheckpointStep = 0;
  private checkpointEvery = EVERY.checkpointSteps;
  /** Set when a checkpoint hit a full disk mid-run: the loop stops and the run pauses with this message. */
  private pauseReason: string | null = null;
  private lock: HeldLock | null = null;
  readonly store: CheckpointStore<TrainerState, ExperimentConfig>;

  constructor(
    private emit: (event: WorkerEvent) => void,
    kv: KV = idbKV('nas-playground', 'runs'),
    private options: SessionOptions = {},
  ) {
    this.store = new CheckpointStore<TrainerState, ExperimentConfig>(kv);
  }

  private setStatus(status: TrainingStatus, message?: string): void {
    this.status = status;
    const t = this.trainer;
    const step = t?.stepsDone ?? 0;
    this.emit({ type: 'status', status, step, totalSteps: t?.totalSteps ?? 0, message });
    if (this.runId && t) announceRun({ runId: this.runId, title: t.config.title, status, step });
  }

  /** This worker becomes the run's only writer, or learns that another tab already is. */
  private async lockRun(runId: string, waitMs = 0): Promise<void> {
    const lock = await tryLock(runLockName(runId), this.options.locks, waitMs);
    if (!lock)
      throw new WorkerRequestError(
        'This run is open in another tab of NAS Playground, which is writing its checkpoints. Close that tab ' +
          '(or stop the run there) to continue it here.',
        'locked',
      );
    this.lock = lock;
  }

  async configure(config: ExperimentConfig, resumeId?: string, every?: number): Promise<SearchLayout> {
    if (this.status === 'running')
      throw new WorkerRequestError('Pause or stop the running search first.', 'busy');
    this.checkpointEvery = every && every > 0 ? every : EVERY.checkpointSteps;
    this.disposeRun();
    this.setStatus('preparing');
    const progress = (label: string, done: number, total: number) =>
      this.emit({ type: 'progress', label, done, total });
    let resumed: TrainerState | undefined;
    let resumeNote = '';
    if (resumeId) {
      // a worker of this tab that just crashed or was replaced may take a moment to let go of the lock
      await this.lockRun(resumeId, 2500).catch((err) => {
        this.setStatus('idle');
        throw err;
      });
      const latest = await this.store.latest(resumeId).catch(() => undefined);
      if (!latest) {
        this.releaseLock();
        this.setStatus('idle');
        throw new WorkerRequestError(`Run ${resumeId} has no readable checkpoint.`, 'no-checkpoint');
      }
      resumed = latest.state;
      config = resumed.config;
      if (latest.skipped.length) {
        resumeNote =
          latest.skipped
            .map((p) => `Checkpoint ${p.seq} (step ${p.step}) could not be used: ${p.reason}.`)
            .join(' ') + ` Resumed from checkpoint ${latest.info.seq} (step ${latest.info.step}) instead.`;
        this.emit({ type: 'log', level: 'warn', message: resumeNote });
      }
    }
    const built = await buildSource(config, progress).catch((err) => {
      this.releaseLock();
      throw err;
    });
    const source = this.options.wrapSource?.(built.source) ?? built.source;
    this.source = source;
    this.summary = built.summary;
    try {
      if (resumed) {
        this.trainer = await SearchTrainer.restore(resumed, source);
        this.runId = resumeId!;
      } else {
        const cost = await resolveCost(config);
        this.trainer = new SearchTrainer(config, source, cost.options);
        this.runId = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
        await this.lockRun(this.runId);
        await this.store.createRun(this.runId, config.title, config);
        await this.checkpoint('auto');
      }
    } catch (err) {
      this.disposeRun();
      this.setStatus('error', err instanceof Error ? err.message : String(err));
      throw err;
    }
    const t = this.trainer!;
    this.lastCheckpointStep = t.stepsDone;
    this.lastCheckpointAt = performance.now();
    // a restored run waits, paused, for the user to resume it
    this.setStatus(resumed ? 'paused' : 'ready', resumeNote || undefined);
    return {
      runId: this.runId,
      ...runLayout(t),
      datasetSummary: this.summary,
      meanShapeNme: await meanShapeNme(this.source!, t.config.train.batchSize),
    };
  }

  /** The configured run's trainer (null before configure), read by the results session. */
  get activeTrainer(): SearchTrainer | null {
    return this.trainer;
  }

  private summary = '';

  private requireTrainer(): SearchTrainer {
    if (!this.trainer) throw new WorkerRequestError('No search is configured yet.', 'not-configured');
    return this.trainer;
  }

  start(): { status: TrainingStatus } {
    const t = this.requireTrainer();
    if (this.status === 'running') return { status: this.status };
    if (t.done) throw new WorkerRequestError('This search has finished; reset it to run again.', 'finished');
    this.abort = new AbortController();
    this.pauseReason = null;
    this.setStatus('running');
    void this.store.setStatus(this.runId, 'running').catch(() => undefined);
    this.loop = this.runLoop(t, this.abort.signal);
    return { status: 'running' };
  }

  private async runLoop(t: SearchTrainer, signal: AbortSignal): Promise<void> {
    try {
      const outcome = await t.run(async (m, { epochEnded }) => {
        this.pending.push(m);
        if (m.nonFinite) return;
        if (performance.now() - this.lastMetricsPost > EVERY.metricsMs) this.flushMetrics();
        if (epochEnded) await this.evaluate(t);
        if (
          t.stepsDone - this.lastCheckpointStep >= this.checkpointEvery ||
          performance.now() - this.lastCheckpointAt >= EVERY.checkpointMs
        ) {
          await this.checkpoint('auto');
        }
      }, signal);
      this.flushMetrics();
      if (outcome === 'aborted' && this.pauseReason) {
        this.setStatus('paused', this.storageFullMessage(t));
      } else if (outcome === 'nonFinite') {
        const m = t.history[t.history.length - 1];
        const step = this.lastCheckpointStep;
        await this.store.setStatus(this.runId, 'diverged').catch(() => undefined);
        this.setStatus(
          'diverged',
          `Training diverged at step ${m.step}: the loss became ${Number.isNaN(m.loss) ? 'NaN' : 'infinite'}. ` +
            `The run was stopped; the last good checkpoint (step ${step}) is kept. Lower the learning rates and reset.`,
        );
      } else if (outcome === 'finished') {
        await this.evaluate(t);
        if (!(await this.checkpoint('finish', 'finished'))) {
          this.setStatus(
            'finished',
            `Search finished after ${t.stepsDone} steps, but its final checkpoint could not be saved: ` +
              `${this.pauseReason ?? 'storage failed'} The last checkpoint (step ${this.lastCheckpointStep}) is kept.`,
          );
          this.pauseReason = null;
          return;
        }
        this.setStatus('finished', `Search finished after ${t.stepsDone} steps.`);
      }
    } catch (err) {
      this.flushMetrics();
      const message = err instanceof Error ? err.message : String(err);
      this.setStatus(
        'error',
        `Training stopped: ${message}. The last checkpoint (step ${this.lastCheckpointStep}) is kept.`,
      );
    }
  }

  private flushMetrics(): void {
    this.lastMetricsPost = performance.now();
    if (!this.pending.length) return;
    this.emit({ type: 'metrics', items: this.pending });
    this.pending = [];
  }

  private async evaluate(t: SearchTrainer): Promise<void> {
    const r = await validateArgmax(t.net, t.source, t.config.train.batchSize);
    this.emit({ type: 'evaluation', step: t.stepsDone, valNme: r.nme });
  }

  /** The message of a run paused by a full disk (and forgets the reason). */
  private storageFullMessage(t: SearchTrainer): string {
    const message =
      `Paused: ${this.pauseReason} Resume continues from step ${t.stepsDone}; the last checkpoint ` +
      `(step ${this.lastCheckpointStep}) is kept.`;
    this.pauseReason = null;
    return message;
  }

  /** Saves a checkpoint; false when it could not be saved (reported, the previous one kept). */
  private async checkpoint(
    reason: 'auto' | 'pause' | 'stop' | 'finish',
    status?: 'paused' | 'finished' | 'stopped',
  ): Promise<boolean> {
    const t = this.trainer;
    if (!t) return false;
    try {
      const info = await this.store.save(this.runId, t.stepsDone, await t.state(), reason, status);
      this.lastCheckpointAt = performance.now();
      this.lastCheckpointStep = t.stepsDone;
      this.emit({ type: 'checkpoint', runId: this.runId, info });
      return true;
    } catch (err) {
      // The previous checkpoint is still intact. A full disk pauses a running search (training on would
      // pile up work that cannot be saved); anything else is reported and training goes on.
      this.lastCheckpointAt = performance.now();
      const message = err instanceof Error ? err.message : String(err);
      this.emit({ type: 'log', level: 'error', message });
      if (err instanceof StorageFullError && this.status === 'running') {
        this.abort?.abort();
      }
      if (err instanceof StorageFullError) this.pauseReason = message;
      return false;
    }
  }

  private async halt(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = null;
  }

  async pause(): Promise<{ status: TrainingStatus; step: number }> {
    const t = this.requireTrainer();
    if (this.status !== 'running') return { status: this.status, step: t.stepsDone };
    await this.halt();
    if (this.status === 'running') {
      const saved = await this.checkpoint('pause', 'paused');
      this.setStatus('paused', saved || !this.pauseReason ? undefined : this.storageFullMessage(t));
    }
    return { status: this.status, step: t.stepsDone };
  }

  async stop(): Promise<{ status: TrainingStatus; step: number }> {
    const t = this.requireTrainer();
    await this.halt();
    if (this.status === 'running' || this.status === 'paused' || this.status === 'ready') {
      const saved = await this.checkpoint('stop', 'stopped');
      const lost = saved
        ? ''
        : ` Its final checkpoint could not be saved${this.pauseReason ? `: ${this.pauseReason}` : '.'} The last checkpoint (step ${this.lastCheckpointStep}) is kept.`;
      this.pauseReason = null;
      this.setStatus('finished', `Search stopped at step ${t.stepsDone}.${lost}`);
    }
    return { status: this.status, step: t.stepsDone };
  }

  async step(phase: 'weights' | 'arch'): Promise<StepMetrics> {
    const t = this.requireTrainer();
    if (this.status === 'running') throw new WorkerRequestError('Pause the search before stepping.', 'busy');
    if (t.done) throw new WorkerRequestError('This search has finished.', 'finished');
    const m = phase === 'weights' ? await t.stepWeights() : await t.stepArch();
    this.pending.push(m);
    this.flushMetrics();
    this.setStatus('paused'); // also refreshes the UI's step counter after a manual step
    return m;
  }

  async derive(mode: 'argmax' | 'sample'): Promise<DerivedResult> {
    const t = this.requireTrainer();
    const rng = new Rng(t.config.seeds.gumbel ^ t.stepsDone);
    const d = await deriveBlocks(t.net, mode, rng, `${t.config.space}-derived-step${t.stepsDone}`);
    return { arch: d.arch, choices: d.choices.blocks, probs: d.probs, macs: d.macs, params: d.params };
  }

  async thetaReadout(): Promise<{ step: number; theta: number[][] }> {
    const t = this.requireTrainer();
    return { step: t.stepsDone, theta: (await t.net.saveArch()).theta.map((v) => Array.from(v)) };
  }

  /** The run as a PyTorch project (supernet, θ, the argmax network); paused or finished, so the weights are one step's. */
  async exportPytorch(experimentUrl?: string): Promise<PytorchExport> {
    const t = this.requireTrainer();
    if (this.status === 'running')
      throw new WorkerRequestError('Pause the search to export it: the weights change every step.', 'busy');
    const input = await pytorchInputFromTrainer(t, undefined, { experimentUrl });
    return { fileName: `${pytorchProjectName(t.config)}.zip`, bytes: pytorchProjectZip(input) };
  }

  private releaseLock(): void {
    this.lock?.release();
    this.lock = null;
  }

  private disposeRun(): void {
    this.releaseLock();
    this.trainer?.dispose();
    this.trainer = null;
    this.source?.dispose();
    this.source = null;
  }
}
