/**
 * The cost-weight sweep as the UI sees it: the β values and finetune steps to run, the progress (with the
 * time left, from the pace so far), the points as they arrive, and the point whose architecture is shown.
 * Only this class talks to the worker about sweeps.
 */
import {
  DEFAULT_FINETUNE,
  DEFAULT_SWEEP_BETAS,
  type ExperimentConfig,
  type SweepBaseline,
  type SweepPoint,
  type SweepProgress,
} from '../../nas/index.ts';
import type { WorkerEvent } from '../../worker/protocol.ts';
import { runtime } from './runtime.svelte.ts';
import { search } from './search.svelte.ts';

/** "0, 2, 8" → [0, 2, 8]; null when a value is not a number from 0 to 100 or there are not 1–8 of them. */
export function parseBetas(text: string): number[] | null {
  const parts = text
    .split(/[,;\s]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length < 1 || parts.length > 8) return null;
  const values = parts.map(Number);
  return values.every((v) => Number.isFinite(v) && v >= 0 && v <= 100) ? values : null;
}

/** Seconds left at the pace so far; null before there is a pace to go by. */
export function secondsLeft(done: number, total: number, elapsedMs: number): number | null {
  if (done <= 0 || elapsedMs <= 0) return null;
  return Math.max(0, ((total - done) * elapsedMs) / done / 1000);
}

export class SweepState {
  betasText = $state(DEFAULT_SWEEP_BETAS.join(', '));
  finetuneSteps = $state(DEFAULT_FINETUNE.steps);
  running = $state(false);
  progress = $state.raw<SweepProgress | null>(null);
  points = $state.raw<SweepPoint[]>([]);
  baseline = $state.raw<SweepBaseline | null>(null);
  /** The experiment the points were searched from (its space decides which random networks compare). */
  config = $state.raw<ExperimentConfig | null>(null);
  /** Index into points of the architecture shown. */
  selected = $state<number | null>(null);
  error = $state<string | null>(null);
  message = $state<string | null>(null);
  private startedAt = 0;
  now = $state(0);

  betas = $derived(parseBetas(this.betasText));
  timeLeft = $derived(
    this.progress ? secondsLeft(this.progress.done, this.progress.total, this.now - this.startedAt) : null,
  );

  async run(): Promise<void> {
    const client = runtime.client;
    const betas = this.betas;
    if (!client || this.running) return;
    if (!betas) {
      this.error = 'Give one to eight values of β from 0 to 100, separated by commas.';
      return;
    }
    const steps = Math.round(this.finetuneSteps);
    if (!(steps >= 1 && steps <= 100_000)) {
      this.error = 'Finetune steps must be a whole number from 1 to 100000.';
      return;
    }
    this.error = null;
    this.message = null;
    this.points = [];
    this.baseline = null;
    this.config = search.snapshot();
    this.selected = null;
    this.progress = null;
    this.running = true;
    this.startedAt = performance.now();
    this.now = this.startedAt;
    const off = client.onEvent((e) => this.onEvent(e));
    try {
      const r = await client.call('sweepRun', { config: this.config, betas, finetuneSteps: steps });
      this.points = r.points;
      this.baseline = r.baseline;
      if (r.outcome === 'aborted') this.message = `Sweep cancelled after ${r.points.length} point(s).`;
      else if (r.outcome === 'nonFinite')
        this.message = `A search diverged (NaN/Inf loss) after ${r.points.length} point(s); lower the learning rates.`;
      else this.message = `Sweep finished: ${r.points.length} architectures.`;
    } catch (err) {
      this.error = `The sweep failed: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      off();
      this.running = false;
      this.progress = null;
    }
  }

  async cancel(): Promise<void> {
    await runtime.client?.call('sweepCancel', {}).catch(() => undefined);
  }

  private onEvent(e: WorkerEvent): void {
    if (e.type === 'sweep-progress') {
      const { type: _, ...p } = e;
      this.progress = p;
      this.now = performance.now();
    } else if (e.type === 'sweep-point') {
      this.points = [...this.points, e.point];
    }
  }
}

export const sweep = new SweepState();
