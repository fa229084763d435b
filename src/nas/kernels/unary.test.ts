import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { expectSameAsTfjs, randomTensor } from './testing.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('fast Relu and Step', () => {
  it('by hand, NaN kept', async () => {
    const x = tf.tensor([-1, 0, 2, NaN]);
    expect(Array.from(await tf.relu(x).data())).toEqual([0, 0, 2, NaN]);
    expect(Array.from(await tf.step(x, 0.5).data())).toEqual([0.5, 0.5, 1, NaN]);
    x.dispose();
  });

  it('matches tfjs, with the gradient', async () => {
    const x = randomTensor(new Rng(500), [3, 5, 7, 6]);
    await expectSameAsTfjs(() => [tf.relu(x), tf.step(x), tf.step(x, 0.1)]);
    await expectSameAsTfjs(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), t)))(x));
    x.dispose();
  });
});
