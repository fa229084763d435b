import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { expectSameAsTfjs, randomTensor } from './testing.ts';
import { broadcastBinary } from './binary.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const CASES: [number[], number[]][] = [
  [
    [3, 5, 7, 6],
    [3, 5, 7, 6],
  ],
  [[3, 5, 7, 6], [6]],
  [
    [1, 1, 1, 6],
    [3, 5, 7, 6],
  ],
  [
    [3, 5, 7, 6],
    [3, 1, 1, 6],
  ],
  [
    [3, 5, 7, 1],
    [3, 5, 7, 6],
  ],
  [
    [3, 1, 7, 1],
    [1, 5, 1, 6],
  ],
  [[5, 7], []],
  [[], [2, 3]],
  [
    [4, 1],
    [1, 3],
  ],
];

describe('fast broadcasting Add, Sub, Multiply, RealDiv', () => {
  it('equals a hand-computed broadcast', () => {
    const mul = (
      out: Float32Array,
      o: number,
      a: Float32Array,
      ai: number,
      as: number,
      b: Float32Array,
      bi: number,
      bs: number,
      n: number,
    ) => {
      for (let k = 0; k < n; k++) out[o + k] = a[ai + k * as] * b[bi + k * bs];
    };
    const r = broadcastBinary(mul, [2, 1], Float32Array.of(2, 3), [1, 3], Float32Array.of(1, 10, 100));
    expect(r.shape).toEqual([2, 3]);
    expect(Array.from(r.values)).toEqual([2, 20, 200, 3, 30, 300]);
  });

  CASES.forEach(([sa, sb], i) =>
    it(`matches tfjs for ${JSON.stringify(sa)} ∘ ${JSON.stringify(sb)}`, async () => {
      const rng = new Rng(100 + i);
      const a = randomTensor(rng, sa);
      const b = tf.add(tf.abs(randomTensor(rng, sb)), 0.5); // away from 0 for RealDiv
      await expectSameAsTfjs(() => [tf.add(a, b), tf.sub(a, b), tf.mul(a, b), tf.div(a, b), tf.sub(b, a)]);
      // and their gradients (which reduce the broadcast dims back)
      await expectSameAsTfjs(() =>
        tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.div(x, y), tf.add(x, y))))([a, b]),
      );
      tf.dispose([a, b]);
    }),
  );

  it('leaves int32 to tfjs', async () => {
    const a = tf.tensor([1, 2, 3], [3], 'int32');
    const b = tf.tensor([[4], [5]], [2, 1], 'int32');
    const r = tf.mul(a, b);
    expect(r.dtype).toBe('int32');
    expect(Array.from(await r.data())).toEqual([4, 8, 12, 5, 10, 15]);
    tf.dispose([a, b, r]);
  });
});
