import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { expectSameAsTfjs, randomTensor } from './testing.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('fast Transpose', () => {
  it('transposes by hand', async () => {
    const x = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(Array.from(await tf.transpose(x).data())).toEqual([1, 4, 2, 5, 3, 6]);
    x.dispose();
  });

  const CASES: [number[], number[]][] = [
    [
      [16, 9, 7],
      [0, 2, 1],
    ], // the grid pooling's pixels-last transpose
    [
      [2, 3, 4, 5],
      [0, 1, 3, 2],
    ],
    [
      [2, 3, 4, 5],
      [3, 1, 2, 0],
    ],
    [
      [2, 3, 1, 4, 3],
      [0, 1, 2, 4, 3],
    ], // a channel shuffle, with a size-1 dim
    [
      [5, 7],
      [0, 1],
    ],
    [[6], [0]],
  ];
  CASES.forEach(([shape, perm], i) =>
    it(`matches tfjs for ${JSON.stringify(shape)} perm ${JSON.stringify(perm)}, gradient too`, async () => {
      const x = randomTensor(new Rng(900 + i), shape);
      await expectSameAsTfjs(() => tf.transpose(x, perm));
      await expectSameAsTfjs(() => tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.transpose(a, perm))))(x));
      x.dispose();
    }),
  );
});
