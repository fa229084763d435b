/**
 * "Better than random?" as the UI sees it: the settings form, the check of the run shown in Results (read
 * from the runs library, where the worker writes it after every finished unit), the progress with the time
 * left, and the verdict. Only this class talks to the worker about the check.
 */
import {
  baselineVerdict,
  baselineWork,
  DEFAULT_BASELINE_SETTINGS as D,
  unitDone,
  type BaselineCheckState,
  type BaselineProgress,
  type BaselineSettings,
} from '../../nas/index.ts';
import { BaselineCheckStore } from '../../storage/baseline-checks.ts';
import { idbKV } from '../../storage/kv.ts';
import type { WorkerEvent } from '../../worker/protocol.ts';
import { runtime } from './runtime.svelte.ts';
import { secondsLeft } from './sweep.svelte.ts';

/** The check lives in the runs library's store, next to the run's record (RunRecorder's database). */
const store = new BaselineCheckStore(idbKV('nas-playground-library', 'runs'));

/** How much of the check is done, from 0 to 1, counting the unit in training by its steps. */
export function checkFraction(p: Pick<BaselineProgress, 'done' | 'total' | 'step' | 'steps'>): number {
  if (p.total <= 0) return 1;
  return Math.min(1, (p.done + (p.steps > 0 ? p.step / p.steps : 0)) / p.total);
}

/** (network, init seed) units of a check with a result. */
export function unitsDone(s: BaselineCheckState): number {
  return s.plan.candidates.reduce(
    (n, c) => n + s.plan.recipe.initSeeds.filter((_, i) => unitDone(s.results, c.id, i)).length,
    0,
  );
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class BaselineCheckUi {
  uniform = $state(D.uniform);
  costMatched = $state(D.costMatched);
  steps = $state(D.steps);
  initSeeds = $state(D.initSeeds);
  lr = $state(D.lr);
  /** The run whose check is shown (null before one is loaded). */
  runId = $state<string | null>(null);
  check = $state.raw<BaselineCheckState | null>(null);
  running = $state(false);
  progress = $state.raw<BaselineProgress | null>(null);
  error = $state<string | null>(null);
  message = $state<string | null>(null);
  /** Set when a state could not be written (the check goes on, but a reload would lose it). */
  storageError = $state<string | null>(null);
  now = $state(0);
  private startedAt = 0;
  private fractionAtStart = 0;
  private unsubscribe: (() => void) | null = null;

  verdict = $derived(this.check ? baselineVerdict(this.check.plan, this.check.results) : null);
  work = $derived(this.check ? baselineWork(this.check.plan) : null);
  done = $derived(this.check ? unitsDone(this.check) : 0);
  /** A stored check with units left, not running: Resume trains only those. */
  resumable = $derived(!this.running && !!this.check && !!this.work && this.done < this.work.units);
  timeLeft = $derived.by(() => {
    const p = this.progress;
    if (!p) return null;
    const f = checkFraction(p);
    return secondsLeft(f - this.fractionAtStart, 1 - this.fractionAtStart, this.now - this.startedAt);
  });

  settings(): Partial<BaselineSettings> {
    return {
      uniform: Math.round(this.uniform),
      costMatched: Math.round(this.costMatched),
      steps: Math.round(this.steps),
      initSeeds: Math.round(this.initSeeds),
      lr: this.lr,
    };
  }

  /** Shows the stored check of `runId` (once per run; a running check keeps its own). */
  async show(runId: string): Promise<void> {
    if (this.runId === runId || this.running) return;
    this.runId = runId;
    this.check = null;
    this.error = null;
    this.message = null;
    this.storageError = null;
    try {
      const { state, problem } = await store.load(runId);
      if (this.runId !== runId || this.running) return;
      this.check = state;
      if (problem) this.error = problem;
      if (state) this.fillForm(state.plan.settings);
    } catch (err) {
      if (this.runId === runId) this.error = `The stored check could not be read: ${errorText(err)}`;
    }
  }

  private fillForm(s: BaselineSettings): void {
    this.uniform = s.uniform;
    this.costMatched = s.costMatched;
    this.steps = s.steps;
    this.initSeeds = s.initSeeds;
    this.lr = s.lr;
  }

  /** A fresh check of `runId` with the form's settings (replaces its stored one). */
  start(runId: string): Promise<void> {
    return this.run(runId, null);
  }

  /** Continues the shown check: only its units without a result are trained. */
  resume(): Promise<void> {
    return this.runId && this.check ? this.run(this.runId, this.check) : Promise.resolve();
  }

  private async run(runId: string, resume: BaselineCheckState | null): Promise<void> {
    const client = runtime.client;
    if (!client || this.running) return;
    this.runId = runId;
    this.error = null;
    this.message = null;
    this.storageError = null;
    this.running = true;
    this.progress = null;
    if (!resume) this.check = null;
    this.startedAt = performance.now();
    this.now = this.startedAt;
    this.fractionAtStart = resume && this.work ? this.done / this.work.units : 0;
    this.unsubscribe?.();
    this.unsubscribe = client.onEvent((e) => this.onEvent(runId, e));
    try {
      const out = await client.call(
        'baselineStart',
        resume ? { runId, resume } : { runId, settings: this.settings() },
      );
      this.check = out.state;
      this.message =
        out.outcome === 'finished'
          ? 'Check finished.'
          : 'Check stopped: the networks trained so far are kept; Resume trains the rest.';
    } catch (err) {
      this.error = `The check failed: ${errorText(err)}`;
    } finally {
      this.unsubscribe?.();
      this.unsubscribe = null;
      this.running = false;
      this.progress = null;
    }
  }

  async stop(): Promise<void> {
    await runtime.client?.call('baselineStop', {}).catch(() => undefined);
  }

  private onEvent(runId: string, e: WorkerEvent): void {
    if (e.type === 'baseline-progress') {
      const { type: _, ...p } = e;
      this.progress = p;
      this.now = performance.now();
    } else if (e.type === 'baseline-state' && e.runId === runId) {
      this.check = e.state;
      if (e.storageError) this.storageError = e.storageError;
    }
  }
}

export const baselineCheck = new BaselineCheckUi();
