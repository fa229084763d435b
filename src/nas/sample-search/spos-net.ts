/**
 * Single-path one-shot supernet training (SPOS: Guo et al., "Single Path One-Shot Neural Architecture
 * Search with Uniform Sampling", ECCV 2020) behind the SearchNet interface: every weight step trains one
 * path drawn uniformly at random (one candidate per searchable layer, each with probability 1/n), and the
 * architecture variables θ are never trained, since the search happens afterwards by sampling candidates
 * and scoring them with the shared weights (one-shot.ts). The relaxation is the one-hot of the draw, so θ
 * gets zero gradients; sposConfig() gives a schedule of weight steps only.
 * Everything else (derivation by copying the chosen candidates' weights, BatchNorm recalibration, cost)
 * is FBNet V1's supernet.
 */
import * as tf from '@tensorflow/tfjs';
import type { ExperimentConfig } from '../experiment.ts';
import type { Rng } from '../rng.ts';
import type { PathMode, Relaxation, StepSample } from '../search/search-net.ts';
import { singlePaths } from '../search/single-path.ts';
import { FbnetV1Net, type V1Sample } from '../search/v1-net.ts';

export class SposNet extends FbnetV1Net {
  /** Uniform over each layer's candidates (θ is not read). */
  override drawSample(rng: Rng): V1Sample {
    const blocks = this.mixed.map((m) => rng.int(m.candidates.length));
    return { blocks, noise: this.mixed.map((m) => new Float32Array(m.candidates.length)) };
  }

  /**
   * The one-hot of the draw. θ enters times zero only so that an architecture step, should a config
   * schedule one, finds its variables connected and gets exact zero gradients (θ stays frozen).
   */
  override relax(sample: StepSample): Relaxation {
    const blocks = this.mixed.map((m, l) => {
      const hot = new Float32Array(m.candidates.length);
      hot[sample.blocks[l]] = 1;
      return tf.add(tf.tensor1d(hot), tf.mul(m.theta, 0)) as tf.Tensor1D;
    });
    return { blocks, extras: {} };
  }

  /** Always the drawn path alone, whatever the mode: SPOS trains one path per step. */
  override forwardStep(
    x: tf.Tensor4D,
    sample: StepSample,
    relaxed: Relaxation,
    _paths: PathMode,
  ): tf.Tensor2D {
    // the drawn path times a straight-through weight of value 1 (single-path.ts): the same forward value
    return this.forward(x, true, singlePaths(relaxed.blocks, sample.blocks));
  }
}

/**
 * `base` turned into a SPOS supernet training run: strategy 'spos', weight steps only (every epoch a
 * warm-up epoch: θ stays frozen at zero), hard single-path samples, no cost term, and no greedy weight
 * steps (SPOS samples uniformly by definition; with θ frozen there is no argmax path to prefer).
 */
export function sposConfig(base: ExperimentConfig): ExperimentConfig {
  // SPOS draws uniformly and has no architecture steps: no greedy coin, no θ gradient
  const { greedy: _, thetaGradient: __, ...gumbel } = base.gumbel;
  return {
    ...base,
    strategy: 'spos',
    train: { ...base.train, warmupEpochs: base.train.epochs },
    gumbel: { ...gumbel, hard: true, paths: 'single' },
    loss: { ...base.loss, beta: 0 },
  };
}
