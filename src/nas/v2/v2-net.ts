/**
 * FBNetV2 (DMaskingNAS, Wan et al., CVPR 2020) behind the SearchNet interface: the masked supernet whose
 * searchable layers also search their output width (config.v2.widthFractions) and expansion, and whose
 * input resolution is searched (config.v2.resolutionFactors). A step draws, after V1's block noise,
 * Gumbel noise for every width, expansion and resolution search (in that order); θ's Adam optimizes every
 * architecture logit; the cost is the differentiable effective MACs / params of the masked network
 * (effective-shape.ts) per cost unit.
 */
import * as tf from '@tensorflow/tfjs';
import type { SearchSpace } from '../arch/spec.ts';
import type { BatchSource } from '../data/source.ts';
import { DEFAULT_V2, type CostSource, type ExperimentConfig } from '../experiment.ts';
import type { Rng } from '../rng.ts';
import type { ArchValues } from '../search/arch-values.ts';
import { sampleIndex, sampleRows } from '../search/categorical.ts';
import { argmax, drawGumbelMax, gumbelSoftmax, softmaxArray } from '../search/gumbel.ts';
import type {
  ArchState,
  CostModel,
  PathMode,
  Predictor,
  SearchNet,
  StepContext,
  StepCost,
} from '../search/search-net.ts';
import { singlePaths } from '../search/single-path.ts';
import type { Supernet } from '../search/supernet.ts';
import type { StepMetrics } from '../search/trainer-state.ts';
import { withWidthOptions } from '../spaces/v2-widths.ts';
import type { ChannelSearch } from './channel-mask.ts';
import { argmaxChoices, choicesMix, deriveArch, deriveModel, type MaskedChoices } from './derive.ts';
import { effectiveCost } from './effective-shape.ts';
import { MaskedSupernet, type MaskedForwardMix, type MaskedMix } from './masked-supernet.ts';
import { stepMetricsV2 } from './step-metrics.ts';
import type { V2Relaxation, V2Sample } from './v2-sample.ts';

export type { V2Relaxation, V2Sample };

/** Gumbel-max draws of the searches present (null: that layer does not search the dimension). */
function drawSearches(searches: (ChannelSearch | null)[], rng: Rng, arch: ArchValues) {
  const present = searches.filter((s): s is ChannelSearch => s !== null);
  const { noise, draws } = drawGumbelMax(
    present.map((s) => s.logits),
    rng,
    arch,
  );
  let i = 0;
  const at = searches.map((s) => (s ? i++ : -1));
  return {
    noise: at.map((k) => (k >= 0 ? noise[k] : null)),
    draws: at.map((k) => (k >= 0 ? draws[k] : undefined)),
  };
}

export class FbnetV2Net implements SearchNet {
  readonly masked: MaskedSupernet;

  constructor(
    private readonly config: ExperimentConfig,
    private readonly searched: SearchSpace,
  ) {
    if (config.loss.cost === 'latency')
      throw new Error('An FBNetV2 search counts multiply-adds or parameters; latency tables cover V1 only');
    const v2 = config.v2 ?? DEFAULT_V2;
    this.masked = new MaskedSupernet(withWidthOptions(searched, v2.widthFractions), {
      edits: config.candidateEdits,
      inputSize: config.inputSize,
      seed: config.seeds.init,
      resolutionFactors: [...v2.resolutionFactors],
    });
  }

  get space() {
    return this.masked.space;
  }
  get task() {
    return this.masked.task;
  }
  get layers() {
    return this.masked.layers;
  }
  readonly softCostBasis = 'FBNetV2 effective cost under the softmax of every architecture logit';
  readonly argmaxBasis =
    'the argmax widths, blocks and resolution inside the supernet with its shared weights, BatchNorm statistics of the supernet (not recalibrated)';

  weightParams() {
    return this.masked.weightParams();
  }
  thetas() {
    return this.masked.thetas();
  }
  archVariables() {
    return this.masked.archVariables();
  }
  probs() {
    return this.masked.probs();
  }

  /**
   * FBNetV2 networks can be cheaper than V1's cheapest (narrower widths, smaller inputs): a lower bound of
   * that factor. Channel products shrink by at most the smallest width ratio squared, areas (MACs only) by
   * the largest resolution factor squared.
   */
  costShrink(source: CostSource): number {
    const v2 = this.config.v2 ?? DEFAULT_V2;
    const widened = withWidthOptions(this.searched, v2.widthFractions);
    let ratio = 1;
    for (const e of widened.body)
      if (e.kind === 'search' && e.widths) ratio = Math.min(ratio, e.widths[0] / e.out);
    const rmax = Math.max(1, ...v2.resolutionFactors);
    return ratio * ratio * (source === 'macs' ? 1 / (rmax * rmax) : 1);
  }

  private searches(): { widths: (ChannelSearch | null)[]; expansions: (ChannelSearch | null)[] } {
    const layers = this.masked.layers;
    return { widths: layers.map((l) => l.widthSearch), expansions: layers.map((l) => l.expansionSearch) };
  }

  drawSample(rng: Rng, arch: ArchValues): V2Sample {
    // V1's block noise first, then every width, expansion and resolution search's (checkpointed runs
    // depend on this order)
    const { noise, draws: blocks } = drawGumbelMax(this.thetas(), rng, arch);
    const { widths, expansions } = this.searches();
    const widthDraw = drawSearches(widths, rng, arch);
    const expansionDraw = drawSearches(expansions, rng, arch);
    const resolutionDraw = drawSearches([this.masked.resolution], rng, arch);
    return {
      blocks,
      noise,
      widthNoise: widthDraw.noise,
      expansionNoise: expansionDraw.noise,
      resolutionNoise: resolutionDraw.noise[0],
      widths: widthDraw.draws,
      expansions: expansionDraw.draws,
      resolution: resolutionDraw.draws[0],
    };
  }

  relax(sample: V2Sample, tau: number, hard: boolean): V2Relaxation {
    const blocks = this.thetas().map((t, l) => gumbelSoftmax(t, tau, tf.tensor1d(sample.noise[l]), hard));
    const { widths, expansions } = this.searches();
    const g = (s: ChannelSearch | null, n: Float32Array | null) =>
      s && n ? gumbelSoftmax(s.logits, tau, tf.tensor1d(n), hard) : undefined;
    const mix = {
      blocks,
      widths: widths.map((s, l) => g(s, sample.widthNoise[l])),
      expansions: expansions.map((s, l) => g(s, sample.expansionNoise[l])),
      resolution: g(this.masked.resolution, sample.resolutionNoise),
    };
    const present = (ts: (tf.Tensor1D | undefined)[]) => ts.filter((t): t is tf.Tensor1D => t !== undefined);
    return {
      blocks,
      mix,
      extras: {
        widths: present(mix.widths),
        expansions: present(mix.expansions),
        resolution: present([mix.resolution]),
      },
    };
  }

  forwardStep(x: tf.Tensor4D, sample: V2Sample, relaxed: V2Relaxation, paths: PathMode): tf.Tensor2D {
    let run: MaskedForwardMix = relaxed.mix;
    if (paths === 'sampled') {
      run = {
        blocks: sample.blocks,
        widths: sample.widths,
        expansions: sample.expansions,
        resolution: sample.resolution,
      };
    } else if (paths === 'single') {
      // GDAS for the block choice only: widths, expansions and resolution keep DMaskingNAS's masks
      run = { ...relaxed.mix, blocks: singlePaths(relaxed.blocks, sample.blocks) };
    }
    return this.masked.forward(x, true, run);
  }

  stepCost(relaxed: V2Relaxation, cost: CostModel): StepCost {
    const eff = effectiveCost(this.masked.plan, relaxed.mix);
    const raw = cost.source === 'params' ? eff.params : eff.macs;
    return {
      cost: tf.div(raw, cost.unit) as tf.Scalar,
      extras: { effective: [tf.stack([eff.macs, eff.params])] },
    };
  }

  async describeStep(ctx: StepContext): Promise<Partial<StepMetrics>> {
    const v2 = await stepMetricsV2(this.masked, ctx, this.config.inputSize);
    return { v2 };
  }

  async argmaxChoices(): Promise<MaskedChoices> {
    return this.choicesWithBlocks((await this.probs()).map((p) => argmax(p)));
  }

  async sampleChoices(rng: Rng): Promise<MaskedChoices> {
    const blocks = sampleRows(await this.probs(), rng);
    const draw = async (s: ChannelSearch | null) =>
      s ? sampleIndex(softmaxArray(await s.logits.data()), rng.next()) : undefined;
    const widths: (number | undefined)[] = [];
    const expansions: (number | undefined)[] = [];
    for (const l of this.masked.layers) widths.push(await draw(l.widthSearch));
    for (const l of this.masked.layers) expansions.push(await draw(l.expansionSearch));
    return { blocks, widths, expansions, resolution: (await draw(this.masked.resolution)) ?? 0 };
  }

  async choicesWithBlocks(blocks: number[]): Promise<MaskedChoices> {
    return { ...(await argmaxChoices(this.masked)), blocks: [...blocks] };
  }

  forwardChoices(x: tf.Tensor4D, training: boolean, choices: MaskedChoices): tf.Tensor2D {
    return this.masked.forward(x, training, choicesMix(choices));
  }

  deriveArch(choices: MaskedChoices, name: string) {
    return deriveArch(this.masked.plan, choices, name);
  }

  deriveModel(choices: MaskedChoices, name: string) {
    return deriveModel(this.masked, choices, name);
  }

  /** The effective cost with every search's softmax as its weights: the search's cost at the distribution. */
  async softCost(): Promise<{ macs: number; params: number }> {
    const net = this.masked;
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

  /** The argmax architecture inside the supernet (argmax widths, expansions, resolution), shared weights. */
  async argmaxPredictor(_source: BatchSource, _batchSize: number): Promise<Predictor> {
    const mix = choicesMix(await this.argmaxChoices());
    return { predict: (x) => this.masked.forward(x, false, mix), dispose: () => undefined };
  }

  async saveArch(): Promise<ArchState> {
    const read = (vs: tf.Variable[]) =>
      Promise.all(vs.map(async (v) => ((await v.data()) as Float32Array).slice()));
    return { theta: await read(this.thetas()), archLogits: await read(this.archVariables()) };
  }

  async loadArch(state: ArchState): Promise<void> {
    const thetas = this.thetas();
    if (state.theta.length !== thetas.length) throw new Error('Checkpoint θ does not match the supernet');
    tf.tidy(() => thetas.forEach((v, i) => v.assign(tf.tensor1d(state.theta[i]))));
    const logits = state.archLogits;
    if (logits) {
      const vars = this.archVariables();
      if (logits.length !== vars.length)
        throw new Error('Checkpoint architecture logits do not match the FBNetV2 supernet');
      tf.tidy(() => vars.forEach((v, i) => v.assign(tf.tensor1d(logits[i]))));
    }
  }

  dispose(): void {
    this.masked.dispose();
  }
}
