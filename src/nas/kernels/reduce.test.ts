import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { expectSameAsTfjs, randomTensor } from './testing.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const CASES: [number[], number | number[]][] = [
  [
    [3, 5, 7, 6],
    [0, 1, 2],
  ],
  [
    [3, 5, 7, 6],
    [1, 2],
  ],
  [[3, 5, 7, 6], -1],
  [
    [3, 5, 7, 6],
    [0, 3],
  ],
  [
    [3, 5, 7, 6],
    [0, 1, 2, 3],
  ],
  [[9, 11], 0],
  [
    [1, 1, 1, 5],
    [0, 1, 2],
  ],
];

describe('fast Sum and Mean', () => {
  it('sums by hand', async () => {
    const x = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(Array.from(await tf.sum(x, 0).data())).toEqual([5, 7, 9]);
    expect(Array.from(await tf.mean(x, 1).data())).toEqual([2, 5]);
    x.dispose();
  });

  CASES.forEach(([shape, axis], i) =>
    it(`matches tfjs for ${JSON.stringify(shape)} over ${JSON.stringify(axis)}`, async () => {
      const x = randomTensor(new Rng(200 + i), shape);
      await expectSameAsTfjs(() => [
        tf.sum(x, axis),
        tf.mean(x, axis),
        tf.sum(x, axis, true),
        tf.mean(x, axis, true),
      ]);
      await expectSameAsTfjs(() => tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.mean(t, axis, true))))(x));
      x.dispose();
    }),
  );

  it('leaves int32 and bool to tfjs', async () => {
    const x = tf.tensor([1, 2, 3, 4], [2, 2], 'int32');
    const s = tf.sum(x, 0);
    expect(s.dtype).toBe('int32');
    expect(Array.from(await s.data())).toEqual([4, 6]);
    tf.dispose([x, s]);
  });
});
