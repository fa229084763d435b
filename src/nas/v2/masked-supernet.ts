/**
 * FBNetV2's DMaskingNAS supernet: V1's stochastic supernet (block choice per searchable layer) plus masked
 * channel search (per-layer output widths, IR expansion rates) and input-resolution search, all in one
 * network whose weights are shared by every choice. Same parameter names and weight initialisation as
 * V1's Supernet (`body/${i}/${candidate}/...`, `body/${i}/...`, `head/...`): without widths, expansions
 * and resolution factors it computes exactly what Supernet does.
 *
 * Forward: per resolution option the input is subsampled (resolution.ts) and run through the body; fixed
 * and searchable layers pass the distribution of their output width along so the next layer can mask
 * what the derived network would not have (masked-blocks.ts). The head pools globally, so mixing the
 * head outputs Σ_r g_r · head(body(subsample_r(x))) is the interspersed sum of the paper followed by a
 * pooling over each resolution's own pixels. Every resolution run updates the BN running statistics.
 */
import * as tf from '@tensorflow/tfjs';
import { taskOf, type SearchSpace, type Task } from '../arch/spec.ts';
import type { ParamInfo } from '../blocks/module.ts';
import { buildHead, type Head } from '../model/head.ts';
import { Rng } from '../rng.ts';
import type { BlockMix, LayerMix } from '../search/supernet.ts';
import { softmaxArray } from '../search/gumbel.ts';
import { ChannelSearch, fixedDist, type OptionDist } from './channel-mask.ts';
import { MaskedLayer } from './masked-layer.ts';
import { buildMaskedBlock, type MaskedBlock } from './masked-blocks.ts';
import { maxOf, planSpace, type MaskedPlan, type PlanFixed, type PlanOptions } from './plan.ts';
import { mixResolutions } from './resolution.ts';

/**
 * The choices of one forward. Arrays are indexed by searchable layer (as V1's LayerMix[]); entries for
 * layers that do not search that dimension are ignored. Missing width / expansion entries mean the
 * largest option, a missing resolution the first factor (full size).
 */
export interface MaskedMix {
  blocks: LayerMix[];
  widths?: (LayerMix | undefined)[];
  expansions?: (LayerMix | undefined)[];
  resolution?: LayerMix;
}

/** A forward's choices: a MaskedMix whose block choices may also be GDAS single paths (training steps). */
export interface MaskedForwardMix extends Omit<MaskedMix, 'blocks'> {
  blocks: BlockMix[];
}

export interface MaskedSupernetOptions extends PlanOptions {
  /** Seed of the weight initialisation. */
  seed: number;
}

interface FixedEntry {
  plan: PlanFixed;
  block: MaskedBlock;
}

export class MaskedSupernet {
  readonly plan: MaskedPlan;
  readonly space: SearchSpace;
  readonly task: Task;
  readonly layers: MaskedLayer[] = [];
  readonly head: Head;
  /** Input subsampling factors with their logits; null without resolution search. */
  readonly resolution: ChannelSearch | null;
  private readonly body: (FixedEntry | MaskedLayer)[] = [];
  private readonly taps: number[];

  constructor(space: SearchSpace, options: MaskedSupernetOptions) {
    this.plan = planSpace(space, options);
    this.space = { ...this.plan.space, input: { ...this.plan.space.input, size: this.plan.inputSize } };
    this.task = taskOf(this.space.head);
    const rng = new Rng(options.seed);
    const outMax: number[] = [];
    for (const p of this.plan.layers) {
      if (p.kind === 'search') {
        const layer = new MaskedLayer(p, rng);
        this.layers.push(layer);
        this.body.push(layer);
      } else {
        const block = buildMaskedBlock(p.spec, maxOf(p.inValues), `body/${p.index}`, rng, {
          variable: p.inValues.length > 1,
        });
        this.body.push({ plan: p, block });
      }
      outMax.push(maxOf(p.outValues));
    }
    const head = this.space.head;
    this.taps = head.kind === 'landmarks' ? (head.taps ?? []) : [];
    for (const t of this.taps) {
      if (t < 0 || t >= outMax.length) throw new Error(`Head taps body index ${t}, which does not exist`);
    }
    const last = outMax.length > 0 ? outMax[outMax.length - 1] : this.space.input.channels;
    this.head = buildHead(
      head,
      last,
      this.taps.map((t) => outMax[t]),
      'head',
      rng,
    );
    this.resolution =
      this.plan.factors.length > 1 ? new ChannelSearch('resolution', -1, this.plan.factors) : null;
  }

  /**
   * Resolution choice of a mix as a distribution over factors. One factor is no search but still applies:
   * [2] searches (and derives, v2/derive.ts) at half size.
   */
  resolutionDist(mix: Pick<MaskedMix, 'resolution'>): OptionDist {
    return this.resolution ? this.resolution.dist(mix.resolution ?? 0) : fixedDist(this.plan.factors[0]);
  }

  /** Logits [N, classes] or landmarks [N, 2 * points]. */
  forward(x: tf.Tensor4D, training: boolean, mix: MaskedForwardMix): tf.Tensor2D {
    if (mix.blocks.length !== this.layers.length) {
      throw new Error(`Expected ${this.layers.length} layer mixes, got ${mix.blocks.length}`);
    }
    return tf.tidy(() => mixResolutions(x, this.resolutionDist(mix), (xs) => this.run(xs, training, mix)));
  }

  private run(x: tf.Tensor4D, training: boolean, mix: MaskedForwardMix): tf.Tensor2D {
    let h = x;
    let dist: OptionDist = fixedDist(this.space.input.channels);
    let l = 0;
    const tapped: tf.Tensor4D[] = [];
    this.body.forEach((entry, i) => {
      if (entry instanceof MaskedLayer) {
        const r = entry.apply(
          h,
          dist,
          { block: mix.blocks[l], width: mix.widths?.[l], expansion: mix.expansions?.[l] },
          training,
        );
        l++;
        h = r.y;
        dist = r.out;
      } else {
        const out = entry.plan.spec.kind === 'dwpool' ? dist : fixedDist(maxOf(entry.plan.outValues));
        h = entry.block.apply(h, { in: dist, out }, training);
        dist = out;
      }
      if (this.taps.includes(i)) tapped.push(h);
    });
    return this.head.apply(h, tapped, training);
  }

  /** All block and head parameters (BN running statistics included), arch logits excluded. */
  weightParams(): ParamInfo[] {
    const out: ParamInfo[] = [];
    for (const entry of this.body)
      out.push(...(entry instanceof MaskedLayer ? entry.params() : entry.block.params()));
    out.push(...this.head.params());
    return out;
  }

  trainableWeights(): tf.Variable[] {
    return this.weightParams()
      .filter((p) => p.trainable)
      .map((p) => p.variable);
  }

  /** Block logits θ per searchable layer (V1). */
  thetas(): tf.Variable<tf.Rank.R1>[] {
    return this.layers.map((m) => m.theta);
  }

  widthSearches(): ChannelSearch[] {
    return this.layers.flatMap((m) => (m.widthSearch ? [m.widthSearch] : []));
  }

  expansionSearches(): ChannelSearch[] {
    return this.layers.flatMap((m) => (m.expansionSearch ? [m.expansionSearch] : []));
  }

  /** Every architecture variable in a fixed order: per layer θ, width, expansion logits; then resolution. */
  archVariables(): tf.Variable[] {
    const out = this.layers.flatMap((m) => m.archVariables());
    if (this.resolution) out.push(this.resolution.logits);
    return out;
  }

  /** softmax(θ_l) per searchable layer. */
  async probs(): Promise<number[][]> {
    const values = await Promise.all(this.layers.map((m) => m.theta.data()));
    return values.map((v) => softmaxArray(v));
  }

  dispose(): void {
    for (const p of this.weightParams()) p.variable.dispose();
    for (const m of this.layers) {
      m.theta.dispose();
      m.widthSearch?.dispose();
      m.expansionSearch?.dispose();
    }
    this.resolution?.dispose();
  }
}
