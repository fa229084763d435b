/**
 * FBNet V1 search loop (DNAS): trains the supernet weights w and the architecture logits θ with two
 * optimizers on two disjoint splits of the training data.
 *
 * Schedule: an epoch is `train.stepsPerEpoch` iterations. During the first `train.warmupEpochs` epochs an
 * iteration is one weight step (θ frozen, candidates still sampled from the uniform θ so every block
 * trains). Afterwards an iteration is a weight step on a 'weights' batch followed by an architecture step
 * on an 'arch' batch. `step()` performs the next of these optimizer steps; `stepWeights()` / `stepArch()`
 * force one without moving the schedule.
 *
 * Both steps draw a Gumbel-softmax mask m per searchable layer at temperature τ(epoch) = τ0 · decay^epoch.
 * - weights: SGD with momentum 0.9, L2 weight decay `train.weightDecay`, lr `train.lrWeights` cosine-decayed
 *   over the run (or constant). It descends the task loss: the cost factor α · log(COST)^β is constant in w
 *   and would only rescale the step by a sample-dependent amount, tying the weights' learning rate to α, β.
 *   With hard samples only the sampled candidate runs (same forward value and weight gradients as the
 *   one-hot mixture; the other candidates' BatchNorm statistics are left alone in that step).
 * - arch: Adam (lr `train.lrTheta`, L2 weight decay `thetaWeightDecay`, 5e-4 as FBNet) on the full loss
 *   task · α · log(COST)^β with COST = Σ m · cost + fixed; all candidates run so that every m_i gets its
 *   gradient (also with hard samples: straight-through).
 * A step whose loss or gradients are NaN/Inf applies no update (BatchNorm running statistics are rolled
 * back too) and reports nonFinite: true; the schedule still advances and run() stops.
 *
 * Randomness: weight init from seeds.init, Gumbel noise from seeds.gumbel, batch order and augmentation
 * from seeds.data (seeds.split belongs to the data source). Checkpoints hold the weights and the Gumbel and
 * data Rng states, so state() / restore() continue a run bit-exactly on the same backend.
 *
 * FBNetV2 (strategy 'fbnet-v2', DMaskingNAS): the supernet is a MaskedSupernet whose searchable layers also
 * search their output width (config.v2.widthFractions) and whose input resolution is searched
 * (config.v2.resolutionFactors). Each step draws, after V1's block noise, Gumbel noise for every width,
 * expansion and resolution search; θ's Adam optimizes all architecture logits (archVariables()); the cost
 * is the differentiable effective MACs / params of the masked network (v2/effective-shape.ts) per cost
 * unit. `supernet` is then a MaskedSupernetView (V1's interface; see masked-view.ts) and `masked` the
 * network itself. V1 runs take none of these paths.
 */
import * as tf from '@tensorflow/tfjs';
import { sumTensors } from '../tensor-sum.ts';
import type { SearchSpace } from '../arch/spec.ts';
import type { Batch, BatchSource } from '../data/source.ts';
import { DEFAULT_V2, type CostSource, type ExperimentConfig } from '../experiment.ts';
import { candidateCostTable, fixedCost as fixedCostOf } from '../cost/table.ts';
import { meanNme } from '../data/metrics.ts';
import { NUM_COORDS } from '../data/landmarks106.ts';
import { getWeights, setWeights } from '../model/weights.ts';
import { headOutputs } from '../model/head.ts';
import { Rng } from '../rng.ts';
import { SPACES } from '../spaces/index.ts';
import { withWidthOptions } from '../spaces/v2-widths.ts';
import { ChannelSearch } from '../v2/channel-mask.ts';
import { effectiveCost } from '../v2/effective-shape.ts';
import { deriveModel } from '../v2/derive.ts';
import { MaskedSupernet, type MaskedMix } from '../v2/masked-supernet.ts';
import { MaskedSupernetView } from './masked-view.ts';
import { BatchOrder } from './batch-order.ts';
import { argmax, drawGumbel, entropy, gumbelSoftmax, softmaxArray, temperatureAt } from './gumbel.ts';
import { fbnetLoss, taskLoss } from './loss.ts';
import { expectedCostOf, Supernet, type CostTable, type LayerMix } from './supernet.ts';
import { ThetaAdam } from './theta-adam.ts';
import type {
  Phase,
  ResolvedSearchOptions,
  StepMetrics,
  TensorState,
  TrainerState,
  V2FeatureSummary,
  V2StepMetrics,
} from './trainer-state.ts';

export interface SearchOptions {
  /** The space to search; defaults to SPACES[config.space]. */
  space?: SearchSpace;
  /**
   * Raw cost of every candidate of every searchable layer (MACs, parameters, or a latency lookup table in
   * ms) and of the fixed part. Defaults to counted MACs/params for config.loss.cost; required for latency.
   */
  costTable?: number[][];
  fixedCost?: number;
  /** Raw cost per loss unit; default from defaultCostUnit. */
  costUnit?: number;
  momentum?: number;
  lrSchedule?: 'cosine' | 'constant';
  /** L2 weight decay of θ's Adam (FBNet: 5e-4). */
  thetaWeightDecay?: number;
  /** Pass the data Rng to 'weights' batches so the source may augment them. */
  augment?: boolean;
  /** Hard samples: run only the sampled candidate in weight steps. */
  skipUnsampled?: boolean;
  /** Most recent StepMetrics kept in the history (and checkpoints). */
  historyLimit?: number;
  /** FBNetV2: steps between channel feature-map summaries in StepMetrics.v2.features (0 = never). */
  featureEvery?: number;
}

export interface EvalResult {
  /** Mean task loss over the 'val' split, with every layer at argmax θ and BatchNorm in inference mode. */
  valLoss: number;
  /** Classification only. */
  valAcc?: number;
  /** Landmarks only: inter-ocular NME (fraction) for 106 points, else mean point error / image side. */
  valNme?: number;
}

export type RunOutcome = 'finished' | 'aborted' | 'nonFinite';

const NATURAL_UNIT: Record<CostSource, number> = { macs: 1e6, params: 1e3, latency: 1 };

/**
 * The loss needs log(COST) > 0. Costs are expressed in millions of MACs, thousands of parameters or ms,
 * unless the cheapest network of the space would then cost less than e (log < 1, e.g. a small space at a
 * small input size); the unit is then divided by 10 until the cheapest network costs at least e.
 */
export function defaultCostUnit(source: CostSource, table: number[][], fixed: number): number {
  const cheapest = table.reduce((s, row) => s + Math.min(...row), fixed);
  let unit = NATURAL_UNIT[source];
  if (!(cheapest > 0)) return unit;
  while (cheapest / unit < Math.E) unit /= 10;
  return unit;
}

/**
 * FBNetV2 networks can be cheaper than V1's cheapest (narrower widths, smaller inputs): a lower bound of
 * that factor, so the cost unit keeps log(COST) >= 1 for every choice. Channel products shrink by at most
 * the smallest width ratio squared, areas (MACs only) by the largest resolution factor squared.
 */
function v2CostShrink(config: ExperimentConfig, space: SearchSpace, source: CostSource): number {
  const v2 = config.v2 ?? DEFAULT_V2;
  const widened = withWidthOptions(space, v2.widthFractions);
  let ratio = 1;
  for (const e of widened.body)
    if (e.kind === 'search' && e.widths) ratio = Math.min(ratio, e.widths[0] / e.out);
  const rmax = Math.max(1, ...v2.resolutionFactors);
  return ratio * ratio * (source === 'macs' ? 1 / (rmax * rmax) : 1);
}

function resolveOptions(
  config: ExperimentConfig,
  space: SearchSpace,
  options: SearchOptions,
): ResolvedSearchOptions {
  let costTable = options.costTable;
  let fixed = options.fixedCost;
  const source = config.loss.cost;
  if (!costTable) {
    if (source === 'latency')
      throw new Error('A latency search needs a latency table (options.costTable, in ms)');
    const rows = candidateCostTable(space, config.candidateEdits, config.inputSize);
    costTable = rows.map((r) => (source === 'macs' ? r.macs : r.params));
    if (fixed === undefined) {
      const f = fixedCostOf(space, config.inputSize);
      fixed = source === 'macs' ? f.macs : f.params;
    }
  }
  fixed ??= 0;
  let costUnit = options.costUnit;
  if (costUnit === undefined && config.strategy === 'fbnet-v2') {
    const k = v2CostShrink(config, space, source);
    costUnit = defaultCostUnit(
      source,
      costTable.map((r) => r.map((c) => c * k)),
      fixed * k,
    );
  }
  return {
    costTable: costTable.map((r) => [...r]),
    fixedCost: fixed,
    costUnit: costUnit ?? defaultCostUnit(source, costTable, fixed),
    momentum: options.momentum ?? 0.9,
    lrSchedule: options.lrSchedule ?? 'cosine',
    thetaWeightDecay: options.thetaWeightDecay ?? 5e-4,
    augment: options.augment ?? true,
    skipUnsampled: options.skipUnsampled ?? true,
    historyLimit: options.historyLimit ?? 10000,
    featureEvery: options.featureEvery ?? 10,
  };
}

/** Per-step Gumbel noise of the V2 searches (indexed by searchable layer; null where not searched). */
interface V2Noise {
  widths: (Float32Array | null)[];
  expansions: (Float32Array | null)[];
  resolution: Float32Array | null;
}

/** Index choices for a weight step with hard samples (only the sampled network runs). */
interface V2Sampled {
  widths: (number | undefined)[];
  expansions: (number | undefined)[];
  resolution: number | undefined;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class SearchTrainer {
  /** The space searched (before candidate edits). */
  readonly space: SearchSpace;
  /** V1's supernet, or for FBNetV2 a MaskedSupernetView over `masked`. */
  readonly supernet: Supernet;
  /** FBNetV2's masked supernet (null for V1). */
  readonly masked: MaskedSupernet | null = null;
  private readonly view: MaskedSupernetView | null = null;
  /** Variables θ's Adam optimizes: V1 θ, or every architecture logit for FBNetV2. */
  private readonly archVars: tf.Variable[];
  readonly options: ResolvedSearchOptions;
  readonly history: StepMetrics[] = [];
  /** Cost table in loss units (raw / costUnit). */
  private readonly scaledCost: CostTable;
  private readonly weightVars: tf.Variable[];
  private readonly runningStats: tf.Variable[];
  private readonly weightOpt: tf.MomentumOptimizer;
  private readonly thetaOpt: ThetaAdam;
  private gumbelRng: Rng;
  private dataRng: Rng;
  private readonly order: Record<Phase, BatchOrder>;
  private stepCount = 0;
  private epochIndex = 0;
  private iter = 0;
  private nextPhase: Phase = 'weights';

  constructor(
    readonly config: ExperimentConfig,
    readonly source: BatchSource,
    options: SearchOptions = {},
  ) {
    const space = options.space ?? SPACES[config.space];
    if (!space) throw new Error(`Unknown search space "${config.space}"`);
    this.space = space;
    if (config.strategy === 'fbnet-v2') {
      if (config.loss.cost === 'latency')
        throw new Error('An FBNetV2 search counts multiply-adds or parameters; latency tables cover V1 only');
      const v2 = config.v2 ?? DEFAULT_V2;
      this.masked = new MaskedSupernet(withWidthOptions(space, v2.widthFractions), {
        edits: config.candidateEdits,
        inputSize: config.inputSize,
        seed: config.seeds.init,
        resolutionFactors: [...v2.resolutionFactors],
      });
      this.view = new MaskedSupernetView(this.masked);
      this.supernet = this.view as unknown as Supernet;
    } else {
      this.supernet = new Supernet(space, {
        edits: config.candidateEdits,
        inputSize: config.inputSize,
        seed: config.seeds.init,
      });
    }
    try {
      this.checkSource();
      this.options = resolveOptions(config, space, options);
      const rows = this.options.costTable;
      if (rows.length !== this.supernet.mixed.length) {
        throw new Error(
          `Cost table has ${rows.length} rows for ${this.supernet.mixed.length} searchable layers`,
        );
      }
      this.supernet.mixed.forEach((m, l) => {
        if (rows[l].length !== m.candidates.length) {
          throw new Error(
            `Cost table row ${l} has ${rows[l].length} entries for ${m.candidates.length} candidates`,
          );
        }
      });
    } catch (e) {
      this.supernet.dispose();
      throw e;
    }
    const unit = this.options.costUnit;
    this.scaledCost = {
      perLayer: this.options.costTable.map((r) => r.map((c) => c / unit)),
      fixed: this.options.fixedCost / unit,
    };
    const params = this.supernet.weightParams();
    this.weightVars = params.filter((p) => p.trainable).map((p) => p.variable);
    this.runningStats = params.filter((p) => !p.trainable).map((p) => p.variable);
    this.weightOpt = tf.train.momentum(config.train.lrWeights, this.options.momentum) as tf.MomentumOptimizer;
    this.archVars = this.masked ? this.masked.archVariables() : this.supernet.thetas();
    this.thetaOpt = new ThetaAdam(
      this.archVars as tf.Variable<tf.Rank.R1>[],
      config.train.lrTheta,
      this.options.thetaWeightDecay,
    );
    this.gumbelRng = new Rng(config.seeds.gumbel);
    this.dataRng = new Rng(config.seeds.data);
    this.order = {
      weights: new BatchOrder(source.count('weights')),
      arch: new BatchOrder(source.count('arch')),
    };
  }

  private checkSource(): void {
    const s = this.source;
    const head = this.supernet.space.head;
    if (s.task !== this.supernet.task)
      throw new Error(`The data is for ${s.task}, the space for ${this.supernet.task}`);
    if (s.outputs !== headOutputs(head)) {
      throw new Error(`The data has ${s.outputs} outputs, the head ${headOutputs(head)}`);
    }
    if (s.inputSize !== this.config.inputSize || s.channels !== this.supernet.space.input.channels) {
      throw new Error(
        `The data is ${s.inputSize}x${s.inputSize}x${s.channels}, the search expects ` +
          `${this.config.inputSize}x${this.config.inputSize}x${this.supernet.space.input.channels}`,
      );
    }
  }

  get epoch(): number {
    return this.epochIndex;
  }

  /** Optimizer steps done so far (weights and arch). */
  get stepsDone(): number {
    return this.stepCount;
  }

  get done(): boolean {
    return this.epochIndex >= this.config.train.epochs;
  }

  /** Which optimizer steps next. */
  get next(): Phase {
    return this.nextPhase;
  }

  tau(): number {
    return temperatureAt(this.epochIndex, this.config.gumbel.tau0, this.config.gumbel.decay);
  }

  /** Current learning rate of the weights (cosine over the run's iterations unless 'constant'). */
  weightLr(): number {
    const { lrWeights, epochs, stepsPerEpoch } = this.config.train;
    if (this.options.lrSchedule === 'constant') return lrWeights;
    const total = Math.max(1, epochs * stepsPerEpoch);
    const progress = Math.min(1, (this.epochIndex * stepsPerEpoch + this.iter) / total);
    return 0.5 * lrWeights * (1 + Math.cos(Math.PI * progress));
  }

  /** The next optimizer step of the schedule. */
  async step(): Promise<StepMetrics> {
    if (this.done) throw new Error('The search has finished');
    const phase = this.nextPhase;
    const metrics = await this.runPhase(phase);
    this.advance(phase);
    return metrics;
  }

  /** One weight step now, outside the schedule (the schedule position does not move). */
  stepWeights(): Promise<StepMetrics> {
    return this.runPhase('weights');
  }

  /** One architecture step now, outside the schedule. */
  stepArch(): Promise<StepMetrics> {
    return this.runPhase('arch');
  }

  /** Steps until the schedule ends, the signal aborts or a step is non-finite; yields between steps. */
  async run(onMetrics: (m: StepMetrics) => void, signal?: AbortSignal): Promise<RunOutcome> {
    while (!this.done) {
      if (signal?.aborted) return 'aborted';
      const m = await this.step();
      onMetrics(m);
      if (m.nonFinite) return 'nonFinite';
      await yieldToEventLoop();
    }
    return 'finished';
  }

  private advance(phase: Phase): void {
    if (phase === 'weights' && this.epochIndex >= this.config.train.warmupEpochs) {
      this.nextPhase = 'arch';
      return;
    }
    this.nextPhase = 'weights';
    this.iter += 1;
    if (this.iter >= this.config.train.stepsPerEpoch) {
      this.iter = 0;
      this.epochIndex += 1;
    }
  }

  private async runPhase(phase: Phase): Promise<StepMetrics> {
    const { config, supernet } = this;
    const epoch = this.epochIndex;
    const tau = this.tau();
    const thetas = supernet.thetas();
    const thetaValues = await Promise.all(thetas.map((t) => t.data() as Promise<Float32Array>));
    const noise = supernet.mixed.map((m) => drawGumbel(this.gumbelRng, m.candidates.length));
    // the categorical draw: argmax of θ + g (same as argmax of m for any τ)
    const sampled = noise.map((g, l) => argmax(Array.from(g, (v, i) => v + thetaValues[l][i])));
    const v2 = this.masked ? await this.drawV2() : null;
    const indices = this.order[phase].next(config.train.batchSize, this.dataRng);
    const augment = phase === 'weights' && this.options.augment ? this.dataRng : undefined;
    const batch = this.source.batchAt(phase, indices, augment);
    const onlySampled = phase === 'weights' && config.gumbel.hard && this.options.skipUnsampled;
    const lr = phase === 'weights' ? this.weightLr() : config.train.lrTheta;
    let values: Float32Array;
    let finite: boolean;
    try {
      ({ values, finite } = await this.optimize(
        phase,
        batch,
        noise,
        onlySampled ? sampled : null,
        tau,
        lr,
        v2?.noise,
        onlySampled ? v2?.sampled : undefined,
      ));
    } finally {
      tf.dispose([batch.x, batch.y]);
    }

    const thetaNow =
      finite && phase === 'arch'
        ? await Promise.all(thetas.map((t) => t.data() as Promise<Float32Array>))
        : thetaValues;
    const probs = thetaNow.map((t) => softmaxArray(t));
    const gumbelWeights: number[][] = [];
    let offset = 4;
    for (const m of supernet.mixed) {
      gumbelWeights.push(Array.from(values.subarray(offset, offset + m.candidates.length)));
      offset += m.candidates.length;
    }
    const metrics: StepMetrics = {
      step: this.stepCount,
      epoch,
      phase,
      taskLoss: values[0],
      costTerm: values[1],
      expectedCost: values[2] * this.options.costUnit,
      loss: values[3],
      tau,
      lr,
      probs,
      sampled,
      gumbelWeights,
      entropy: probs.map(entropy),
      nonFinite: !finite,
    };
    if (v2) metrics.v2 = await this.v2Metrics(values, offset, v2.sampled);
    this.stepCount += 1;
    this.history.push(metrics);
    if (this.history.length > this.options.historyLimit)
      this.history.splice(0, this.history.length - this.options.historyLimit);
    return metrics;
  }

  /** The V2 searches of every searchable layer (null where a layer does not search that dimension). */
  private v2Searches(): { widths: (ChannelSearch | null)[]; expansions: (ChannelSearch | null)[] } {
    const layers = (this.masked as MaskedSupernet).layers;
    return { widths: layers.map((l) => l.widthSearch), expansions: layers.map((l) => l.expansionSearch) };
  }

  /** The argmax architecture the view runs for index mixes (validation, derivation) follows the logits. */
  private async refreshV2Choices(): Promise<void> {
    const view = this.view;
    if (!view || !this.masked) return;
    const { widths, expansions } = this.v2Searches();
    const pick = async (s: ChannelSearch | null) => (s ? argmax(await s.logits.data()) : undefined);
    view.choices = {
      widths: await Promise.all(widths.map(pick)),
      expansions: await Promise.all(expansions.map(pick)),
      resolution: (await pick(this.masked.resolution)) ?? 0,
    };
  }

  /**
   * Gumbel noise for every width, expansion and resolution search (drawn after the block noise, in this
   * order) and the categorical draws argmax(logits + noise), with the logits before the step.
   */
  private async drawV2(): Promise<{ noise: V2Noise; sampled: V2Sampled }> {
    const net = this.masked as MaskedSupernet;
    const { widths, expansions } = this.v2Searches();
    const draw = (s: ChannelSearch | null) => (s ? drawGumbel(this.gumbelRng, s.options.length) : null);
    const noise: V2Noise = {
      widths: widths.map(draw),
      expansions: expansions.map(draw),
      resolution: draw(net.resolution),
    };
    const logits = async (s: ChannelSearch | null) => (s ? Array.from(await s.logits.data()) : null);
    const pick = (l: number[] | null, g: Float32Array | null) =>
      l && g ? argmax(l.map((v, i) => v + g[i])) : undefined;
    const wl = await Promise.all(widths.map(logits));
    const el = await Promise.all(expansions.map(logits));
    const rl = await logits(net.resolution);
    const sampled: V2Sampled = {
      widths: wl.map((l, i) => pick(l, noise.widths[i])),
      expansions: el.map((l, i) => pick(l, noise.expansions[i])),
      resolution: pick(rl, noise.resolution),
    };
    return { noise, sampled };
  }

  /**
   * StepMetrics.v2 from the packed values after V1's part (`offset`): width g per width search, expansion g
   * per expansion search, resolution g, then [effective MACs, effective params].
   */
  private async v2Metrics(values: Float32Array, offset: number, sampled: V2Sampled): Promise<V2StepMetrics> {
    const net = this.masked as MaskedSupernet;
    const { widths, expansions } = this.v2Searches();
    const take = (n: number) => {
      const out = Array.from(values.subarray(offset, offset + n));
      offset += n;
      return out;
    };
    const widthWeights = widths.map((s, l) => (s ? take(s.options.length) : [1]));
    for (const s of expansions) if (s) take(s.options.length);
    const resolutionWeights = net.resolution ? take(net.resolution.options.length) : null;
    const [effectiveMacs, effectiveParams] = take(2);
    // logits after the step (an arch step moved them)
    const after = await Promise.all(widths.map(async (s) => (s ? Array.from(await s.logits.data()) : null)));
    const widthOptions = net.layers.map((l) => l.widthSearch?.options ?? [l.outMax]);
    const widthProbs = after.map((l, i) => (l ? softmaxArray(l) : [1]));
    const masks = widthOptions.map((opts, l) => {
      const max = opts[opts.length - 1];
      // M_c = Σ_i g_i · [c < w_i]: the mask the forward applied (channel-mask.ts channelMask)
      return Array.from({ length: max }, (_, c) =>
        opts.reduce((m, w, i) => (c < w ? m + widthWeights[l][i] : m), 0),
      );
    });
    const resolutionLogits = net.resolution ? Array.from(await net.resolution.logits.data()) : null;
    const metrics: V2StepMetrics = {
      widthOptions,
      widthProbs,
      widthWeights,
      sampledWidths: widthOptions.map((opts, l) => opts[sampled.widths[l] ?? opts.length - 1]),
      masks,
      expectedWidths: widthOptions.map((opts, l) => opts.reduce((e, w, i) => e + w * widthWeights[l][i], 0)),
      effectiveMacs,
      effectiveParams,
    };
    if (net.resolution && resolutionWeights && resolutionLogits) {
      const factors = net.resolution.options;
      metrics.resolutionFactors = [...factors];
      metrics.resolutionProbs = softmaxArray(resolutionLogits);
      metrics.resolutionWeights = resolutionWeights;
      metrics.sampledResolution = Math.ceil(this.config.inputSize / factors[sampled.resolution ?? 0]);
    }
    await this.refreshV2Choices();
    const every = this.options.featureEvery ?? 10;
    if (every > 0 && this.stepCount % every === 0) metrics.features = await this.featureSummary();
    return metrics;
  }

  /**
   * Channel thumbnails for the explanation view: the full-width network at argmax θ (every layer at its
   * largest width, weights shared with the supernet) run in inference mode on the first validation image;
   * per searchable layer, each output channel average-pooled to at most 6×6, and its mean |activation|.
   * This is b(x) before masking; the UI multiplies it by the step's mask M.
   */
  async featureSummary(): Promise<V2FeatureSummary[]> {
    const net = this.masked;
    if (!net) return [];
    const blocks = await Promise.all(net.layers.map(async (l) => argmax(await l.theta.data())));
    const full = {
      blocks,
      widths: net.layers.map((l) => (l.widthSearch ? l.widthSearch.options.length - 1 : undefined)),
      expansions: net.layers.map((l) =>
        l.expansionSearch ? l.expansionSearch.options.length - 1 : undefined,
      ),
      resolution: 0,
    };
    const { model } = await deriveModel(net, full, 'features');
    const split = this.source.count('val') > 0 ? 'val' : 'weights';
    const batch = this.source.batchAt(split, [0]);
    try {
      const searchIdx = new Set(net.layers.map((l) => l.bodyIndex));
      const outs = tf.tidy(() => {
        const kept: { index: number; thumb: tf.Tensor; mean: tf.Tensor }[] = [];
        let h = batch.x;
        model.blocks.forEach((b, i) => {
          h = b.apply(h, false);
          if (!searchIdx.has(i)) return;
          const side = Math.min(6, h.shape[1]);
          const small = tf.image.resizeBilinear(h, [side, side]);
          // [C, side*side]
          const thumb = tf.reshape(tf.transpose(small, [0, 3, 1, 2]), [h.shape[3], side * side]);
          kept.push({ index: i, thumb: tf.keep(thumb), mean: tf.keep(tf.mean(tf.abs(h), [0, 1, 2])) });
        });
        return kept;
      });
      const result: V2FeatureSummary[] = [];
      for (const o of outs) {
        const [t, m] = await Promise.all([o.thumb.data(), o.mean.data()]);
        const [c, n] = o.thumb.shape;
        result.push({
          bodyIndex: o.index,
          side: Math.round(Math.sqrt(n)),
          thumbs: Array.from({ length: c }, (_, k) => Array.from(t.subarray(k * n, (k + 1) * n))),
          means: Array.from(m),
        });
        tf.dispose([o.thumb, o.mean]);
      }
      return result;
    } finally {
      tf.dispose([batch.x, batch.y]);
      model.dispose();
    }
  }

  /**
   * Forward, backward and (when everything is finite) the update of one phase. `only` gives, per layer,
   * the single candidate to run (hard weight steps); else all candidates run weighted by m. Returns
   * [task, costTerm, cost, loss, ...m per layer] and whether loss and gradients were finite.
   */
  private async optimize(
    phase: Phase,
    batch: Batch,
    noise: Float32Array[],
    only: number[] | null,
    tau: number,
    lr: number,
    v2Noise?: V2Noise,
    v2Only?: V2Sampled,
  ): Promise<{ values: Float32Array; finite: boolean }> {
    const { config, supernet } = this;
    const thetas = supernet.thetas();
    const vars = phase === 'weights' ? this.weightVars : this.archVars;
    // tf.clone shares the buffer: a free snapshot of the BatchNorm running statistics for a roll-back
    const statsBefore = this.runningStats.map((v) => tf.clone(v));
    const out: { packed?: tf.Tensor } = {};
    const { value, grads } = tf.variableGrads(() => {
      const masks = thetas.map((t, l) => gumbelSoftmax(t, tau, tf.tensor1d(noise[l]), config.gumbel.hard));
      if (this.masked && v2Noise) {
        const net = this.masked;
        const { widths, expansions } = this.v2Searches();
        const g = (s: ChannelSearch | null, n: Float32Array | null) =>
          s && n ? gumbelSoftmax(s.logits, tau, tf.tensor1d(n), config.gumbel.hard) : undefined;
        const soft: MaskedMix = {
          blocks: masks,
          widths: widths.map((s, l) => g(s, v2Noise.widths[l])),
          expansions: expansions.map((s, l) => g(s, v2Noise.expansions[l])),
          resolution: g(net.resolution, v2Noise.resolution),
        };
        const run: MaskedMix = only
          ? {
              blocks: only,
              widths: v2Only?.widths,
              expansions: v2Only?.expansions,
              resolution: v2Only?.resolution,
            }
          : soft;
        const pred = net.forward(batch.x, true, run);
        const task = taskLoss(net.task, pred, batch.y);
        const eff = effectiveCost(net.plan, soft);
        const raw = config.loss.cost === 'params' ? eff.params : eff.macs;
        const cost = tf.div(raw, this.options.costUnit) as tf.Scalar;
        const { loss, costTerm } = fbnetLoss(task, cost, config.loss.alpha, config.loss.beta);
        const gs = [...(soft.widths ?? []), ...(soft.expansions ?? []), soft.resolution].filter(
          (t): t is tf.Tensor1D => t !== undefined && typeof t !== 'number',
        );
        out.packed = tf.keep(
          tf.concat([
            tf.stack([task, costTerm, cost, loss]),
            ...masks,
            ...gs,
            tf.stack([eff.macs, eff.params]),
          ]),
        );
        return phase === 'weights' ? task : loss;
      }
      const pred = supernet.forward(batch.x, true, only ?? masks);
      const task = taskLoss(supernet.task, pred, batch.y);
      const cost = expectedCostOf(masks, this.scaledCost);
      const { loss, costTerm } = fbnetLoss(task, cost, config.loss.alpha, config.loss.beta);
      out.packed = tf.keep(tf.concat([tf.stack([task, costTerm, cost, loss]), ...masks]));
      return phase === 'weights' ? task : loss;
    }, vars);
    const gradList = vars.map((v) => grads[v.name] ?? null);
    const present = gradList.filter((g): g is tf.Tensor => g !== null);
    const packed = out.packed as tf.Tensor;
    try {
      const normSq = tf.tidy(() => sumTensors(present.map((g) => tf.sum(tf.square(g)))));
      const [values, norm] = await Promise.all([packed.data() as Promise<Float32Array>, normSq.data()]);
      normSq.dispose();
      const finite = values.every(Number.isFinite) && Number.isFinite(norm[0]);
      if (!finite) {
        this.runningStats.forEach((v, i) => v.assign(statsBefore[i]));
      } else if (phase === 'weights') {
        this.weightOpt.setLearningRate(lr);
        const wd = config.train.weightDecay;
        // every variable, in the same order every step: tfjs optimizer slots are positional
        const named = tf.tidy(() =>
          vars.map((v, i) => {
            const g = gradList[i] ?? tf.zerosLike(v);
            return { name: v.name, tensor: wd > 0 ? tf.add(g, tf.mul(v, wd)) : tf.clone(g) };
          }),
        );
        this.weightOpt.applyGradients(named);
        tf.dispose(named.map((n) => n.tensor));
      } else {
        const full = tf.tidy(() => vars.map((v, i) => tf.clone(gradList[i] ?? tf.zerosLike(v))));
        this.thetaOpt.apply(full);
        tf.dispose(full);
      }
      return { values, finite };
    } finally {
      tf.dispose([value, packed, ...present, ...statsBefore]);
    }
  }

  /** Task loss (and accuracy or NME) on the 'val' split for the argmax architecture, inference mode. */
  async evaluate(): Promise<EvalResult> {
    const n = this.source.count('val');
    if (n === 0) return { valLoss: NaN };
    const probs = await this.supernet.probs();
    const choices = probs.map((p) => argmax(p));
    const task = this.supernet.task;
    const bs = this.config.train.batchSize;
    const outputs = this.source.outputs;
    const preds = new Float32Array(n * outputs);
    const targets = new Float32Array(n * outputs);
    let lossSum = 0;
    for (let start = 0; start < n; start += bs) {
      const indices = Array.from({ length: Math.min(bs, n - start) }, (_, i) => start + i);
      const batch = this.source.batchAt('val', indices);
      const [pred, loss] = tf.tidy(() => {
        const p = this.supernet.forward(batch.x, false, choices);
        return [p, taskLoss(task, p, batch.y)];
      });
      const [p, y, l] = await Promise.all([pred.data(), batch.y.data(), loss.data()]);
      tf.dispose([pred, loss, batch.x, batch.y]);
      preds.set(p, start * outputs);
      targets.set(y, start * outputs);
      lossSum += l[0] * indices.length;
    }
    const valLoss = lossSum / n;
    if (task === 'classification') {
      let correct = 0;
      for (let i = 0; i < n; i++) {
        const o = i * outputs;
        if (argmax(preds.subarray(o, o + outputs)) === argmax(targets.subarray(o, o + outputs))) correct++;
      }
      return { valLoss, valAcc: correct / n };
    }
    return { valLoss, valNme: landmarkNme(preds, targets, outputs) };
  }

  /** A structured-clone friendly snapshot of everything needed to continue the run exactly. */
  async state(): Promise<TrainerState> {
    const weights = await getWeights(this.supernet.weightParams());
    for (const k of Object.keys(weights))
      weights[k] = { shape: weights[k].shape, data: weights[k].data.slice() };
    const theta = await Promise.all(
      this.supernet.thetas().map(async (t) => ((await t.data()) as Float32Array).slice()),
    );
    const optWeights = await this.weightOpt.getWeights();
    const iterations = (await optWeights[0].tensor.data())[0];
    optWeights[0].tensor.dispose();
    const slots: TensorState[] = await Promise.all(
      optWeights.slice(1).map(async (w) => ({
        shape: [...w.tensor.shape],
        data: ((await w.tensor.data()) as Float32Array).slice(),
      })),
    );
    const state: TrainerState = {
      version: 1,
      config: structuredClone(this.config),
      space: structuredClone(this.space),
      options: structuredClone(this.options),
      weights,
      theta,
      weightOptimizer: { iterations, slots },
      thetaOptimizer: await this.thetaOpt.state(),
      counters: { step: this.stepCount, epoch: this.epochIndex, iter: this.iter, next: this.nextPhase },
      rng: { gumbel: this.gumbelRng.state(), data: this.dataRng.state() },
      batchOrder: { weights: this.order.weights.state(), arch: this.order.arch.state() },
      // feature thumbnails are for the live view only: checkpoints stay small
      history: this.history.map((m) =>
        m.v2?.features ? structuredClone({ ...m, v2: { ...m.v2, features: undefined } }) : structuredClone(m),
      ),
    };
    if (this.masked) {
      state.archLogits = await Promise.all(
        this.archVars.map(async (v) => ((await v.data()) as Float32Array).slice()),
      );
    }
    return state;
  }

  /** A trainer that continues from `state` on `source` (which must hold the same data). */
  static async restore(state: TrainerState, source: BatchSource): Promise<SearchTrainer> {
    if (state.version !== 1) throw new Error(`Unsupported trainer state version ${state.version}`);
    const o = state.options;
    const t = new SearchTrainer(state.config, source, { ...o, space: state.space });
    try {
      setWeights(t.supernet.weightParams(), state.weights);
      const thetas = t.supernet.thetas();
      if (state.theta.length !== thetas.length) throw new Error('Checkpoint θ does not match the supernet');
      tf.tidy(() => thetas.forEach((v, i) => v.assign(tf.tensor1d(state.theta[i]))));
      if (t.masked && state.archLogits) {
        if (state.archLogits.length !== t.archVars.length)
          throw new Error('Checkpoint architecture logits do not match the FBNetV2 supernet');
        tf.tidy(() => t.archVars.forEach((v, i) => v.assign(tf.tensor1d(state.archLogits![i]))));
      }
      await t.refreshV2Choices();
      const { iterations, slots } = state.weightOptimizer;
      if (slots.length > 0) {
        if (slots.length !== t.weightVars.length)
          throw new Error('Checkpoint optimizer does not match the supernet');
        const named = [
          { name: 'iter', tensor: tf.scalar(iterations, 'int32') },
          ...slots.map((s, i) => ({
            name: `${t.weightVars[i].name}/momentum`,
            tensor: tf.tensor(s.data, s.shape),
          })),
        ];
        await t.weightOpt.setWeights(named);
        tf.dispose(named.map((n) => n.tensor));
      }
      t.thetaOpt.setState(state.thetaOptimizer);
      t.stepCount = state.counters.step;
      t.epochIndex = state.counters.epoch;
      t.iter = state.counters.iter;
      t.nextPhase = state.counters.next;
      t.gumbelRng = new Rng(state.rng.gumbel);
      t.dataRng = new Rng(state.rng.data);
      t.order.weights.setState(state.batchOrder.weights);
      t.order.arch.setState(state.batchOrder.arch);
      t.history.push(...structuredClone(state.history));
    } catch (e) {
      t.dispose();
      throw e;
    }
    return t;
  }

  dispose(): void {
    this.weightOpt.dispose();
    // MomentumOptimizer.dispose() forgets SGD's learning-rate scalar
    (this.weightOpt as unknown as { c?: tf.Tensor }).c?.dispose();
    this.thetaOpt.dispose();
    this.supernet.dispose();
  }
}

/**
 * NME of landmark predictions: for the 106-point layout the reference inter-ocular NME (data/metrics.ts);
 * for other layouts the mean point error over the image side (coordinates are in [0, 1]).
 */
function landmarkNme(pred: Float32Array, gt: Float32Array, coords: number): number {
  if (coords === NUM_COORDS) return meanNme(pred, gt, 'inter-ocular', coords);
  let sum = 0;
  for (let i = 0; i < pred.length; i += 2) sum += Math.hypot(pred[i] - gt[i], pred[i + 1] - gt[i + 1]);
  return sum / (pred.length / 2);
}
