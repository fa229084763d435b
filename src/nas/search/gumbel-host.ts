/**
 * Gumbel-softmax on plain numbers (FBNet eq. 8, Jang et al. 2017 / Maddison et al. 2017), for views that
 * explain the sampling without a tfjs device: m = softmax((θ + g) / τ), g ~ Gumbel(0, 1) from a seeded Rng.
 * Same draws and formula as gumbel.ts (drawGumbel, gumbelMaxIndex); kept free of tfjs so the page can
 * import it without pulling the training stack into the main bundle.
 */
import type { Rng } from '../rng.ts';

/** FBNet's temperature schedule τ(epoch) = τ0 · decay^epoch (paper: τ0 = 5, decay = exp(-0.045) ≈ 0.956). */
export function temperatureAt(epoch: number, tau0: number, decay: number): number {
  return tau0 * Math.pow(decay, epoch);
}

/** Plain-number softmax (for reporting probabilities without touching the device). */
export function softmaxArray(logits: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const e = Array.from(logits, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** softmax((θ + g) / τ) for one noise vector g; τ must be > 0. */
export function gumbelSoftmaxValues(
  theta: readonly number[],
  noise: ArrayLike<number>,
  tau: number,
): number[] {
  if (!(tau > 0)) throw new Error(`Gumbel temperature must be > 0, got ${tau}`);
  const z = theta.map((t, i) => (t + noise[i]) / tau);
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** One-hot of the largest entry: the straight-through sample's forward value. */
export function oneHotOfMax(values: readonly number[]): number[] {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return values.map((_, i) => (i === best ? 1 : 0));
}

/** Shannon entropy in nats (0 for a one-hot, log k for the uniform distribution over k). */
export function entropyOf(probs: readonly number[]): number {
  return probs.reduce((s, p) => (p > 0 ? s - p * Math.log(p) : s), 0);
}

export interface GumbelDraws {
  /** Soft samples m, one per draw. */
  samples: number[][];
  /** Share of draws whose argmax is each category (the Gumbel-max trick: → softmax(θ)). */
  argmaxShare: number[];
  /** The samples' mean m, a distribution over the categories. */
  meanSample: number[];
}

/** `count` Gumbel-softmax samples of θ at temperature τ from `rng`; the noise is drawn as drawGumbel does. */
export function drawGumbelSamples(
  theta: readonly number[],
  tau: number,
  count: number,
  rng: Rng,
): GumbelDraws {
  const k = theta.length;
  const hits = new Array<number>(k).fill(0);
  const mean = new Array<number>(k).fill(0);
  const samples: number[][] = [];
  const noise = new Float64Array(k);
  for (let n = 0; n < count; n++) {
    for (let i = 0; i < k; i++) noise[i] = rng.gumbel();
    const m = gumbelSoftmaxValues(theta, noise, tau);
    samples.push(m);
    let best = 0;
    for (let i = 1; i < k; i++) if (noise[i] + theta[i] > noise[best] + theta[best]) best = i;
    hits[best] += 1;
    for (let i = 0; i < k; i++) mean[i] += m[i] / count;
  }
  return { samples, argmaxShare: hits.map((h) => h / Math.max(1, count)), meanSample: mean };
}
