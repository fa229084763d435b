/**
 * FBNet V1 (DNAS) behind the SearchNet interface: the stochastic supernet with one θ per searchable layer,
 * Gumbel-softmax masks over its candidates, the expected cost Σ m · COST + fixed of the cost table (paper
 * eq. 9), derivation by copying the chosen candidates' weights (finetune/inherit.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../data/source.ts';
import type { CostSource } from '../experiment.ts';
import { candidateCostTable, expectedCost, fixedCost } from '../cost/table.ts';
import { inheritWeights } from '../finetune/inherit.ts';
import { recalibrateBatchNorm } from '../finetune/recalibrate.ts';
import type { Rng } from '../rng.ts';
import type { ArchValues } from './arch-values.ts';
import { archFromChoices } from '../spaces/derive.ts';
import { sampleRows } from './categorical.ts';
import { argmax, drawGumbelMax, gumbelSoftmax } from './gumbel.ts';
import type {
  ArchChoices,
  ArchState,
  CostModel,
  DerivedNet,
  PathMode,
  Predictor,
  Relaxation,
  SearchNet,
  StepCost,
  StepSample,
} from './search-net.ts';
import { expectedCostOf, Supernet } from './supernet.ts';
import { singlePaths } from './single-path.ts';
import type { StepMetrics } from './trainer-state.ts';

export interface V1Sample extends StepSample {
  /** Gumbel noise per searchable layer. */
  noise: Float32Array[];
}

export class FbnetV1Net extends Supernet implements SearchNet {
  get layers(): Supernet['mixed'] {
    return this.mixed;
  }

  readonly softCostBasis = 'cost expected under softmax(θ)';
  readonly argmaxBasis =
    'the argmax path copied out of the supernet with its shared weights, BatchNorm statistics recalibrated for that path';

  archVariables(): tf.Variable[] {
    return this.thetas();
  }

  costShrink(_source: CostSource): number {
    return 1;
  }

  drawSample(rng: Rng, arch: ArchValues): V1Sample {
    const { noise, draws } = drawGumbelMax(this.thetas(), rng, arch);
    return { blocks: draws, noise };
  }

  greedySample(sample: V1Sample, arch: ArchValues): V1Sample | null {
    const rows = this.thetas().map((t) => arch(t));
    if (!rows.some((r) => Math.max(...r) > Math.min(...r))) return null;
    return { ...sample, blocks: rows.map((r) => argmax(Array.from(r))) };
  }

  readonly scoreSteps = {
    argmaxSample: (sample: StepSample, arch: ArchValues): V1Sample => ({
      blocks: this.thetas().map((t) => argmax(arch(t))),
      noise: (sample as V1Sample).noise.map((g) => new Float32Array(g.length)),
    }),
    drawnOneHots: (sample: StepSample): tf.Tensor[] =>
      this.thetas().map((t, l) => tf.oneHot(sample.blocks[l], t.size).asType('float32')),
  };

  relax(sample: V1Sample, tau: number, hard: boolean): Relaxation {
    const blocks = this.thetas().map((t, l) => gumbelSoftmax(t, tau, tf.tensor1d(sample.noise[l]), hard));
    return { blocks, extras: {} };
  }

  forwardStep(x: tf.Tensor4D, sample: StepSample, relaxed: Relaxation, paths: PathMode): tf.Tensor2D {
    if (paths === 'sampled') return this.forward(x, true, sample.blocks);
    if (paths === 'single') return this.forward(x, true, singlePaths(relaxed.blocks, sample.blocks));
    return this.forward(x, true, relaxed.blocks);
  }

  stepCost(relaxed: Relaxation, cost: CostModel): StepCost {
    return { cost: expectedCostOf(relaxed.blocks, cost.scaled), extras: {} };
  }

  async describeStep(): Promise<Partial<StepMetrics>> {
    return {};
  }

  async argmaxChoices(): Promise<ArchChoices> {
    return { blocks: (await this.probs()).map((p) => argmax(p)) };
  }

  async sampleChoices(rng: Rng): Promise<ArchChoices> {
    return { blocks: sampleRows(await this.probs(), rng) };
  }

  async choicesWithBlocks(blocks: number[]): Promise<ArchChoices> {
    return { blocks: [...blocks] };
  }

  forwardChoices(x: tf.Tensor4D, training: boolean, choices: ArchChoices): tf.Tensor2D {
    return this.forward(x, training, choices.blocks);
  }

  deriveArch(choices: ArchChoices, name: string): DerivedNet {
    return { arch: archFromChoices(this.space, choices.blocks, name), choices, factor: 1 };
  }

  async deriveModel(choices: ArchChoices, name: string) {
    const model = inheritWeights(this, choices.blocks, name);
    return { model, derived: { arch: model.arch, choices, factor: 1 } };
  }

  async softCost(): Promise<{ macs: number; params: number }> {
    const size = this.space.input.size;
    return expectedCost(
      candidateCostTable(this.space, {}, size),
      await this.probs(),
      fixedCost(this.space, size),
    );
  }

  /**
   * The argmax path copied out (inherited weights) with its BatchNorm statistics recalibrated on training
   * images: the supernet's own running statistics describe the candidate mixture, not one path.
   */
  async argmaxPredictor(source: BatchSource, batchSize: number): Promise<Predictor> {
    const model = inheritWeights(this, (await this.argmaxChoices()).blocks, 'validation');
    await recalibrateBatchNorm(model, source, { batchSize });
    return { predict: (x) => model.predict(x), dispose: () => model.dispose() };
  }

  async saveArch(): Promise<ArchState> {
    return {
      theta: await Promise.all(this.thetas().map(async (t) => ((await t.data()) as Float32Array).slice())),
    };
  }

  async loadArch(state: ArchState): Promise<void> {
    const thetas = this.thetas();
    if (state.theta.length !== thetas.length) throw new Error('Checkpoint θ does not match the supernet');
    tf.tidy(() => thetas.forEach((v, i) => v.assign(tf.tensor1d(state.theta[i]))));
  }
}
