/**
 * The Results & Export area's state: the derived network, finetuning progress, the evaluation and the
 * export. Only this class talks to the worker's results methods; components read it and call its methods.
 * Results belong to one search run: they are kept with the supernet the search built (its layout) and read as
 * empty once another is built or the setup is edited, and an answer that arrives for an earlier one is
 * dropped.
 */
import type {
  DeriveMode,
  FinetuneSummary,
  FinetuneTarget,
  ResultsArchSummary,
  ResultsEvaluation,
  ResultsExport,
} from '../../nas/index.ts';
import type { SearchLayout, WorkerEvent } from '../../worker/protocol.ts';
import { DEFAULT_FINETUNE } from '../../nas/index.ts';
import { runtime } from './runtime.svelte.ts';
import { recorder, search } from './search.svelte.ts';
import type { RunArch } from '../../storage/runs.ts';

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

/** Everything that belongs to one search run. */
interface RunResults {
  /** The supernet the results were derived from (null: none built). */
  run: SearchLayout | null;
  summary: ResultsArchSummary | null;
  /** Candidates picked by hand (or by the last derivation), per searchable layer. */
  picks: readonly (number | undefined)[];
  progress: FinetuneProgress | null;
  /** Loss per finetune step of the derived network and of the baseline, for the chart. */
  losses: Record<FinetuneTarget, [number, number][]>;
  /** Steps trained before the current finetune call, so the chart's x axis continues. */
  lossOffset: Record<FinetuneTarget, number>;
  finetuned: FinetuneSummary | null;
  baselineTrained: FinetuneSummary | null;
  evaluation: ResultsEvaluation | null;
  exported: ResultsExport | null;
  error: string | null;
  message: string | null;
}

const EMPTY: Omit<RunResults, 'run'> = Object.freeze({
  summary: null,
  picks: [],
  progress: null,
  losses: { subnet: [], baseline: [] },
  lossOffset: { subnet: 0, baseline: 0 },
  finetuned: null,
  baselineTrained: null,
  evaluation: null,
  exported: null,
  error: null,
  message: null,
});

/**
 * The search run results are for now: the supernet the search session has built, if any. A new layout
 * object is a new build, even of a run resumed under the same id.
 */
const currentRun = (): SearchLayout | null => search.layout;

const argmax = (p: readonly number[] | undefined): number => (p ? p.indexOf(Math.max(...p)) : 0);

export class ResultsState {
  #results = $state.raw<RunResults>({ run: null, ...EMPTY });
  steps = $state<number>(DEFAULT_FINETUNE.steps);
  lr = $state<number>(DEFAULT_FINETUNE.lr);
  fromScratch = $state(false);
  task = $state<ResultsTask | null>(null);
  private unsubscribe: (() => void) | null = null;

  /** This run's results; those of another run read as empty. */
  private get data(): RunResults {
    const run = currentRun();
    return this.#results.run === run ? this.#results : { run, ...EMPTY };
  }

  /** Changes the results of `run`; results of an earlier run are replaced, a stale answer is dropped. */
  private update(run: SearchLayout | null, patch: Partial<Omit<RunResults, 'run'>>): void {
    if (run !== currentRun()) return;
    this.#results = { ...this.data, ...patch };
  }
  get summary(): ResultsArchSummary | null {
    return this.data.summary;
  }
  get progress(): FinetuneProgress | null {
    return this.data.progress;
  }
  get losses(): Readonly<Record<FinetuneTarget, [number, number][]>> {
    return this.data.losses;
  }
  get finetuned(): FinetuneSummary | null {
    return this.data.finetuned;
  }
  get baselineTrained(): FinetuneSummary | null {
    return this.data.baselineTrained;
  }
  get evaluation(): ResultsEvaluation | null {
    return this.data.evaluation;
  }
  get exported(): ResultsExport | null {
    return this.data.exported;
  }
  get error(): string | null {
    return this.data.error;
  }
  get message(): string | null {
    return this.data.message;
  }
  get exportPassed(): boolean {
    const e = this.exported;
    return !!e && e.maxAbsDiff < PARITY_LIMIT;
  }

  /** softmax(θ) per searchable layer: from the derived summary, else the latest search metrics. */
  get probs(): readonly (readonly number[])[] {
    return this.summary?.layers.map((l) => l.probs) ?? search.current?.probs ?? [];
  }

  /** One candidate per searchable layer: the one picked, else the most likely. */
  get manual(): number[] {
    const { picks } = this.data;
    const probs = this.probs;
    return (search.layout?.layers ?? []).map((_, l) => picks[l] ?? argmax(probs[l]));
  }

  /** Picks candidate `index` for searchable layer `layer` (for a derivation by hand). */
  choose(layer: number, index: number): void {
    const picks = [...this.manual];
    picks[layer] = index;
    this.update(currentRun(), { picks });
  }

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
    const { losses, lossOffset } = this.data;
    const x = lossOffset[e.target] + e.step;
    this.update(currentRun(), {
      progress: { target: e.target, step: e.step, total: e.total, loss: e.loss, lr: e.lr },
      losses: { ...losses, [e.target]: [...losses[e.target], [x, e.loss]] },
    });
  }

  /** Keeps what was done with the derived architecture in the run's record (Runs area). */
  private record(patch: Partial<RunArch>): void {
    const s = this.summary;
    if (!s || recorder.currentId !== search.layout?.runId) return;
    recorder.addArch({
      mode: s.mode,
      arch: s.arch,
      choices: [...s.choices],
      macs: s.macs,
      params: s.params,
      ...patch,
    });
  }

  /** Runs one worker call for the current run; undefined when it failed or the run changed meanwhile. */
  private async run<T>(task: ResultsTask, what: string, fn: () => Promise<T>): Promise<T | undefined> {
    const run = currentRun();
    this.update(run, { error: null, message: null });
    this.task = task;
    try {
      const r = await fn();
      return run === currentRun() ? r : undefined;
    } catch (err) {
      this.update(run, { error: `${what} failed: ${err instanceof Error ? err.message : String(err)}` });
      return undefined;
    } finally {
      this.task = null;
    }
  }

  async derive(mode: DeriveMode): Promise<void> {
    this.connect();
    const run = currentRun();
    const choices = mode === 'manual' ? this.manual : undefined;
    const s = await this.run('derive', 'Deriving', () =>
      this.client.call('resultsDerive', { mode, choices }),
    );
    if (!s) return;
    const { losses, lossOffset } = this.data;
    this.update(run, {
      summary: s,
      picks: [...s.choices],
      losses: { ...losses, subnet: [] },
      lossOffset: { ...lossOffset, subnet: 0 },
      finetuned: null,
      evaluation: null,
      exported: null,
    });
    this.record({});
  }

  async finetune(target: FinetuneTarget = 'subnet'): Promise<void> {
    this.connect();
    const run = currentRun();
    const fromScratch = target === 'subnet' ? this.fromScratch : false;
    if (fromScratch || (target === 'baseline' && !this.baselineTrained)) {
      const { losses, lossOffset } = this.data;
      this.update(run, {
        losses: { ...losses, [target]: [] },
        lossOffset: { ...lossOffset, [target]: 0 },
      });
    }
    const steps = Math.round(this.steps);
    const r = await this.run(target === 'subnet' ? 'finetune' : 'baseline', 'Training', () =>
      this.client.call('resultsFinetune', { steps, lr: this.lr, fromScratch, target }),
    );
    this.update(run, { progress: null });
    if (!r) return;
    this.update(run, {
      lossOffset: { ...this.data.lossOffset, [target]: r.totalSteps },
      ...(target === 'subnet' ? { finetuned: r, exported: null } : { baselineTrained: r }),
    });
    if (target === 'subnet')
      this.record({ finetune: { steps: r.totalSteps, finalLoss: r.finalLoss, outcome: r.outcome } });
    if (r.outcome === 'aborted') this.update(run, { message: `Training cancelled after ${r.steps} steps.` });
    if (r.outcome === 'nonFinite')
      this.update(run, {
        error: 'Training diverged (the loss became NaN or infinite); lower the learning rate.',
      });
    await this.evaluate();
  }

  async cancel(): Promise<void> {
    await this.client.call('resultsCancel', {}).catch(() => undefined);
  }

  async evaluate(): Promise<void> {
    const run = currentRun();
    const r = await this.run('evaluate', 'Evaluating', () => this.client.call('resultsEvaluate', {}));
    if (r) this.update(run, { evaluation: r });
    if (r) this.record({ evaluation: { nme: r.nme, failureRate: r.failureRate, auc: r.auc } });
  }

  async exportOnnx(experimentUrl: string): Promise<void> {
    const run = currentRun();
    this.update(run, { exported: null });
    const r = await this.run('export', 'Exporting', () =>
      this.client.call('resultsExport', { experimentUrl }),
    );
    if (r) this.update(run, { exported: r });
    if (r) this.record({ export: { fileName: r.fileName, bytes: r.bytes.length, maxAbsDiff: r.maxAbsDiff } });
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
