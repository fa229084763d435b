/**
 * One searchable layer of an FBNetV2 supernet: FBNet V1's block choice (θ over candidates, every candidate
 * run and summed with weights m, or only the chosen one for an index) combined with the V2 mask searches
 * of the layer's output width and (inverted residuals) expansion rate. Every candidate is built at the
 * largest width and expansion and masked by the same width / expansion choice, so the two dimensions are
 * searched jointly: y = Σ_b m_b · (b(x) masked) where the masks come from the layer's own logits.
 */
import * as tf from '@tensorflow/tfjs';
import { sumTensors } from '../tensor-sum.ts';
import type { ParamInfo } from '../blocks/module.ts';
import type { Rng } from '../rng.ts';
import { isSinglePath, type BlockMix, type LayerMix } from '../search/supernet.ts';
import { ChannelSearch, fixedDist, type OptionDist } from './channel-mask.ts';
import { buildMaskedBlock, type MaskedBlock } from './masked-blocks.ts';
import { candidateExpansions, maxOf, type PlanSearch } from './plan.ts';

export interface MaskedLayerMix {
  /**
   * V1 block choice: a mask over the candidates, the index of the only candidate to run, or GDAS's single
   * path (only that candidate runs, scaled by its weight).
   */
  block: BlockMix;
  /** Width choice (Gumbel weights or an option index); default: the largest width. */
  width?: LayerMix;
  /** Expansion choice; default: the largest ratio. */
  expansion?: LayerMix;
}

export class MaskedLayer {
  readonly bodyIndex: number;
  readonly candidates: string[];
  readonly ops: MaskedBlock[];
  /** [k] block logits, as V1's MixedLayer.theta. */
  readonly theta: tf.Variable<tf.Rank.R1>;
  readonly widthSearch: ChannelSearch | null;
  readonly expansionSearch: ChannelSearch | null;

  constructor(
    readonly plan: PlanSearch,
    rng: Rng,
  ) {
    const inMax = maxOf(plan.inValues);
    const variable = plan.inValues.length > 1 || plan.outValues.length > 1;
    this.bodyIndex = plan.index;
    this.candidates = [...plan.names];
    if (this.candidates.length === 0) throw new Error(`Searchable layer ${plan.index} has no candidates`);
    this.ops = plan.specs.map((spec, i) =>
      buildMaskedBlock(spec, inMax, `body/${plan.index}/${plan.names[i]}`, rng, {
        expansions: candidateExpansions(spec, plan.expansions),
        variable,
      }),
    );
    this.theta = tf.tidy(() => tf.variable(tf.zeros([this.ops.length]), true)) as tf.Variable<tf.Rank.R1>;
    this.widthSearch = plan.widths ? new ChannelSearch('width', plan.index, plan.widths) : null;
    this.expansionSearch = plan.expansions
      ? new ChannelSearch('expansion', plan.index, plan.expansions)
      : null;
  }

  get outMax(): number {
    return maxOf(this.plan.outValues);
  }

  /** Output width distribution for a width choice. */
  outDist(width: LayerMix | undefined): OptionDist {
    return this.widthSearch ? this.widthSearch.dist(width) : fixedDist(this.plan.layer.out);
  }

  /** x: [N, H, W, max input width] whose channels follow `inDist`. Returns the output and its widths. */
  apply(
    x: tf.Tensor4D,
    inDist: OptionDist,
    mix: MaskedLayerMix,
    training: boolean,
  ): { y: tf.Tensor4D; out: OptionDist } {
    const out = this.outDist(mix.width);
    const expansion = this.expansionSearch ? this.expansionSearch.dist(mix.expansion) : undefined;
    const io = { in: inDist, out, expansion };
    const y = tf.tidy(() => {
      const block = mix.block;
      if (typeof block === 'number' || isSinglePath(block)) {
        const index = typeof block === 'number' ? block : block.index;
        const op = this.ops[index];
        if (!op) throw new Error(`Layer ${this.bodyIndex} has no candidate ${index}`);
        const y = op.apply(x, io, training);
        return typeof block === 'number' ? y : (tf.mul(y, block.weight) as tf.Tensor4D);
      }
      const m = tf.unstack(block);
      if (m.length !== this.ops.length) {
        throw new Error(
          `Layer ${this.bodyIndex}: mask has ${m.length} entries for ${this.ops.length} candidates`,
        );
      }
      return sumTensors(this.ops.map((op, i) => tf.mul(op.apply(x, io, training), m[i])) as tf.Tensor4D[]);
    });
    return { y, out };
  }

  params(): ParamInfo[] {
    return this.ops.flatMap((op) => op.params());
  }

  /** θ, then the width and expansion logits where searched. */
  archVariables(): tf.Variable[] {
    const out: tf.Variable[] = [this.theta];
    if (this.widthSearch) out.push(this.widthSearch.logits);
    if (this.expansionSearch) out.push(this.expansionSearch.logits);
    return out;
  }

  dispose(): void {
    for (const p of this.params()) p.variable.dispose();
    this.theta.dispose();
    this.widthSearch?.dispose();
    this.expansionSearch?.dispose();
  }
}
