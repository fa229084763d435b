/**
 * After the search, inside the worker: holds the derived network and the PFLD baseline, and turns the
 * results requests (derive, finetune, evaluate, export) into calls of the engine's results stage
 * (src/nas/results). The search session's trainer is only read.
 *
 * The models here own their variables, so a later search (or a disposed trainer) does not touch them; when
 * the search session's trainer changes, everything derived from the old one is dropped.
 */
import {
  baselineArch,
  createModel,
  deriveSubnet,
  derivedSource,
  exportDerived,
  finalLoss,
  finetuneSeed,
  searchLayers,
  searchTask,
  trainModel,
  type DeriveMode,
  type FinetuneSummary,
  type FinetuneTarget,
  type NasModel,
  type ResultsArchSummary,
  type ResultsEvaluation,
  type ResultsExport,
  type SearchTrainer,
  derivedFromModel,
  pytorchInputFromTrainer,
  pytorchProjectName,
  pytorchProjectZip,
} from '../nas/index.ts';
import { prepareOrt } from './onnx-runtime.ts';
import { WorkerRequestError, type PytorchExport, type WorkerEvent } from './protocol.ts';
import { evaluateResults } from './results-evaluation.ts';

interface Trained {
  model: NasModel;
  steps: number;
  fromScratch: boolean;
}

/** Least time between two finetune-progress events (ms); the last step is always reported. */
const PROGRESS_EVERY_MS = 120;

export class ResultsSession {
  private trainerRef: SearchTrainer | null = null;
  private subnet: (Trained & { summary: ResultsArchSummary }) | null = null;
  private baseline: Trained | null = null;
  private abort: AbortController | null = null;
  private busy = false;
  private samples = 0;

  constructor(
    private readonly emit: (event: WorkerEvent) => void,
    private readonly getTrainer: () => SearchTrainer | null,
  ) {}

  /** The search's trainer; drops results that belong to an earlier search. */
  private trainer(): SearchTrainer {
    const t = this.getTrainer();
    if (!t)
      throw new WorkerRequestError('Run a search first: there is no supernet to derive from.', 'no-search');
    if (t !== this.trainerRef) {
      this.reset();
      this.trainerRef = t;
    }
    if (searchTask(t) !== 'landmarks') {
      throw new WorkerRequestError('Results and export support landmark searches only.', 'unsupported');
    }
    return t;
  }

  private reset(): void {
    this.subnet?.model.dispose();
    this.baseline?.model.dispose();
    this.subnet = null;
    this.baseline = null;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy) {
      return Promise.reject(
        new WorkerRequestError('Another results task is running; wait or cancel it.', 'busy'),
      );
    }
    this.busy = true;
    return fn().finally(() => (this.busy = false));
  }

  private requireSubnet(): Trained & { summary: ResultsArchSummary } {
    this.trainer();
    if (!this.subnet) throw new WorkerRequestError('Derive an architecture first.', 'not-derived');
    return this.subnet;
  }

  derive({ mode, choices }: { mode: DeriveMode; choices?: number[] }): Promise<ResultsArchSummary> {
    return this.exclusive(async () => {
      const t = this.trainer();
      const layers = searchLayers(t).length;
      if (mode === 'manual' && (!choices || choices.length !== layers)) {
        throw new WorkerRequestError(
          `Give one choice for each of the ${layers} searchable layers.`,
          'bad-request',
        );
      }
      const draw = mode === 'sample' ? ++this.samples : undefined;
      const { model, summary } = await deriveSubnet(t, { mode, choices, draw });
      this.subnet?.model.dispose();
      this.subnet = { model, steps: 0, fromScratch: false, summary };
      return summary;
    });
  }

  finetune(args: {
    steps: number;
    lr: number;
    fromScratch: boolean;
    target?: FinetuneTarget;
  }): Promise<FinetuneSummary> {
    const { steps, lr, fromScratch, target = 'subnet' } = args;
    return this.exclusive(async () => {
      const t = this.trainer();
      if (!Number.isInteger(steps) || steps < 1 || steps > 100_000) {
        throw new WorkerRequestError('Steps must be a whole number from 1 to 100000.', 'bad-request');
      }
      if (!(lr > 0 && lr < 10))
        throw new WorkerRequestError('The learning rate must be between 0 and 10.', 'bad-request');
      const slot = target === 'subnet' ? this.subnetSlot(t, fromScratch) : this.baselineSlot(t, fromScratch);
      const source = target === 'subnet' ? derivedSource(t.source, this.requireSubnet().summary) : t.source;
      this.abort = new AbortController();
      let lastPost = 0;
      try {
        const { outcome, losses } = await trainModel(
          slot.model,
          source,
          {
            steps,
            lr,
            batchSize: t.config.train.batchSize,
            seed: finetuneSeed(t.config.seeds.data, slot.steps),
            weightDecay: t.config.train.weightDecay,
          },
          (s) => {
            slot.steps += 1;
            const now = performance.now();
            if (now - lastPost > PROGRESS_EVERY_MS || s.step === steps - 1) {
              lastPost = now;
              this.emit({
                type: 'finetune-progress',
                target,
                step: s.step + 1,
                total: steps,
                loss: s.loss,
                lr: s.lr,
              });
            }
          },
          this.abort.signal,
        );
        return {
          target,
          outcome,
          steps: losses.length,
          totalSteps: slot.steps,
          fromScratch: slot.fromScratch,
          finalLoss: finalLoss(losses),
          losses,
        };
      } finally {
        this.abort = null;
      }
    });
  }

  /** The derived network to train; from scratch: a fresh initialisation of the same arch. */
  private subnetSlot(t: SearchTrainer, fromScratch: boolean): Trained {
    const s = this.requireSubnet();
    if (fromScratch) {
      s.model.dispose();
      s.model = createModel(s.summary.arch, { seed: t.config.seeds.init });
      s.steps = 0;
      s.fromScratch = true;
    }
    return s;
  }

  /** The baseline is always trained from scratch: it has no supernet to inherit from. */
  private baselineSlot(t: SearchTrainer, fromScratch: boolean): Trained {
    if (!this.baseline || fromScratch) {
      this.baseline?.model.dispose();
      const model = createModel(baselineArch(t.config.inputSize), { seed: t.config.seeds.init });
      this.baseline = { model, steps: 0, fromScratch: true };
    }
    return this.baseline;
  }

  cancel(): { cancelled: boolean } {
    if (!this.abort) return { cancelled: false };
    this.abort.abort();
    return { cancelled: true };
  }

  evaluate(): Promise<ResultsEvaluation> {
    return this.exclusive(async () => {
      const t = this.trainer();
      return evaluateResults(t, this.requireSubnet(), this.baseline);
    });
  }

  export({ experimentUrl }: { experimentUrl?: string }): Promise<ResultsExport> {
    return this.exclusive(async () => {
      const t = this.trainer();
      const s = this.requireSubnet();
      const source = derivedSource(t.source, s.summary);
      if (source.count('val') === 0) {
        throw new WorkerRequestError(
          'The dataset has no validation images to check the export on.',
          'no-data',
        );
      }
      return exportDerived(s.model, s.summary, s, source, { experimentUrl, prepareRuntime: prepareOrt });
    });
  }

  /**
   * The experiment as a PyTorch project: the supernet and θ of the search, and the derived network with its
   * current (inherited or finetuned) weights, or the argmax network when none is derived yet.
   */
  exportPytorch({ experimentUrl }: { experimentUrl?: string }): Promise<PytorchExport> {
    return this.exclusive(async () => {
      const t = this.trainer();
      const s = this.subnet;
      const derived = s
        ? await derivedFromModel(s.model, s.summary.choices, s.summary.v2?.factor ?? 1)
        : undefined;
      const finetune = s && s.steps > 0 ? { steps: s.steps, lr: t.config.train.lrWeights } : undefined;
      const input = await pytorchInputFromTrainer(t, derived, { experimentUrl, finetune });
      return { fileName: `${pytorchProjectName(t.config)}.zip`, bytes: pytorchProjectZip(input) };
    });
  }

  dispose(): void {
    this.abort?.abort();
    this.reset();
  }
}
