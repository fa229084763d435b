import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { expectSameAsTfjs, randomTensor } from './testing.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Pad = 'same' | 'valid' | number;
// [batch, side, channels in, k, stride, pad, multiplier or channels out]
const CASES: [number, number, number, number, number, Pad, number][] = [
  [2, 9, 5, 3, 1, 'same', 1],
  [2, 9, 5, 3, 2, 'same', 1],
  [3, 8, 4, 5, 2, 'valid', 2],
  [1, 7, 3, 3, 1, 1, 3],
  [2, 10, 6, 5, 2, 2, 1],
  [2, 11, 3, 1, 2, 'valid', 4],
  [1, 6, 2, 3, 1, 'valid', 1],
  // channels a multiple of 4 (depthwise, multiplier 1: WebAssembly SIMD; conv: 8 out, im2col + SIMD MatMul)
  [2, 9, 8, 3, 1, 'same', 1],
  [2, 11, 12, 3, 2, 1, 1],
  [3, 7, 4, 3, 2, 'valid', 1],
  [2, 10, 3, 3, 2, 1, 7],
];

describe('fast depthwise convolution (forward, input and filter gradients)', () => {
  it('equals a hand-computed 2x2 case', async () => {
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const w = tf.tensor4d([1, 10, 100, 1000], [2, 2, 1, 1]);
    expect(Array.from(await tf.depthwiseConv2d(x, w, 1, 'valid').data())).toEqual([4321]);
    tf.dispose([x, w]);
  });

  CASES.forEach(([n, s, c, k, stride, pad, m], i) =>
    it(`matches tfjs: ${n}x${s}x${s}x${c}, k ${k}, stride ${stride}, pad ${pad}, multiplier ${m}`, async () => {
      const rng = new Rng(600 + i);
      const x = randomTensor(rng, [n, s, s, c]) as tf.Tensor4D;
      const w = randomTensor(rng, [k, k, c, m]) as tf.Tensor4D;
      await expectSameAsTfjs(() => tf.depthwiseConv2d(x, w, stride, pad));
      await expectSameAsTfjs(() =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad))),
        )([x, w]),
      );
      tf.dispose([x, w]);
    }),
  );
});

describe('fast dense convolution (forward, input and filter gradients)', () => {
  it('equals a hand-computed 1x1 case', async () => {
    const x = tf.tensor4d([1, 2], [1, 1, 1, 2]);
    const w = tf.tensor4d([1, 10, 100, 1000], [1, 1, 2, 2]);
    expect(Array.from(await tf.conv2d(x, w, 1, 'valid').data())).toEqual([201, 2010]);
    tf.dispose([x, w]);
  });

  CASES.forEach(([n, s, c, k, stride, pad, out], i) =>
    it(`matches tfjs: ${n}x${s}x${s}x${c} -> ${out + 1}, k ${k}, stride ${stride}, pad ${pad}`, async () => {
      const rng = new Rng(700 + i);
      const x = randomTensor(rng, [n, s, s, c]) as tf.Tensor4D;
      const w = randomTensor(rng, [k, k, c, out + 1]) as tf.Tensor4D;
      await expectSameAsTfjs(() => tf.conv2d(x, w, stride, pad));
      await expectSameAsTfjs(() =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad))),
        )([x, w]),
      );
      tf.dispose([x, w]);
    }),
  );

  it('leaves NCHW to tfjs', async () => {
    const x = randomTensor(new Rng(800), [1, 2, 5, 5]) as tf.Tensor4D;
    const w = randomTensor(new Rng(801), [3, 3, 2, 3]) as tf.Tensor4D;
    // tfjs's cpu conv2d supports NCHW only through its own kernel; it must still give the NHWC answer
    const nhwc = tf.conv2d(tf.transpose(x, [0, 2, 3, 1]), w, 1, 'same');
    const nchw = tf.conv2d(x, w, 1, 'same', 'NCHW');
    expect(nchw.shape).toEqual([1, 3, 5, 5]);
    const d = tf.max(tf.abs(tf.sub(tf.transpose(nchw, [0, 2, 3, 1]), nhwc)));
    expect((await d.data())[0]).toBeLessThan(1e-5);
    tf.dispose([x, w, nhwc, nchw, d]);
  });
});
