import * as tf from '@tensorflow/tfjs';
import { readArchValues } from './arch-values.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import {
  drawGumbel,
  drawGumbelMax,
  gumbelMaxIndex,
  gumbelSoftmax,
  softmaxArray,
  temperatureAt,
} from './gumbel.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('gumbelSoftmax', () => {
  it('soft sample equals softmax((θ + g) / τ)', () => {
    const theta = [0.5, -1, 2];
    const g = [0.1, 0.7, -0.3];
    const tau = 2;
    const y = tf.tidy(() => gumbelSoftmax(tf.tensor1d(theta), tau, tf.tensor1d(g), false).arraySync());
    const expected = softmaxArray(theta.map((t, i) => (t + g[i]) / tau));
    y.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  it('argmax frequencies of hard samples match softmax(θ) (chi-square, p = 0.001)', () => {
    const theta = [1, 0, -0.5, 0.3, 2];
    const k = theta.length;
    const n = 20000;
    const noise = drawGumbel(new Rng(7), k, n);
    const counts = tf.tidy(() => {
      const logits = tf.tile(tf.tensor2d(theta, [1, k]), [n, 1]) as tf.Tensor2D;
      const m = gumbelSoftmax(logits, 0.5, tf.tensor2d(noise, [n, k]), true);
      // hard samples are exact one-hots
      const rowSums = m.sum(-1).arraySync() as number[];
      expect(rowSums.every((s) => s === 1)).toBe(true);
      return m.sum(0).arraySync() as number[];
    });
    const p = softmaxArray(theta);
    const chi2 = counts.reduce((s, c, i) => s + (c - n * p[i]) ** 2 / (n * p[i]), 0);
    // critical value of chi-square with df = 4 at p = 0.001
    expect(chi2).toBeLessThan(18.467);
    // and a badly wrong distribution (uniform) is rejected by the same statistic
    const chi2Uniform = counts.reduce((s, c) => s + (c - n / k) ** 2 / (n / k), 0);
    expect(chi2Uniform).toBeGreaterThan(18.467);
  });

  it('hard mode: one-hot forward, soft-sample (straight-through) gradient to θ', () => {
    const theta = tf.variable(tf.tensor1d([0.2, -0.4, 0.9]));
    const noise = tf.tensor1d([0.3, 1.5, -0.2]);
    const w = tf.tensor1d([1, 2, 5]);
    const hardOut = tf.tidy(() => gumbelSoftmax(theta, 1.5, noise, true).arraySync());
    expect(hardOut).toEqual([0, 1, 0]); // argmax of θ + g = [0.5, 1.1, 0.7]
    const gHard = tf.tidy(
      () =>
        tf
          .variableGrads(
            () => tf.sum(tf.mul(gumbelSoftmax(theta, 1.5, noise, true), w)) as tf.Scalar,
            [theta],
          )
          .grads[theta.name].arraySync() as number[],
    );
    const gSoft = tf.tidy(
      () =>
        tf
          .variableGrads(
            () => tf.sum(tf.mul(gumbelSoftmax(theta, 1.5, noise, false), w)) as tf.Scalar,
            [theta],
          )
          .grads[theta.name].arraySync() as number[],
    );
    expect(gHard.some((v) => Math.abs(v) > 1e-3)).toBe(true);
    gHard.forEach((v, i) => expect(v).toBeCloseTo(gSoft[i], 6));
    tf.dispose([theta, noise, w]);
  });

  it('temperature schedule follows τ0 · decay^epoch', () => {
    expect(temperatureAt(0, 5, 0.956)).toBe(5);
    expect(temperatureAt(10, 5, Math.exp(-0.045))).toBeCloseTo(5 * Math.exp(-0.45), 10);
  });
});

describe('drawGumbelMax', () => {
  it('draws noise per variable in order from the Rng and picks argmax(logits + g)', async () => {
    const vars = [tf.variable(tf.tensor1d([0, 2, -1])), tf.variable(tf.tensor1d([5, 0]))];
    const { noise, draws } = drawGumbelMax(vars, new Rng(11), await readArchValues(vars));
    const ref = new Rng(11);
    const g0 = drawGumbel(ref, 3);
    const g1 = drawGumbel(ref, 2);
    expect(noise).toEqual([g0, g1]);
    const pick = (l: number[], g: Float32Array) =>
      l.map((v, i) => v + g[i]).indexOf(Math.max(...l.map((v, i) => v + g[i])));
    expect(draws).toEqual([pick([0, 2, -1], g0), pick([5, 0], g1)]);
    expect(gumbelMaxIndex([0, 0, 100], [1, 2, 3])).toBe(2);
    expect(gumbelMaxIndex([0, 0, 0], [1, 3, 2])).toBe(1);
    tf.dispose(vars);
  });
});
