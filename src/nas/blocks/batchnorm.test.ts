import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BatchNorm } from './batchnorm.ts';
import { BN_EPSILON, BN_MOMENTUM } from './module.ts';
import { registerFastCpuKernels, unregisterFastCpuKernels } from '../kernels/index.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => registerFastCpuKernels()); // as the vitest setup left them, even after a failure

// one channel, 4 values: mean 2.5, biased variance 1.25, unbiased 5/3
const x = () => tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);

describe('BatchNorm', () => {
  it('training: normalises with batch statistics and updates running stats PyTorch-style', () => {
    const bn = new BatchNorm('b', 1);
    const y = Array.from(bn.apply(x(), true).dataSync());
    const expected = [1, 2, 3, 4].map((v) => (v - 2.5) / Math.sqrt(1.25 + BN_EPSILON));
    y.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    expect(bn.mean.dataSync()[0]).toBeCloseTo(BN_MOMENTUM * 2.5, 6);
    expect(bn.variance.dataSync()[0]).toBeCloseTo(1 - BN_MOMENTUM + BN_MOMENTUM * (5 / 3), 6);
  });

  it('inference: uses running stats and leaves them unchanged', () => {
    const bn = new BatchNorm('b', 1);
    bn.apply(x(), true);
    const rm = bn.mean.dataSync()[0];
    const rv = bn.variance.dataSync()[0];
    const y = Array.from(bn.apply(x(), false).dataSync());
    [1, 2, 3, 4].forEach((v, i) => expect(y[i]).toBeCloseTo((v - rm) / Math.sqrt(rv + BN_EPSILON), 5));
    expect(bn.mean.dataSync()[0]).toBe(rm);
    expect(bn.variance.dataSync()[0]).toBe(rv);
  });

  it('gamma and beta scale and shift', () => {
    const bn = new BatchNorm('b', 1);
    bn.gamma.assign(tf.tensor1d([2]));
    bn.beta.assign(tf.tensor1d([0.5]));
    const y = Array.from(bn.apply(x(), false).dataSync());
    [1, 2, 3, 4].forEach((v, i) => expect(y[i]).toBeCloseTo((2 * v) / Math.sqrt(1 + BN_EPSILON) + 0.5, 5));
  });

  it('training gradient matches the explicit formula (flows through batch mean/variance)', () => {
    const bn = new BatchNorm('b', 2);
    const input = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 7) as tf.Tensor4D;
    const w = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 8);
    const ours = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(bn.apply(a as tf.Tensor4D, true), w)))(input);
    const manual = tf.grad((a: tf.Tensor) => {
      const m = tf.mean(a, [0, 1, 2]);
      const v = tf.mean(tf.square(tf.sub(a, m)), [0, 1, 2]);
      return tf.sum(tf.mul(tf.div(tf.sub(a, m), tf.sqrt(tf.add(v, BN_EPSILON))), w));
    })(input);
    const a = ours.dataSync();
    const b = manual.dataSync();
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 4));
  });

  // fused: the cpu kernels of src/nas/kernels (registered by the vitest setup); composite: the tf.customGrad
  // of plain ops the cpu backend runs without them (GPU backends leave the same forward to autodiff)
  it.each([
    ['fused cpu kernels', true],
    ['composite ops', false],
  ])(
    'hand-written training gradient equals autodiff of the same forward (x, gamma, beta): %s',
    (_, useFused) => {
      if (!useFused) unregisterFastCpuKernels();
      const bn = new BatchNorm('b', 3);
      bn.gamma.assign(tf.tensor1d([0.5, -1.5, 2]));
      bn.beta.assign(tf.tensor1d([0.1, 0.2, -0.3]));
      const input = tf.randomNormal([3, 5, 7, 3], 1, 2, 'float32', 9) as tf.Tensor4D;
      const w = tf.randomNormal([3, 5, 7, 3], 0, 1, 'float32', 10);
      const loss = (y: tf.Tensor) => tf.sum(tf.mul(tf.square(y), w));
      const fused = tf.grads((a: tf.Tensor) => loss(bn.apply(a as tf.Tensor4D, true)))([input]);
      const { grads } = tf.variableGrads(() => loss(bn.apply(input, true)) as tf.Scalar, [bn.gamma, bn.beta]);
      const manual = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const m = tf.mean(a, [0, 1, 2]);
        const v = tf.mean(tf.square(tf.sub(a, m)), [0, 1, 2]);
        return loss(tf.add(tf.mul(tf.div(tf.sub(a, m), tf.sqrt(tf.add(v, BN_EPSILON))), g), b));
      })([input, bn.gamma, bn.beta]);
      const close = (p: tf.Tensor, q: tf.Tensor) => {
        const scale = Math.max(...Array.from(q.dataSync(), Math.abs));
        const err = Math.max(...Array.from(tf.abs(tf.sub(p, q)).dataSync()));
        expect(err / scale).toBeLessThan(1e-5);
      };
      close(fused[0], manual[0]);
      close(grads[bn.gamma.name], manual[1]);
      close(grads[bn.beta.name], manual[2]);
      registerFastCpuKernels();
    },
  );

  it('updates inside optimizer.minimize without leaking tensors', () => {
    const bn = new BatchNorm('b', 1);
    const opt = tf.train.sgd(0.1);
    const input = x();
    const step = () =>
      tf.tidy(() => {
        opt.minimize(
          () => tf.sum(tf.mul(bn.apply(input, true), tf.tensor4d([1, 0, 0, 3], [1, 2, 2, 1]))),
          false,
          [bn.gamma, bn.beta],
        );
      });
    step();
    const before = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(before);
    // three momentum updates towards 2.5
    expect(bn.mean.dataSync()[0]).toBeCloseTo(2.5 * (1 - 0.9 ** 3), 5);
    expect(bn.gamma.dataSync()[0]).not.toBe(1);
  });

  it('names its params and marks running stats non-trainable', () => {
    const p = new BatchNorm('blk/dw', 3).params();
    expect(p.map((q) => [q.name, q.trainable])).toEqual([
      ['blk/dw/bn/gamma', true],
      ['blk/dw/bn/beta', true],
      ['blk/dw/bn/mean', false],
      ['blk/dw/bn/variance', false],
    ]);
  });
});
