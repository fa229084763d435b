/**
 * FBNetV2 channel masking (DMaskingNAS, paper eqs. 1-3). A layer with channel options c_1 < ... < c_k is
 * computed once at c_k channels; option i keeps the first c_i channels, i.e. the output is multiplied by
 * the mask l_i = [1 x c_i, 0 x (c_k - c_i)]. With Gumbel-softmax weights g of the layer's own logits the
 * layer output is b(x) ∘ M with M = Σ_i g_i · l_i (one forward pass, one feature map, whatever k is).
 *
 * The same machinery describes every channel count that depends on a searched choice (a block's output
 * width, an inverted residual's hidden width given its input width and expansion, the SE bottleneck of
 * that hidden width): an OptionDist is a categorical distribution over counts, its mask is Σ w_i · l(v_i).
 * Kept channels are always a leading prefix, so a derived network takes the first channels of every
 * shared weight (see derive.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerMix } from '../search/supernet.ts';
import { softmaxArray } from '../search/gumbel.ts';

/**
 * A categorical choice over numbers (channel counts or expansion ratios). `weights` null means the value
 * is certain (then `values` has one entry); otherwise weights[i] (e.g. Gumbel-softmax samples, summing to
 * 1) goes with values[i]. Values may repeat.
 */
export interface OptionDist {
  readonly values: number[];
  readonly weights: tf.Tensor1D | null;
}

export function fixedDist(value: number): OptionDist {
  return { values: [value], weights: null };
}

/**
 * The distribution a LayerMix selects over `options`: an index picks one option (a constant mask: exactly
 * what the derived network computes), a tensor [k] weights all of them, undefined means the largest.
 */
export function distOf(options: number[], mix: LayerMix | undefined): OptionDist {
  if (mix === undefined) return fixedDist(options[options.length - 1]);
  if (typeof mix === 'number') {
    const v = options[mix];
    if (!Number.isInteger(mix) || v === undefined) throw new Error(`No option ${mix} among [${options}]`);
    return fixedDist(v);
  }
  if (mix.shape[0] !== options.length) {
    throw new Error(`Mix has ${mix.shape[0]} weights for ${options.length} options [${options}]`);
  }
  return { values: [...options], weights: mix };
}

/** True when the value is not certain or may leave channels of a `max`-wide tensor unused. */
export function isMasked(d: OptionDist, max: number): boolean {
  return d.weights !== null || d.values[0] !== max;
}

/** [k, max] constant: row i has values[i] leading ones (the masks l_i). */
export function prefixMasks(values: number[], max: number): tf.Tensor2D {
  const data = new Float32Array(values.length * max);
  values.forEach((v, i) => {
    if (!(v >= 0 && v <= max)) throw new Error(`Channel option ${v} outside 0..${max}`);
    data.fill(1, i * max, i * max + v);
  });
  return tf.tensor2d(data, [values.length, max]);
}

/** M = Σ_i w_i · l(v_i) over `max` channels; null when every channel is kept with weight 1. */
export function channelMask(d: OptionDist, max: number): tf.Tensor1D | null {
  if (!isMasked(d, max)) return null;
  return tf.tidy(() => {
    const l = prefixMasks(d.values, max);
    if (!d.weights) return tf.reshape(l, [max]) as tf.Tensor1D;
    return tf.reshape(tf.matMul(tf.reshape(d.weights, [1, -1]), l), [max]) as tf.Tensor1D;
  });
}

/** x ∘ M, M broadcast over N, H, W (x is NHWC with `max` channels). Returns x itself when M is all ones. */
export function maskChannels(x: tf.Tensor4D, d: OptionDist, max: number): tf.Tensor4D {
  if (x.shape[3] !== max) throw new Error(`maskChannels: tensor has ${x.shape[3]} channels, mask ${max}`);
  const m = channelMask(d, max);
  if (!m) return x;
  return tf.tidy(() => tf.mul(x, m));
}

/** Σ w_i · v_i: a number when certain, else a differentiable scalar. */
export function expectedValue(d: OptionDist): number | tf.Scalar {
  if (!d.weights) return d.values[0];
  const w = d.weights;
  return tf.tidy(() => tf.sum(tf.mul(w, tf.tensor1d(d.values))) as tf.Scalar);
}

/** The same weights over f(values): e.g. the SE bottleneck width of each hidden width. */
export function mapDist(d: OptionDist, f: (v: number) => number): OptionDist {
  return { values: d.values.map(f), weights: d.weights };
}

/**
 * The joint of two independent choices, values f(a_i, b_j), weights a_i · b_j (row-major over i, j): an
 * inverted residual's hidden width irHidden(c_in, e) given its input-width and expansion choices.
 */
export function pairDist(a: OptionDist, b: OptionDist, f: (x: number, y: number) => number): OptionDist {
  const values = a.values.flatMap((x) => b.values.map((y) => f(x, y)));
  if (!a.weights && !b.weights) return { values, weights: null };
  const wa = a.weights ?? tf.ones([1]);
  const wb = b.weights ?? tf.ones([1]);
  const weights = tf.tidy(() => tf.reshape(tf.mul(tf.reshape(wa, [-1, 1]), tf.reshape(wb, [1, -1])), [-1]));
  if (!a.weights) wa.dispose();
  if (!b.weights) wb.dispose();
  return { values, weights: weights as tf.Tensor1D };
}

/**
 * Residual gate of a block whose derived version adds its input iff the chosen input and output widths are
 * equal (stride 1): R = Σ_i g_out,i · P(c_in = c_out,i) · l(c_out,i) over `outMax` channels. For one-hot
 * choices R is l(c) when the widths match and 0 otherwise, so the supernet block equals the derived one.
 * Returns null when no pair of options can match, 'full' when the identity always applies on all channels.
 */
export function residualGate(inD: OptionDist, outD: OptionDist, outMax: number): tf.Tensor1D | 'full' | null {
  const match = outD.values.map((c) => inD.values.map((v) => (v === c ? 1 : 0)));
  if (match.every((row) => row.every((m) => m === 0))) return null;
  if (!inD.weights && !outD.weights) return outD.values[0] === outMax ? 'full' : channelMask(outD, outMax);
  return tf.tidy(() => {
    const wIn = inD.weights ?? tf.ones([1]);
    const wOut = outD.weights ?? tf.ones([1]);
    // P(c_in = c_out,i) = Σ_j [c_in,j = c_out,i] · g_in,j
    const p = tf.reshape(tf.matMul(tf.tensor2d(match), tf.reshape(wIn, [-1, 1])), [-1]);
    const coef = tf.mul(wOut, p);
    return tf.reshape(tf.matMul(tf.reshape(coef, [1, -1]), prefixMasks(outD.values, outMax)), [
      outMax,
    ]) as tf.Tensor1D;
  });
}

/** Probability that the chosen input and output widths are equal (a number when both are certain). */
export function matchProbability(inD: OptionDist, outD: OptionDist): number | tf.Scalar {
  if (!inD.weights && !outD.weights) return inD.values[0] === outD.values[0] ? 1 : 0;
  return tf.tidy(() => {
    const match = outD.values.map((c) => inD.values.map((v) => (v === c ? 1 : 0)));
    const wIn = inD.weights ?? tf.ones([1]);
    const wOut = outD.weights ?? tf.ones([1]);
    const p = tf.reshape(tf.matMul(tf.tensor2d(match), tf.reshape(wIn, [-1, 1])), [-1]);
    return tf.sum(tf.mul(wOut, p)) as tf.Scalar;
  });
}

/** x's channels padded with zeros or cut to `c` (for a residual between different maximal widths). */
export function fitChannels(x: tf.Tensor4D, c: number): tf.Tensor4D {
  const [n, h, w, cx] = x.shape;
  if (cx === c) return x;
  if (cx > c) return tf.slice(x, [0, 0, 0, 0], [n, h, w, c]);
  return tf.pad(x, [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, c - cx],
  ]);
}

export type SearchDimension = 'width' | 'expansion' | 'resolution';

/**
 * The searched options of one dimension of one layer and their logits α (zeros = uniform, as FBNet's θ).
 * Widths are output channel counts, expansions IR expansion ratios, resolutions input subsampling factors.
 */
export class ChannelSearch {
  readonly logits: tf.Variable<tf.Rank.R1>;

  constructor(
    readonly dimension: SearchDimension,
    /** Body index of the layer (-1 for the network's input resolution). */
    readonly bodyIndex: number,
    readonly options: number[],
  ) {
    if (options.length === 0) throw new Error(`Layer ${bodyIndex}: empty ${dimension} options`);
    this.logits = tf.tidy(() => tf.variable(tf.zeros([options.length]), true)) as tf.Variable<tf.Rank.R1>;
  }

  /** Largest option (the width the supernet computes at). */
  get max(): number {
    return Math.max(...this.options);
  }

  dist(mix: LayerMix | undefined): OptionDist {
    return distOf(this.options, mix);
  }

  async probs(): Promise<number[]> {
    return softmaxArray(await this.logits.data());
  }

  dispose(): void {
    this.logits.dispose();
  }
}
