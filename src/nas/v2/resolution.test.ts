import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2d, depthwiseConv2d } from '../blocks/ops.ts';
import { Rng } from '../rng.ts';
import { fixedDist } from './channel-mask.ts';
import {
  conv2dInterspersed,
  depthwiseInterspersed,
  intersperse,
  interspersedSum,
  keptPositions,
  mixResolutions,
  subsample,
  subsampledSize,
} from './resolution.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function rand(shape: number[], seed: number): tf.Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.normal()),
    shape,
  );
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).arraySync() as number);
}

describe('interspersed representation', () => {
  it('subsample keeps every f-th pixel from the top-left; intersperse puts them back between zeros', () => {
    const x = tf.tensor4d(
      Array.from({ length: 25 }, (_, i) => i),
      [1, 5, 5, 1],
    );
    const s = subsample(x, 2);
    expect(s.shape).toEqual([1, 3, 3, 1]);
    expect(subsampledSize(5, 2)).toBe(3);
    expect(s.reshape([9]).arraySync()).toEqual([0, 2, 4, 10, 12, 14, 20, 22, 24]);
    const big = intersperse(s, 2, 5);
    const rows = big.reshape([5, 5]).arraySync() as number[][];
    expect(rows).toEqual([
      [0, 0, 2, 0, 4],
      [0, 0, 0, 0, 0],
      [10, 0, 12, 0, 14],
      [0, 0, 0, 0, 0],
      [20, 0, 22, 0, 24],
    ]);
    expect(maxDiff(keptPositions(big, 2), s)).toBe(0);
    tf.dispose([x, s, big]);
  });

  it('pads the grid when it is larger than h·f (factor 3 on a 7-wide grid)', () => {
    const s = rand([2, 3, 3, 2], 1) as tf.Tensor4D;
    const big = intersperse(s, 3, 8);
    expect(big.shape).toEqual([2, 8, 8, 2]);
    expect(maxDiff(keptPositions(big, 3), s)).toBe(0);
    expect(tf.sum(tf.abs(big)).arraySync()).toBeCloseTo(tf.sum(tf.abs(s)).arraySync() as number, 4);
    tf.dispose([s, big]);
  });

  const cases = [
    { k: 3, stride: 1, dilation: 1, f: 2, size: 9 },
    { k: 3, stride: 2, dilation: 1, f: 2, size: 10 },
    { k: 5, stride: 1, dilation: 2, f: 2, size: 12 },
    { k: 3, stride: 2, dilation: 1, f: 4, size: 13 },
    { k: 1, stride: 2, dilation: 1, f: 3, size: 9 },
    { k: 2, stride: 2, dilation: 1, f: 2, size: 8 },
  ];
  for (const c of cases) {
    it(`conv k${c.k} s${c.stride} d${c.dilation} at factor ${c.f} equals the conv on the small map`, () => {
      const small = rand([2, subsampledSize(c.size, c.f), subsampledSize(c.size, c.f), 3], 2) as tf.Tensor4D;
      const big = intersperse(small, c.f, c.size);
      const w = rand([c.k, c.k, 3, 4], 3) as tf.Tensor4D;
      const direct = conv2d(small, w, c.stride, c.dilation);
      const viaBig = conv2dInterspersed(big, w, c.f, c.stride, c.dilation);
      expect(maxDiff(keptPositions(viaBig, c.f), direct)).toBeLessThan(1e-4);
      // only kept positions are non-zero
      expect(maxDiff(intersperse(direct, c.f, viaBig.shape[1]), viaBig)).toBeLessThan(1e-4);
      const dw = rand([c.k, c.k, 3, 1], 4) as tf.Tensor4D;
      const dDirect = depthwiseConv2d(small, dw, c.stride, c.dilation);
      const dBig = depthwiseInterspersed(big, dw, c.f, c.stride, c.dilation);
      expect(maxDiff(keptPositions(dBig, c.f), dDirect)).toBeLessThan(1e-4);
      tf.dispose([small, big, w, direct, viaBig, dw, dDirect, dBig]);
    });
  }

  it('a plain (undilated) conv on the interspersed map does not reproduce it (receptive field shrinks)', () => {
    const small = rand([1, 4, 4, 2], 5) as tf.Tensor4D;
    const big = intersperse(small, 2, 8);
    const w = rand([3, 3, 2, 2], 6) as tf.Tensor4D;
    const naive = keptPositions(conv2d(big, w, 1), 2);
    expect(maxDiff(naive, conv2d(small, w, 1))).toBeGreaterThan(0.1);
    tf.dispose([small, big, w, naive]);
  });

  it('interspersedSum aligns pixels; gradients flow through intersperse', () => {
    const a = rand([1, 4, 4, 1], 7) as tf.Tensor4D;
    const b = rand([1, 2, 2, 1], 8) as tf.Tensor4D;
    const g = tf.tensor1d([0.25, 0.75]);
    const sum = interspersedSum([a, b], [1, 2], { values: [1, 2], weights: g }, 4);
    const expected = tf.add(tf.mul(a, 0.25), tf.mul(intersperse(b, 2, 4), 0.75));
    expect(maxDiff(sum, expected)).toBeLessThan(1e-6);
    // pixel (2, 2) of the full map and pixel (1, 1) of the half map overlap
    const v = (sum.reshape([4, 4]).arraySync() as number[][])[2][2];
    const av = (a.reshape([4, 4]).arraySync() as number[][])[2][2];
    const bv = (b.reshape([2, 2]).arraySync() as number[][])[1][1];
    expect(v).toBeCloseTo(0.25 * av + 0.75 * bv, 5);
    const grad = tf.grad((s: tf.Tensor) => tf.sum(tf.mul(intersperse(s as tf.Tensor4D, 2, 4), 2)))(b);
    expect(grad.arraySync()).toEqual([
      [
        [[2], [2]],
        [[2], [2]],
      ],
    ]);
    tf.dispose([a, b, g, sum, expected, grad]);
  });

  it('mixResolutions runs the shared function per factor and mixes by the weights', () => {
    const x = rand([1, 8, 8, 2], 9) as tf.Tensor4D;
    const run = (t: tf.Tensor4D) => tf.mean(t, [1, 2]);
    const w = tf.tensor1d([0.6, 0.4]);
    const mixed = mixResolutions(x, { values: [1, 2], weights: w }, run);
    const expected = tf.add(tf.mul(run(x), 0.6), tf.mul(run(subsample(x, 2)), 0.4));
    expect(maxDiff(mixed, expected)).toBeLessThan(1e-6);
    const one = mixResolutions(x, fixedDist(2), run);
    expect(maxDiff(one, run(subsample(x, 2)))).toBe(0);
    tf.dispose([x, w, mixed, expected, one]);
  });
});
