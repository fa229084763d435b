import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { drawGumbel, gumbelSoftmax, softmaxArray } from './gumbel.ts';
import { drawGumbelSamples, entropyOf, gumbelSoftmaxValues, oneHotOfMax } from './gumbel-host.ts';
import { fbnetLoss } from './loss.ts';
import { costFactor, fbnetLossValue } from './loss-host.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('host Gumbel-softmax', () => {
  it('matches the tensor gumbelSoftmax for the same noise', () => {
    const theta = [0.5, -1, 2, 0];
    const noise = drawGumbel(new Rng(9), 4);
    for (const tau of [0.2, 1, 5]) {
      const want = tf.tidy(() =>
        Array.from(gumbelSoftmax(tf.tensor1d(theta), tau, tf.tensor1d(noise), false).dataSync()),
      );
      const got = gumbelSoftmaxValues(theta, noise, tau);
      got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    }
  });

  it('entropy: 0 for one-hot, log k for uniform', () => {
    expect(entropyOf([0, 1, 0])).toBe(0);
    expect(entropyOf([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(Math.log(4), 12);
    expect(oneHotOfMax([0.2, 0.5, 0.3])).toEqual([0, 1, 0]);
  });

  it('argmax shares of 4000 draws approach softmax(θ) (Gumbel-max trick)', () => {
    const theta = [1, 0, -0.5];
    const { argmaxShare, samples } = drawGumbelSamples(theta, 1, 4000, new Rng(1));
    expect(samples).toHaveLength(4000);
    softmaxArray(theta).forEach((p, i) => expect(Math.abs(argmaxShare[i] - p)).toBeLessThan(0.03));
  });

  it('a higher τ gives flatter samples (larger mean entropy)', () => {
    const theta = [1, 0, -0.5];
    const meanEntropy = (tau: number) => {
      const { samples } = drawGumbelSamples(theta, tau, 500, new Rng(2));
      return samples.reduce((s, m) => s + entropyOf(m), 0) / samples.length;
    };
    expect(meanEntropy(5)).toBeGreaterThan(meanEntropy(1));
    expect(meanEntropy(1)).toBeGreaterThan(meanEntropy(0.1));
  });
});

describe('host loss factor', () => {
  it('matches fbnetLoss on tensors, floor included', () => {
    for (const [task, cost, a, b] of [
      [2, Math.exp(2), 0.5, 0.5],
      [1.3, 40, 0.2, 0.6],
      [1, 0.5, 0.2, 0.6],
      [3, 7, 0.2, 0],
    ]) {
      const want = tf.tidy(() => fbnetLoss(tf.scalar(task), tf.scalar(cost), a, b).loss.arraySync());
      expect(fbnetLossValue(task, cost, a, b)).toBeCloseTo(want as number, 4);
    }
    expect(costFactor(Math.exp(2), 0.5, 0.5)).toBeCloseTo(0.5 * Math.sqrt(2), 12);
  });
});
