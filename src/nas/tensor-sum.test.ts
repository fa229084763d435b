import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { sumTensors } from './tensor-sum.ts';

describe('sumTensors', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  test('adds any number of tensors (more than WebGPU binds in one kernel) exactly like addN', () => {
    for (const n of [1, 2, 3, 8, 9, 17]) {
      const ts = Array.from({ length: n }, (_, i) => tf.tensor1d([i, 2 * i, -i]));
      const got = sumTensors(ts);
      const want = tf.addN(ts);
      const plain = (t: tf.Tensor) => Array.from(t.dataSync(), (v) => v + 0); // -0 and +0 alike
      expect(plain(got)).toEqual(plain(want));
      tf.dispose([...ts, got, want]);
    }
  });

  test('gradients flow to every input and no intermediate tensor is left behind', () => {
    const xs = Array.from({ length: 9 }, (_, i) => tf.scalar(i + 1));
    const before = tf.memory().numTensors;
    const grads = tf.grads((...a: tf.Tensor[]) => sumTensors(a.map((t, i) => tf.mul(t, i))))(xs);
    expect(grads.map((g) => g.dataSync()[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    tf.dispose(grads);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(xs);
  });
});
