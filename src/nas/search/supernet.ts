/**
 * FBNet's stochastic supernet: the fixed blocks of a search space in sequence, and at every searchable
 * layer a MixedOp that runs each candidate block on the same input and sums their outputs weighted by the
 * sampled mask m (paper eq. 5): x_{l+1} = Σ_i m_{l,i} · b_{l,i}(x_l). Each MixedOp owns θ_l (one logit
 * per candidate, initialised to zeros = uniform sampling probabilities, as in FBNet).
 *
 * Compute choice: with a mask tensor every candidate is run, even when the mask is a straight-through
 * one-hot, because ∂L/∂m_i = <∂L/∂x_{l+1}, b_i(x_l)> needs every candidate's output to train θ (this is
 * what FBNet does). When θ needs no gradient (a weight step with hard samples, evaluation of a derived
 * network) the caller passes the chosen candidate index instead and only that block runs: the forward
 * value and the weight gradients are then identical to the one-hot mixture. A single-path architecture
 * step (GDAS, single-path.ts) passes a SinglePath: only the chosen block runs, scaled by its weight.
 */
import * as tf from '@tensorflow/tfjs';
import { sumTensors } from '../tensor-sum.ts';
import { isSearchLayer, taskOf, type SearchSpace, type Task } from '../arch/spec.ts';
import { candidateSpec } from '../arch/candidates.ts';
import { buildBlock } from '../blocks/build.ts';
import type { Module, ParamInfo } from '../blocks/module.ts';
import { buildHead, type Head } from '../model/head.ts';
import { Rng } from '../rng.ts';
import { softmaxArray } from './gumbel.ts';
import { resolveSpace } from '../spaces/derive.ts';

/** One searchable layer: a block per candidate plus its architecture logits θ. */
export interface MixedLayer {
  /** Index into the space's body. */
  bodyIndex: number;
  candidates: string[];
  ops: Module[];
  /** [k] logits; softmax(θ) are the candidates' sampling probabilities. */
  theta: tf.Variable<tf.Rank.R1>;
}

/** Per searchable layer: a mask [k] (all candidates run, weighted) or a candidate index (only it runs). */
export type LayerMix = tf.Tensor1D | number;

/**
 * GDAS's single path (single-path.ts): only candidate `index` runs, its output times `weight`, a scalar
 * whose value is 1 and whose gradient reaches θ through the relaxed sample.
 */
export interface SinglePath {
  index: number;
  weight: tf.Scalar;
}

/** A block choice in a training forward: a LayerMix, or a single path with a differentiable weight. */
export type BlockMix = LayerMix | SinglePath;

export function isSinglePath(mix: BlockMix | undefined): mix is SinglePath {
  return typeof mix === 'object' && !(mix instanceof tf.Tensor);
}

/** Cost of every candidate of every searchable layer plus the cost of the fixed blocks and head. */
export interface CostTable {
  perLayer: number[][];
  fixed: number;
}

export interface SupernetOptions {
  /** Per-layer candidate overrides (body index -> candidate names), as ExperimentConfig.candidateEdits. */
  edits?: Record<number, string[]>;
  /** Square input side; defaults to the space's. */
  inputSize?: number;
  /** Seed of the weight initialisation. */
  seed: number;
}

export class Supernet {
  /** The space with candidate edits applied and the input size set. */
  readonly space: SearchSpace;
  readonly task: Task;
  readonly mixed: MixedLayer[] = [];
  readonly head: Head;
  /** Body entries in order: a fixed block or a mixed layer. */
  private readonly body: (Module | MixedLayer)[] = [];
  private readonly taps: number[];

  constructor(space: SearchSpace, options: SupernetOptions) {
    const resolved = resolveSpace(space, options.edits ?? {});
    this.space = {
      ...resolved,
      input: { ...resolved.input, size: options.inputSize ?? resolved.input.size },
    };
    this.task = taskOf(this.space.head);
    const rng = new Rng(options.seed);
    let channels = this.space.input.channels;
    const outChannels: number[] = [];
    this.space.body.forEach((layer, i) => {
      if (isSearchLayer(layer)) {
        if (layer.candidates.length === 0) throw new Error(`Searchable layer ${i} has no candidates`);
        const ops = layer.candidates.map((name) =>
          buildBlock(candidateSpec(name, layer.out, layer.stride), channels, `body/${i}/${name}`, rng),
        );
        const theta = tf.tidy(() => tf.variable(tf.zeros([ops.length]), true)) as tf.Variable<tf.Rank.R1>;
        const mixed: MixedLayer = { bodyIndex: i, candidates: [...layer.candidates], ops, theta };
        this.mixed.push(mixed);
        this.body.push(mixed);
        channels = layer.out;
      } else {
        const block = buildBlock(layer, channels, `body/${i}`, rng);
        this.body.push(block);
        channels = block.outChannels;
      }
      outChannels.push(channels);
    });
    const head = this.space.head;
    this.taps = head.kind === 'landmarks' ? (head.taps ?? []) : [];
    for (const t of this.taps) {
      if (t < 0 || t >= outChannels.length)
        throw new Error(`Head taps body index ${t}, which does not exist`);
    }
    this.head = buildHead(
      head,
      channels,
      this.taps.map((t) => outChannels[t]),
      'head',
      rng,
    );
  }

  /**
   * Forward pass. `mix[l]` drives the l-th searchable layer (see LayerMix). Returns logits [N, classes]
   * or landmark coordinates [N, 2 * points].
   */
  forward(x: tf.Tensor4D, training: boolean, mix: BlockMix[]): tf.Tensor2D {
    if (mix.length !== this.mixed.length) {
      throw new Error(`Expected ${this.mixed.length} layer mixes, got ${mix.length}`);
    }
    return tf.tidy(() => {
      let h = x;
      let l = 0;
      const outputs = new Map<number, tf.Tensor4D>();
      this.body.forEach((entry, i) => {
        h = 'theta' in entry ? mixedApply(entry, h, training, mix[l++]) : entry.apply(h, training);
        if (this.taps.includes(i)) outputs.set(i, h);
      });
      // the head takes the taps in the order the spec lists them
      const tapped = this.taps.map((t) => outputs.get(t) as tf.Tensor4D);
      return this.head.apply(h, tapped, training);
    });
  }

  /** All block and head parameters (including BatchNorm running statistics), θ excluded. */
  weightParams(): ParamInfo[] {
    const out: ParamInfo[] = [];
    for (const entry of this.body) {
      if ('theta' in entry) for (const op of entry.ops) out.push(...op.params());
      else out.push(...entry.params());
    }
    out.push(...this.head.params());
    return out;
  }

  /** Trainable weights, in a fixed order (optimizer slots are positional). */
  trainableWeights(): tf.Variable[] {
    return this.weightParams()
      .filter((p) => p.trainable)
      .map((p) => p.variable);
  }

  thetas(): tf.Variable<tf.Rank.R1>[] {
    return this.mixed.map((m) => m.theta);
  }

  /** softmax(θ_l) per searchable layer. */
  async probs(): Promise<number[][]> {
    const values = await Promise.all(this.mixed.map((m) => m.theta.data()));
    return values.map((v) => softmaxArray(v));
  }

  dispose(): void {
    for (const p of this.weightParams()) p.variable.dispose();
    for (const m of this.mixed) m.theta.dispose();
  }
}

function mixedApply(layer: MixedLayer, x: tf.Tensor4D, training: boolean, mix: BlockMix): tf.Tensor4D {
  if (typeof mix === 'number' || isSinglePath(mix)) {
    const index = typeof mix === 'number' ? mix : mix.index;
    const op = layer.ops[index];
    if (!op) throw new Error(`Layer ${layer.bodyIndex} has no candidate ${index}`);
    const y = op.apply(x, training);
    return typeof mix === 'number' ? y : tf.mul(y, mix.weight);
  }
  const weights = tf.unstack(mix);
  if (weights.length !== layer.ops.length) {
    throw new Error(
      `Layer ${layer.bodyIndex}: mask has ${weights.length} entries for ${layer.ops.length} candidates`,
    );
  }
  return sumTensors(layer.ops.map((op, i) => tf.mul(op.apply(x, training), weights[i])) as tf.Tensor4D[]);
}

/** Differentiable expected cost Σ_l Σ_i m_{l,i} · COST_{l,i} + fixed (paper eq. 9). */
export function expectedCostOf(masks: tf.Tensor1D[], table: CostTable): tf.Scalar {
  if (masks.length !== table.perLayer.length) {
    throw new Error(`Cost table has ${table.perLayer.length} layers, the supernet ${masks.length}`);
  }
  return tf.tidy(() => {
    let total: tf.Scalar = tf.scalar(table.fixed);
    masks.forEach((m, l) => {
      total = tf.add(total, tf.sum(tf.mul(m, tf.tensor1d(table.perLayer[l])))) as tf.Scalar;
    });
    return total;
  });
}
