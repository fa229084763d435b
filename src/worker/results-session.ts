/**
 * After the search, inside the worker: derive a plain network from the supernet (argmax θ, a sample, or
 * choices made by hand) with inherited weights, finetune it (or retrain it from scratch), evaluate it next
 * to the PFLD baseline and the supernet's own estimate, and export it to ONNX with a parity check in
 * onnxruntime-web. The search session's trainer is only read (θ, weights, data, config).
 *
 * The models here own their variables, so a later search (or a disposed trainer) does not touch them; when
 * the search session's trainer changes, everything derived from the old one is dropped.
 *
 * FBNetV2 runs (trainer.masked set): the derived network takes the chosen width, expansion and resolution
 * of every search as well (v2/derive.ts; weights are the leading corners of the shared tensors). Argmax
 * derives every dimension at its argmax, sampling draws every dimension from its softmax, hand-edited
 * block choices keep the argmax widths, expansions and resolution. A lower resolution means the network
 * takes the input subsampled by `factor` (resolution.ts subsample): finetuning, evaluation, latency, the
 * exported ONNX input and the parity check all use that subsampled input.
 */
import * as tf from '@tensorflow/tfjs';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import type { Arch } from '../nas/arch/spec.ts';
import { ARCHS } from '../nas/arch/registry.ts';
import { countCost } from '../nas/cost/count.ts';
import { candidateCostTable, expectedCost, fixedCost } from '../nas/cost/table.ts';
import { LandmarkSource } from '../nas/data/landmark-source.ts';
import { cedCurve } from '../nas/data/metrics.ts';
import type { BatchSource } from '../nas/data/source.ts';
import { exportOnnx, verifyOnnx } from '../nas/export/index.ts';
import {
  evaluateModel,
  Finetuner,
  inheritWeights,
  measureLatency,
  sizeBytesOf,
  subsampledSource,
  recalibrateBatchNorm,
  worstFirst,
  type FinetuneOutcome,
} from '../nas/finetune/index.ts';
import { createModel, type NasModel } from '../nas/model/model.ts';
import { Rng } from '../nas/rng.ts';
import { argmax, softmaxArray } from '../nas/search/gumbel.ts';
import type { SearchTrainer } from '../nas/search/trainer.ts';
import { argmaxChoices, deriveModel, type MaskedChoices } from '../nas/v2/derive.ts';
import { effectiveCost } from '../nas/v2/effective-shape.ts';
import type { MaskedMix, MaskedSupernet } from '../nas/v2/masked-supernet.ts';
import { WorkerRequestError, type WorkerEvent } from './protocol.ts';
import { meanShapeNme, validateArgmax } from './validation.ts';

export type DeriveMode = 'argmax' | 'sample' | 'manual';
export type FinetuneTarget = 'subnet' | 'baseline';

export interface ResultsLayer {
  /** Body index of the searchable layer. */
  index: number;
  out: number;
  stride: number;
  candidates: string[];
  /** softmax(θ) of the layer. */
  probs: number[];
  chosen: number;
}

/** The derived network as the UI shows it. */
export interface ResultsArchSummary {
  arch: Arch;
  mode: DeriveMode;
  choices: number[];
  layers: ResultsLayer[];
  macs: number;
  params: number;
  /** 4 bytes × params. */
  bytes: number;
  inputSize: number;
  /** Search step whose supernet weights were inherited. */
  searchStep: number;
  /** FBNetV2 runs only: the width, expansion and resolution choices (see ResultsV2Choice). */
  v2?: ResultsV2Choice;
}

/** What an FBNetV2 derivation chose besides the blocks. */
export interface ResultsV2Choice {
  /** Option indices of every search (v2/derive.ts MaskedChoices). */
  choices: MaskedChoices;
  /** Output channels of every searchable layer. */
  widths: number[];
  /** Input subsampling factor of the chosen resolution (1 = full size); the network's input side is inputSize. */
  factor: number;
  /** Side of the images the search was run on. */
  searchInputSize: number;
}

export interface FinetuneSummary {
  target: FinetuneTarget;
  outcome: FinetuneOutcome;
  /** Steps of this call, and all steps the model has been trained since it was derived or created. */
  steps: number;
  totalSteps: number;
  fromScratch: boolean;
  /** Mean loss of the last few steps (training mode, augmented batches). */
  finalLoss: number;
  losses: number[];
}

export interface ComparisonRow {
  id: 'subnet' | 'baseline' | 'supernet';
  label: string;
  /** How the numbers were obtained (weights, training, estimation). */
  note: string;
  params: number;
  macs: number;
  bytes: number;
  /** Median batch-1 latency on this device and backend; null when not measured. */
  latencyMs: number | null;
  /** Mean inter-ocular NME as a fraction; null when the model is not trained. */
  nme: number | null;
  failureRate: number | null;
}

/** One validation face for the landmark viewer. */
export interface ViewerSample {
  /** Position in the 'val' split. */
  position: number;
  nme: number;
  /** Side of the stored RGB image. */
  size: number;
  image: Uint8Array;
  gt: Float32Array;
  pred: Float32Array;
}

export interface ResultsEvaluation {
  rows: ComparisonRow[];
  nme: number;
  failureRate: number;
  auc: number;
  ced: { x: number[]; y: number[] };
  normaliser: 'inter-ocular' | 'image-side';
  valCount: number;
  /** NME (fraction) of always predicting the mean training shape: the bar any model must clear. */
  meanShapeNme: number | null;
  /** Worst validation faces first (at most WORST_LIMIT). */
  worst: ViewerSample[];
  backend: string;
}

export interface ResultsExport {
  bytes: Uint8Array;
  fileName: string;
  archJson: string;
  /** max |tfjs − onnxruntime-web| over the checked validation images' outputs. */
  maxAbsDiff: number;
  checkedImages: number;
  tolerance: number;
  params: number;
}

const WORST_LIMIT = 24;
const LATENCY_REPEATS = 15;
const PARITY_IMAGES = 16;
export const PARITY_TOLERANCE = 1e-4;
export const EXPERIMENT_URL_KEY = 'nas_playground.experiment_url';

interface Trained {
  model: NasModel;
  steps: number;
  fromScratch: boolean;
}

/** A draw from each row of probabilities. */
function sampleRows(rows: number[][], rng: Rng): number[] {
  return rows.map((p) => {
    let u = rng.next();
    for (let i = 0; i < p.length; i++) if ((u -= p[i]) <= 0) return i;
    return p.length - 1;
  });
}

/** softmax of an optional logits variable (null when that dimension is not searched). */
async function probsOf(v: tf.Variable | null | undefined): Promise<number[] | null> {
  return v ? softmaxArray(await v.data()) : null;
}

let ortReady: Promise<void> | null = null;

function cedOf(perImage: number[], max: number): { x: number[]; y: number[] } {
  const c = cedCurve(perImage, max, 100);
  return { x: Array.from(c.x), y: Array.from(c.y) };
}

/** onnxruntime-web loads its wasm from our own origin (works offline), single-threaded in this worker. */
function prepareOrt(): Promise<void> {
  ortReady ??= import('onnxruntime-web').then((ort) => {
    ort.env.wasm.wasmPaths = { wasm: new URL(ortWasmUrl, self.location.href).href };
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
  });
  return ortReady;
}

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
    if (t.supernet.task !== 'landmarks') {
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

  private baselineArch(inputSize: number): Arch {
    const pfld = ARCHS.pfld_106;
    return {
      ...structuredClone(pfld),
      name: `PFLD-106 baseline (${inputSize}×${inputSize})`,
      input: { ...pfld.input, size: inputSize },
    };
  }

  derive({ mode, choices }: { mode: DeriveMode; choices?: number[] }): Promise<ResultsArchSummary> {
    return this.exclusive(async () => {
      const t = this.trainer();
      const net = t.supernet;
      const probs = await net.probs();
      let picked: number[];
      let rng: Rng | null = null;
      if (mode === 'argmax') picked = probs.map((p) => argmax(p));
      else if (mode === 'sample') {
        // seeded by the run and the number of samples drawn so far: reproducible, yet each click differs
        rng = new Rng((t.config.seeds.gumbel * 7919 + t.stepsDone * 31 + ++this.samples) >>> 0);
        picked = sampleRows(probs, rng);
      } else {
        if (!choices || choices.length !== net.mixed.length) {
          throw new WorkerRequestError(
            `Give one choice for each of the ${net.mixed.length} searchable layers.`,
            'bad-request',
          );
        }
        picked = [...choices];
      }
      const name = `${t.config.space}-${mode}-step${t.stepsDone}`;
      const v2 = t.masked ? await this.deriveV2(t.masked, picked, rng, name, t.config.inputSize) : null;
      const model = v2 ? v2.model : inheritWeights(net, picked, name);
      // the supernet's BatchNorm statistics describe the candidate mixture: re-estimate them for this path
      await recalibrateBatchNorm(model, subsampledSource(t.source, v2?.summary.factor ?? 1), {
        batchSize: t.config.train.batchSize,
      });
      const cost = countCost(model.arch);
      const summary: ResultsArchSummary = {
        arch: model.arch,
        mode,
        choices: picked,
        layers: net.mixed.map((m, l) => {
          const spec = net.space.body[m.bodyIndex];
          return {
            index: m.bodyIndex,
            out: v2 ? v2.summary.widths[l] : spec.kind === 'search' ? spec.out : 0,
            stride: spec.kind === 'search' ? spec.stride : 1,
            candidates: [...m.candidates],
            probs: probs[l],
            chosen: picked[l],
          };
        }),
        macs: cost.macs,
        params: cost.params,
        bytes: sizeBytesOf(cost.params),
        inputSize: v2 ? model.arch.input.size : t.config.inputSize,
        searchStep: t.stepsDone,
      };
      if (v2) summary.v2 = v2.summary;
      this.subnet?.model.dispose();
      this.subnet = { model, steps: 0, fromScratch: false, summary };
      return summary;
    });
  }

  /**
   * FBNetV2: the derived network of the block choices `blocks` with widths, expansions and resolution
   * drawn from their softmax (when `rng` is given: sampling) or at their argmax, weights cut from the
   * shared tensors.
   */
  private async deriveV2(
    net: MaskedSupernet,
    blocks: number[],
    rng: Rng | null,
    name: string,
    searchInputSize: number,
  ): Promise<{ model: NasModel; summary: ResultsV2Choice }> {
    let choices: MaskedChoices;
    if (rng) {
      const draw = async (v: tf.Variable | null | undefined) => {
        const p = await probsOf(v);
        return p ? sampleRows([p], rng)[0] : undefined;
      };
      const widths: (number | undefined)[] = [];
      const expansions: (number | undefined)[] = [];
      for (const l of net.layers) widths.push(await draw(l.widthSearch?.logits));
      for (const l of net.layers) expansions.push(await draw(l.expansionSearch?.logits));
      choices = { blocks, widths, expansions, resolution: (await draw(net.resolution?.logits)) ?? 0 };
    } else {
      choices = { ...(await argmaxChoices(net)), blocks };
    }
    const { model, derived } = await deriveModel(net, choices, name);
    const outs = net.layers.map((l) => {
      const spec = derived.arch.body[l.bodyIndex];
      return spec.kind === 'dwpool' ? 0 : spec.out;
    });
    return {
      model,
      summary: { choices: derived.choices, widths: outs, factor: derived.factor, searchInputSize },
    };
  }

  /** The data as the derived subnet takes it: subsampled for an FBNetV2 lower-resolution choice. */
  private subnetSource(t: SearchTrainer, s: { summary: ResultsArchSummary }): BatchSource {
    return subsampledSource(t.source, s.summary.v2?.factor ?? 1);
  }

  finetune({
    steps,
    lr,
    fromScratch,
    target = 'subnet',
  }: {
    steps: number;
    lr: number;
    fromScratch: boolean;
    target?: FinetuneTarget;
  }): Promise<FinetuneSummary> {
    return this.exclusive(async () => {
      const t = this.trainer();
      if (!Number.isInteger(steps) || steps < 1 || steps > 100_000) {
        throw new WorkerRequestError('Steps must be a whole number from 1 to 100000.', 'bad-request');
      }
      if (!(lr > 0 && lr < 10))
        throw new WorkerRequestError('The learning rate must be between 0 and 10.', 'bad-request');
      let slot: Trained;
      let source = t.source;
      if (target === 'subnet') {
        const s = this.requireSubnet();
        source = this.subnetSource(t, s);
        if (fromScratch) {
          s.model.dispose();
          s.model = createModel(s.summary.arch, { seed: t.config.seeds.init });
          s.steps = 0;
          s.fromScratch = true;
        }
        slot = s;
      } else {
        // the baseline is always trained from scratch: it has no supernet to inherit from
        if (!this.baseline || fromScratch) {
          this.baseline?.model.dispose();
          const arch = this.baselineArch(t.config.inputSize);
          this.baseline = {
            model: createModel(arch, { seed: t.config.seeds.init }),
            steps: 0,
            fromScratch: true,
          };
        }
        slot = this.baseline;
      }
      const ft = new Finetuner(slot.model, source, {
        steps,
        lr,
        batchSize: t.config.train.batchSize,
        seed: (t.config.seeds.data + slot.steps) >>> 0,
        weightDecay: t.config.train.weightDecay,
      });
      this.abort = new AbortController();
      const losses: number[] = [];
      let lastPost = 0;
      try {
        const outcome = await ft.run((s) => {
          losses.push(s.loss);
          slot.steps += 1;
          const now = performance.now();
          if (now - lastPost > 120 || s.step === steps - 1) {
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
        }, this.abort.signal);
        const tail = losses.slice(-5);
        return {
          target,
          outcome,
          steps: losses.length,
          totalSteps: slot.steps,
          fromScratch: slot.fromScratch,
          finalLoss: tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : NaN,
          losses,
        };
      } finally {
        ft.dispose();
        this.abort = null;
      }
    });
  }

  cancel(): { cancelled: boolean } {
    if (!this.abort) return { cancelled: false };
    this.abort.abort();
    return { cancelled: true };
  }

  evaluate(): Promise<ResultsEvaluation> {
    return this.exclusive(async () => {
      const t = this.trainer();
      const s = this.requireSubnet();
      const source = t.source;
      const size = s.summary.inputSize;
      const r0 = await evaluateModel(s.model, this.subnetSource(t, s), {
        batchSize: t.config.train.batchSize,
      });
      // the CED is drawn up to 10 % (the reference), or further when most faces fail, so the curve says something
      const p90 =
        [...r0.perImage].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b)[
          Math.floor(0.9 * (r0.count - 1))
        ] ?? 0;
      const cedMax = Math.min(0.5, Math.max(0.1, Math.ceil(p90 * 20) / 20));
      const r = cedMax > 0.1 ? { ...r0, ced: cedOf(r0.perImage, cedMax) } : r0;
      const lat = await measureLatency(s.model, size, LATENCY_REPEATS, { seed: t.config.seeds.init });
      const subnetNote = s.fromScratch
        ? `trained from scratch, ${s.steps} steps`
        : s.steps > 0
          ? `supernet weights + ${s.steps} finetune steps`
          : 'supernet weights, not finetuned';
      const rows: ComparisonRow[] = [
        {
          id: 'subnet',
          label: 'Searched subnet',
          note: subnetNote,
          params: s.summary.params,
          macs: s.summary.macs,
          bytes: s.summary.bytes,
          latencyMs: lat.medianMs,
          nme: r.nme,
          failureRate: r.failureRate,
        },
        await this.baselineRow(t, source),
        await this.supernetRow(t, source),
      ];
      const worst: ViewerSample[] = [];
      for (const pos of worstFirst(r.perImage).slice(0, WORST_LIMIT)) {
        worst.push(await this.viewerSample(source, pos, r.perImage[pos], r.predictions, r.targets));
      }
      const mean = await meanShapeNme(source, t.config.train.batchSize);
      return {
        rows,
        nme: r.nme,
        failureRate: r.failureRate,
        auc: r.auc,
        ced: r.ced,
        normaliser: r.normaliser,
        valCount: r.count,
        meanShapeNme: mean === null ? null : mean / 100,
        worst,
        backend: tf.getBackend(),
      };
    });
  }

  private async baselineRow(t: SearchTrainer, source: BatchSource): Promise<ComparisonRow> {
    const size = t.config.inputSize;
    const arch = this.baselineArch(size);
    const cost = countCost(arch);
    // latency does not depend on the weights: an untrained copy is timed when none was trained
    const trained = this.baseline;
    const model = trained?.model ?? createModel(arch, { seed: t.config.seeds.init });
    try {
      const lat = await measureLatency(model, size, LATENCY_REPEATS, { seed: t.config.seeds.init });
      const r = trained ? await evaluateModel(model, source, { batchSize: t.config.train.batchSize }) : null;
      return {
        id: 'baseline',
        label: 'PFLD-106 baseline',
        note: trained
          ? `trained from scratch, ${trained.steps} steps`
          : 'not trained (accuracy not measured)',
        params: cost.params,
        macs: cost.macs,
        bytes: sizeBytesOf(cost.params),
        latencyMs: lat.medianMs,
        nme: r?.nme ?? null,
        failureRate: r?.failureRate ?? null,
      };
    } finally {
      if (!trained) model.dispose();
    }
  }

  private async supernetRow(t: SearchTrainer, source: BatchSource): Promise<ComparisonRow> {
    const net = t.supernet;
    const probs = await net.probs();
    const size = t.config.inputSize;
    const expected = t.masked
      ? await softEffectiveCost(t.masked)
      : expectedCost(
          candidateCostTable(t.space, t.config.candidateEdits, size),
          probs,
          fixedCost(t.space, size),
        );
    let latencyMs: number | null = null;
    if (t.config.loss.cost === 'latency') {
      const { costTable, fixedCost: fixed } = t.options;
      latencyMs = costTable.reduce(
        (sum, row, l) => sum + row.reduce((a, c, i) => a + c * probs[l][i], 0),
        fixed,
      );
    }
    const v = await validateArgmax(net, source, t.config.train.batchSize);
    return {
      id: 'supernet',
      label: 'Supernet estimate',
      note:
        (t.masked
          ? 'FBNetV2 effective cost under the softmax of every architecture logit'
          : 'cost expected under softmax(θ)') +
        (latencyMs !== null ? ' (latency from the lookup table)' : '') +
        `; NME of the argmax path with shared weights at search step ${t.stepsDone}`,
      params: expected.params,
      macs: expected.macs,
      bytes: sizeBytesOf(expected.params),
      latencyMs,
      nme: v.nme === null ? null : v.nme / 100,
      failureRate: null,
    };
  }

  private async viewerSample(
    source: BatchSource,
    position: number,
    nme: number,
    predictions: Float32Array,
    targets: Float32Array,
  ): Promise<ViewerSample> {
    const k = source.outputs;
    // slice, not subarray: a view would structured-clone its whole buffer
    const pred = predictions.slice(position * k, (position + 1) * k);
    const gt = targets.slice(position * k, (position + 1) * k);
    if (source instanceof LandmarkSource) {
      const image = source.sample('val', position).image.slice();
      return { position, nme, size: Math.round(Math.sqrt(image.length / 3)), image, gt, pred };
    }
    // other sources: the network input itself, at the input size
    const batch = source.batchAt('val', [position]);
    const data = await batch.x.data();
    tf.dispose([batch.x, batch.y]);
    const image = Uint8Array.from(data, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
    return { position, nme, size: source.inputSize, image, gt, pred };
  }

  export({ experimentUrl }: { experimentUrl?: string }): Promise<ResultsExport> {
    return this.exclusive(async () => {
      const t = this.trainer();
      const s = this.requireSubnet();
      const model = s.model;
      const archJson = JSON.stringify(model.arch, null, 2);
      const metadata: Record<string, string> = {
        'nas_playground.choices': JSON.stringify(s.summary.choices),
        'nas_playground.training': s.fromScratch ? `scratch:${s.steps}` : `inherited+finetune:${s.steps}`,
      };
      if (s.summary.v2) {
        metadata['nas_playground.fbnet_v2_choices'] = JSON.stringify(s.summary.v2.choices);
        // the model expects the image subsampled: every factor-th pixel from the top-left one
        metadata['nas_playground.input_subsample'] = String(s.summary.v2.factor);
      }
      if (experimentUrl) metadata[EXPERIMENT_URL_KEY] = experimentUrl;
      const bytes = await exportOnnx(model, { metadata });
      // parity: tfjs (this backend) against onnxruntime-web (wasm) on validation images
      const source = this.subnetSource(t, s);
      const n = Math.min(PARITY_IMAGES, source.count('val'));
      if (n === 0)
        throw new WorkerRequestError(
          'The dataset has no validation images to check the export on.',
          'no-data',
        );
      const batch = source.batchAt('val', [...Array(n).keys()]);
      const pred = model.predict(batch.x);
      const [input, expected] = await Promise.all([
        batch.x.data() as Promise<Float32Array>,
        pred.data() as Promise<Float32Array>,
      ]);
      const shape = batch.x.shape as [number, number, number, number];
      tf.dispose([batch.x, batch.y, pred]);
      await prepareOrt();
      const check = await verifyOnnx(bytes, input, shape, expected);
      return {
        bytes,
        fileName: `${model.arch.name.replace(/[^A-Za-z0-9._-]+/g, '_')}.onnx`,
        archJson,
        maxAbsDiff: check.maxAbsDiff,
        checkedImages: n,
        tolerance: PARITY_TOLERANCE,
        params: model.paramCount(),
      };
    });
  }

  dispose(): void {
    this.abort?.abort();
    this.reset();
  }
}

/**
 * FBNetV2's differentiable cost with every search's softmax as its weights: the cost the search optimized,
 * at the distribution instead of a Gumbel sample.
 */
async function softEffectiveCost(net: MaskedSupernet): Promise<{ macs: number; params: number }> {
  const soft = (v: tf.Variable | null | undefined) => (v ? (tf.softmax(v) as tf.Tensor1D) : undefined);
  const mix: MaskedMix = {
    blocks: net.layers.map((l) => tf.softmax(l.theta) as tf.Tensor1D),
    widths: net.layers.map((l) => soft(l.widthSearch?.logits)),
    expansions: net.layers.map((l) => soft(l.expansionSearch?.logits)),
    resolution: soft(net.resolution?.logits),
  };
  const cost = effectiveCost(net.plan, mix);
  try {
    const [macs, params] = await Promise.all([cost.macs.data(), cost.params.data()]);
    return { macs: macs[0], params: params[0] };
  } finally {
    const parts = [...mix.blocks, ...(mix.widths ?? []), ...(mix.expansions ?? []), mix.resolution];
    tf.dispose([cost.macs, cost.params, ...parts.filter((p): p is tf.Tensor1D => p instanceof tf.Tensor)]);
  }
}
