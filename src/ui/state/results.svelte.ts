/**
 * The Results & Export area's state: the derived network, finetuning progress, the evaluation and the
 * export. Only this class talks to the worker's results methods; components read it and call its methods.
 * Everything is tied to the search run it was derived from and cleared when another run is configured.
 */
import type {
  DeriveMode,
  FinetuneSummary,
  FinetuneTarget,
  ResultsArchSummary,
  ResultsEvaluation,
  ResultsExport,
} from '../../nas/index.ts';
import type { WorkerEvent } from '../../worker/protocol.ts';
import { runtime } from './runtime.svelte.ts';

export type ResultsTask = 'derive' | 'finetune' | 'baseline' | 'evaluate' | 'export';

export interface FinetuneProgress {
  target: FinetuneTarget;
  step: number;
  total: number;
  loss: number;
  lr: number;
}

/** Parity threshold between tfjs and onnxruntime-web outputs for the download to be offered. */
export const PARITY_LIMIT = 1e-4;

export class ResultsState {
  /** Search run the results belong to. */
  runId = $state<string | null>(null);
  summary = $state.raw<ResultsArchSummary | null>(null);
  /** Choices edited by hand, one per searchable layer. */
  manual = $state<number[]>([]);
  steps = $state(100);
  lr = $state(0.005);
  fromScratch = $state(false);
  progress = $state.raw<FinetuneProgress | null>(null);
  /** Loss per finetune step of the derived network and of the baseline, for the chart. */
  losses = $state.raw<Record<FinetuneTarget, [number, number][]>>({ subnet: [], baseline: [] });
  finetuned = $state.raw<FinetuneSummary | null>(null);
  baselineTrained = $state.raw<FinetuneSummary | null>(null);
  evaluation = $state.raw<ResultsEvaluation | null>(null);
  exported = $state.raw<ResultsExport | null>(null);
  task = $state<ResultsTask | null>(null);
  error = $state<string | null>(null);
  message = $state<string | null>(null);
  private unsubscribe: (() => void) | null = null;
  private lossOffset: Record<FinetuneTarget, number> = { subnet: 0, baseline: 0 };

  exportPassed = $derived(!!this.exported && this.exported.maxAbsDiff < PARITY_LIMIT);

  private get client() {
    const c = runtime.client;
    if (!c) throw new Error('The training engine is not running yet.');
    return c;
  }

  connect(): void {
    this.unsubscribe?.();
    this.unsubscribe = runtime.client?.onEvent((e) => this.onEvent(e)) ?? null;
  }

  private onEvent(e: WorkerEvent): void {
    if (e.type !== 'finetune-progress') return;
    this.progress = { target: e.target, step: e.step, total: e.total, loss: e.loss, lr: e.lr };
    const x = this.lossOffset[e.target] + e.step;
    this.losses = { ...this.losses, [e.target]: [...this.losses[e.target], [x, e.loss]] };
  }

  private async run<T>(task: ResultsTask, what: string, fn: () => Promise<T>): Promise<T | undefined> {
    this.error = null;
    this.message = null;
    this.task = task;
    try {
      return await fn();
    } catch (err) {
      this.error = `${what} failed: ${err instanceof Error ? err.message : String(err)}`;
      return undefined;
    } finally {
      this.task = null;
    }
  }

  /** Forgets everything (another search run was configured). */
  clear(): void {
    this.runId = null;
    this.summary = null;
    this.manual = [];
    this.progress = null;
    this.losses = { subnet: [], baseline: [] };
    this.lossOffset = { subnet: 0, baseline: 0 };
    this.finetuned = null;
    this.baselineTrained = null;
    this.evaluation = null;
    this.exported = null;
    this.error = null;
    this.message = null;
  }

  async derive(mode: DeriveMode, runId: string | null): Promise<void> {
    this.connect();
    const choices = mode === 'manual' ? $state.snapshot(this.manual) : undefined;
    const s = await this.run('derive', 'Deriving', () =>
      this.client.call('resultsDerive', { mode, choices }),
    );
    if (!s) return;
    this.runId = runId;
    this.summary = s;
    this.manual = [...s.choices];
    this.losses = { ...this.losses, subnet: [] };
    this.lossOffset.subnet = 0;
    this.finetuned = null;
    this.evaluation = null;
    this.exported = null;
  }

  async finetune(target: FinetuneTarget = 'subnet'): Promise<void> {
    this.connect();
    const fromScratch = target === 'subnet' ? this.fromScratch : false;
    if (fromScratch || (target === 'baseline' && !this.baselineTrained)) {
      this.losses = { ...this.losses, [target]: [] };
      this.lossOffset[target] = 0;
    }
    const steps = Math.round(this.steps);
    const r = await this.run(target === 'subnet' ? 'finetune' : 'baseline', 'Training', () =>
      this.client.call('resultsFinetune', { steps, lr: this.lr, fromScratch, target }),
    );
    this.progress = null;
    if (!r) return;
    this.lossOffset[target] = r.totalSteps;
    if (target === 'subnet') {
      this.finetuned = r;
      this.exported = null;
    } else {
      this.baselineTrained = r;
    }
    if (r.outcome === 'aborted') this.message = `Training cancelled after ${r.steps} steps.`;
    if (r.outcome === 'nonFinite')
      this.error = 'Training diverged (the loss became NaN or infinite); lower the learning rate.';
    await this.evaluate();
  }

  async cancel(): Promise<void> {
    await this.client.call('resultsCancel', {}).catch(() => undefined);
  }

  async evaluate(): Promise<void> {
    const r = await this.run('evaluate', 'Evaluating', () => this.client.call('resultsEvaluate', {}));
    if (r) this.evaluation = r;
  }

  async exportOnnx(experimentUrl: string): Promise<void> {
    this.exported = null;
    const r = await this.run('export', 'Exporting', () =>
      this.client.call('resultsExport', { experimentUrl }),
    );
    if (r) this.exported = r;
  }
}

/** Saves bytes or text as a file through a temporary object URL. */
export function downloadFile(data: Uint8Array | string, fileName: string, type: string): void {
  const blob = new Blob([typeof data === 'string' ? data : new Uint8Array(data)], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const results = new ResultsState();
