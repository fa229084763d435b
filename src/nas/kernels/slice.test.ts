import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { expectSameAsTfjs, randomTensor } from './testing.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('fast Slice', () => {
  it('slices by hand', async () => {
    const x = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(Array.from(await tf.slice(x, [0, 1], [2, 2]).data())).toEqual([2, 3, 5, 6]);
    x.dispose();
  });

  const CASES: [number[], number[], number[]][] = [
    [
      [3, 9, 9, 5],
      [0, 1, 1, 0],
      [3, 7, 7, 5],
    ],
    [
      [3, 9, 9, 5],
      [1, 0, 2, 1],
      [2, 9, 3, 3],
    ],
    [
      [3, 9, 9, 5],
      [0, 0, 0, 0],
      [-1, -1, -1, -1],
    ],
    [
      [7, 5],
      [2, 1],
      [3, -1],
    ],
    [[10], [3], [4]],
  ];
  CASES.forEach(([shape, begin, size], i) =>
    it(`matches tfjs for ${JSON.stringify(shape)} from ${JSON.stringify(begin)} size ${JSON.stringify(size)}`, async () => {
      const x = randomTensor(new Rng(300 + i), shape);
      await expectSameAsTfjs(() => tf.slice(x, begin, size));
      // pad's gradient is a slice
      const pads = shape.map((_, d) => [d % 2, 1] as [number, number]);
      await expectSameAsTfjs(() => tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.pad(t, pads))))(x));
      x.dispose();
    }),
  );
});
