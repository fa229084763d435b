/**
 * The search run inside the worker: owns the trainer and its data, runs the step loop, streams metrics
 * (throttled), evaluates at epoch ends, and checkpoints to IndexedDB every N steps, at least every 30 s of
 * training, and at pause/stop. A NaN/Inf loss stops the run without checkpointing the bad step.
 */
import type { ExperimentConfig } from '../nas/experiment.ts';
import type { BatchSource } from '../nas/data/source.ts';
import { SearchTrainer } from '../nas/search/trainer.ts';
import type { StepMetrics, TrainerState } from '../nas/search/trainer-state.ts';
import { argmax, softmaxArray, temperatureAt } from '../nas/search/gumbel.ts';
import { archFromChoices } from '../nas/spaces/derive.ts';
import { countCost } from '../nas/cost/count.ts';
import { Rng } from '../nas/rng.ts';
import { argmaxChoices, deriveArch } from '../nas/v2/derive.ts';
import { CheckpointStore } from '../storage/checkpoints.ts';
import { idbKV } from '../storage/kv.ts';
import {
  WorkerRequestError,
  type DerivedResult,
  type SearchLayout,
  type TrainingStatus,
  type WorkerEvent,
} from './protocol.ts';
import { buildSource } from './data-source.ts';
import { meanShapeNme, validateArgmax } from './validation.ts';
import { resolveCost } from './cost-source.ts';

const CHECKPOINT_EVERY_STEPS = 50;
const CHECKPOINT_EVERY_MS = 30_000;
const METRICS_EVERY_MS = 150;

const yieldNow = () => new Promise<void>((r) => setTimeout(r, 0));

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
  private checkpointEvery = CHECKPOINT_EVERY_STEPS;
  readonly store = new CheckpointStore<TrainerState, ExperimentConfig>(idbKV('nas-playground', 'runs'));

  constructor(private emit: (event: WorkerEvent) => void) {}

  private totalSteps(config: ExperimentConfig): number {
    const { epochs, warmupEpochs, stepsPerEpoch } = config.train;
    const warm = Math.min(warmupEpochs, epochs);
    return (warm + 2 * (epochs - warm)) * stepsPerEpoch;
  }

  private setStatus(status: TrainingStatus, message?: string): void {
    this.status = status;
    const t = this.trainer;
    this.emit({
      type: 'status',
      status,
      step: t?.stepsDone ?? 0,
      totalSteps: t ? this.totalSteps(t.config) : 0,
      message,
    });
  }

  async configure(
    config: ExperimentConfig,
    resumeRunId?: string,
    checkpointEvery?: number,
  ): Promise<SearchLayout> {
    if (this.status === 'running')
      throw new WorkerRequestError('Pause or stop the running search first.', 'busy');
    this.checkpointEvery = checkpointEvery && checkpointEvery > 0 ? checkpointEvery : CHECKPOINT_EVERY_STEPS;
    this.disposeRun();
    this.setStatus('preparing');
    const progress = (label: string, done: number, total: number) =>
      this.emit({ type: 'progress', label, done, total });
    let resumed: TrainerState | undefined;
    if (resumeRunId) {
      const latest = await this.store.latest(resumeRunId);
      if (!latest)
        throw new WorkerRequestError(`Run ${resumeRunId} has no readable checkpoint.`, 'no-checkpoint');
      resumed = latest.state;
      config = resumed.config;
    }
    const { source, summary } = await buildSource(config, progress);
    this.source = source;
    try {
      if (resumed) {
        this.trainer = await SearchTrainer.restore(resumed, source);
        this.runId = resumeRunId!;
      } else {
        const cost = await resolveCost(config);
        this.trainer = new SearchTrainer(config, source, cost.options);
        this.runId = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
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
    this.setStatus(resumed ? 'paused' : 'ready');
    return {
      runId: this.runId,
      layers: t.supernet.mixed.map((m) => {
        const spec = t.supernet.space.body[m.bodyIndex];
        return {
          index: m.bodyIndex,
          out: spec.kind === 'search' ? spec.out : 0,
          stride: spec.kind === 'search' ? spec.stride : 1,
          candidates: [...m.candidates],
        };
      }),
      totalSteps: this.totalSteps(t.config),
      stepsPerEpoch: t.config.train.stepsPerEpoch,
      tauSchedule: Array.from({ length: t.config.train.epochs + 1 }, (_, e) =>
        temperatureAt(e, t.config.gumbel.tau0, t.config.gumbel.decay),
      ),
      step: t.stepsDone,
      datasetSummary: summary,
      meanShapeNme: await meanShapeNme(source, t.config.train.batchSize),
      history: [...t.history],
    };
  }

  /** The configured run's trainer (null before configure), read by the results session. */
  get activeTrainer(): SearchTrainer | null {
    return this.trainer;
  }

  private requireTrainer(): SearchTrainer {
    if (!this.trainer) throw new WorkerRequestError('No search is configured yet.', 'not-configured');
    return this.trainer;
  }

  start(): { status: TrainingStatus } {
    const t = this.requireTrainer();
    if (this.status === 'running') return { status: this.status };
    if (t.done) throw new WorkerRequestError('This search has finished; reset it to run again.', 'finished');
    this.abort = new AbortController();
    this.setStatus('running');
    void this.store.setStatus(this.runId, 'running').catch(() => undefined);
    this.loop = this.runLoop(t, this.abort.signal);
    return { status: 'running' };
  }

  private async runLoop(t: SearchTrainer, signal: AbortSignal): Promise<void> {
    try {
      while (!t.done && !signal.aborted) {
        const epochBefore = t.epoch;
        const m = await t.step();
        this.pending.push(m);
        if (m.nonFinite) {
          this.flushMetrics();
          const step = this.lastCheckpointStep;
          await this.store.setStatus(this.runId, 'diverged').catch(() => undefined);
          this.setStatus(
            'diverged',
            `Training diverged at step ${m.step}: the loss became ${Number.isNaN(m.loss) ? 'NaN' : 'infinite'}. ` +
              `The run was stopped; the last good checkpoint (step ${step}) is kept. Lower the learning rates and reset.`,
          );
          return;
        }
        if (performance.now() - this.lastMetricsPost > METRICS_EVERY_MS) this.flushMetrics();
        if (t.epoch !== epochBefore) await this.evaluate(t);
        if (
          t.stepsDone - this.lastCheckpointStep >= this.checkpointEvery ||
          performance.now() - this.lastCheckpointAt >= CHECKPOINT_EVERY_MS
        ) {
          await this.checkpoint('auto');
        }
        await yieldNow();
      }
      this.flushMetrics();
      if (t.done) {
        await this.evaluate(t);
        await this.checkpoint('finish', 'finished');
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
    const r = await validateArgmax(t.supernet, t.source, t.config.train.batchSize);
    this.emit({ type: 'evaluation', step: t.stepsDone, valNme: r.nme });
  }

  private async checkpoint(
    reason: 'auto' | 'pause' | 'stop' | 'finish',
    status?: 'paused' | 'finished' | 'stopped',
  ): Promise<void> {
    const t = this.trainer;
    if (!t) return;
    try {
      const info = await this.store.save(this.runId, t.stepsDone, await t.state(), reason, status);
      this.lastCheckpointAt = performance.now();
      this.lastCheckpointStep = t.stepsDone;
      this.emit({ type: 'checkpoint', runId: this.runId, info });
    } catch (err) {
      // Storage full or unavailable: keep training, say so; the previous checkpoint is still intact.
      this.lastCheckpointAt = performance.now();
      this.emit({ type: 'log', level: 'error', message: err instanceof Error ? err.message : String(err) });
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
      await this.checkpoint('pause', 'paused');
      this.setStatus('paused');
    }
    return { status: this.status, step: t.stepsDone };
  }

  async stop(): Promise<{ status: TrainingStatus; step: number }> {
    const t = this.requireTrainer();
    await this.halt();
    if (this.status === 'running' || this.status === 'paused' || this.status === 'ready') {
      await this.checkpoint('stop', 'stopped');
      this.setStatus('finished', `Search stopped at step ${t.stepsDone}.`);
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
    const theta = await Promise.all(t.supernet.thetas().map(async (v) => Array.from(await v.data())));
    const probs = theta.map((row) => softmaxArray(row));
    const rng = new Rng(t.config.seeds.gumbel ^ t.stepsDone);
    const choices = probs.map((p) => {
      if (mode === 'argmax') return argmax(p);
      let u = rng.next();
      for (let i = 0; i < p.length; i++) if ((u -= p[i]) <= 0) return i;
      return p.length - 1;
    });
    const name = `${t.config.space}-derived-step${t.stepsDone}`;
    if (t.masked) {
      // FBNetV2: sampled / argmax blocks with the argmax width, expansion and resolution of every search
      const v2 = await argmaxChoices(t.masked);
      const { arch } = deriveArch(t.masked.plan, { ...v2, blocks: choices }, name);
      const cost = countCost(arch, { size: arch.input.size, channels: arch.input.channels });
      return {
        arch,
        choices,
        probs: choices.map((c, l) => probs[l][c]),
        macs: cost.macs,
        params: cost.params,
      };
    }
    const arch = archFromChoices(t.supernet.space, choices, name);
    const cost = countCost(arch, { size: t.config.inputSize, channels: arch.input.channels });
    return { arch, choices, probs: choices.map((c, l) => probs[l][c]), macs: cost.macs, params: cost.params };
  }

  async thetaReadout(): Promise<{ step: number; theta: number[][] }> {
    const t = this.requireTrainer();
    const theta = await Promise.all(t.supernet.thetas().map(async (v) => Array.from(await v.data())));
    return { step: t.stepsDone, theta };
  }

  private disposeRun(): void {
    this.trainer?.dispose();
    this.trainer = null;
    this.source?.dispose();
    this.source = null;
  }
}
