import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { expectSameAsTfjs, randomTensor } from './testing.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('fast BatchMatMul', () => {
  it('multiplies by hand', async () => {
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const b = tf.tensor2d([5, 6, 7, 8], [2, 2]);
    expect(Array.from(await tf.matMul(a, b).data())).toEqual([19, 22, 43, 50]);
    expect(Array.from(await tf.matMul(a, b, true, false).data())).toEqual([26, 30, 38, 44]);
    expect(Array.from(await tf.matMul(a, b, false, true).data())).toEqual([17, 23, 39, 53]);
    tf.dispose([a, b]);
  });

  const CASES: [number[], number[], boolean, boolean][] = [
    [[7, 5], [5, 9], false, false],
    [[5, 7], [5, 9], true, false],
    [[7, 5], [9, 5], false, true],
    [[5, 7], [9, 5], true, true],
    [[300, 13], [13, 6], false, false], // K ≤ 64: float32 sums
    [[300, 13], [300, 6], true, false], // K = 300: float64 sums (a weight gradient)
    [[301, 13], [13, 8], false, false], // N a multiple of 4, K ≤ 64: WebAssembly SIMD, M padded
    [[301, 13], [8, 13], false, true],
    [[2, 3, 5], [2, 5, 12], false, false],
    [[37, 100], [100, 8], false, false], // K > 64: float64 SIMD lanes
    [[9, 70], [12, 70], false, true],
    [[301, 13], [301, 8], true, false], // Aᵀ · B in float64 SIMD lanes, odd K padded
    [[300, 6], [12, 300], true, true],
    [[3, 4, 5], [3, 5, 2], false, false],
    [[3, 4, 5], [1, 5, 2], false, false],
    [[1, 4, 5], [3, 2, 5], false, true],
  ];
  CASES.forEach(([sa, sb, ta, tb], i) =>
    it(`matches tfjs for ${JSON.stringify(sa)} · ${JSON.stringify(sb)} (transpose ${ta}, ${tb})`, async () => {
      const rng = new Rng(400 + i);
      const a = randomTensor(rng, sa);
      const b = randomTensor(rng, sb);
      await expectSameAsTfjs(() => tf.matMul(a, b, ta, tb));
      // tfjs's gradient does not reduce a broadcast batch (its tape rejects the shape), so no gradient there
      if (sa.length === 3 && sa[0] !== sb[0]) return;
      await expectSameAsTfjs(() =>
        tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y, ta, tb))))([a, b]),
      );
      tf.dispose([a, b]);
    }),
  );
});
