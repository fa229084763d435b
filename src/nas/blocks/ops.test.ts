import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activate, channelShuffle, conv2d, depthwiseConv2d, dilateKernel, hardSigmoid } from './ops.ts';
import {
  convOutSize,
  irHiddenChannels,
  makeDivisible,
  poolCeilOutSize,
  samePad,
  seChannels,
} from './shapes.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const close = (a: number[], b: number[], eps = 1e-5) => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(eps));
};

/** 1..n*n in row-major order, shape [1, n, n, 1]. */
const ramp = (n: number) =>
  tf.tensor4d(
    Array.from({ length: n * n }, (_, i) => i + 1),
    [1, n, n, 1],
  );

describe('grouped conv', () => {
  it('1x1 groups=2: each output only sees its own input half', () => {
    const x = tf.tensor4d([1, 2, 3, 4], [1, 1, 1, 4]);
    // kernel [1,1,in/g=2,out=2]: filter 0 (group 0) = [10, 20], filter 1 (group 1) = [100, 200]
    const w = tf.tensor4d([10, 100, 20, 200], [1, 1, 2, 2]);
    close(Array.from(conv2d(x, w, 1, 1, 2).dataSync()), [1 * 10 + 2 * 20, 3 * 100 + 4 * 200]);
  });

  it('3x3 groups=2 with zero padding: per-group box sums', () => {
    const ch0 = Array.from({ length: 9 }, (_, i) => i + 1);
    const x = tf.tensor4d(
      ch0.flatMap((v) => [v, 1]),
      [1, 3, 3, 2],
    );
    // group 0 filter all ones, group 1 filter all twos
    const w = tf.tensor4d(
      Array.from({ length: 9 }).flatMap(() => [1, 2]),
      [3, 3, 1, 2],
    );
    const y = conv2d(x, w, 1, 1, 2).arraySync()[0];
    // channel 0: 3x3 box sums of 1..9 with zero padding
    expect(y.map((r) => r.map((c) => c[0]))).toEqual([
      [12, 21, 16],
      [27, 45, 33],
      [24, 39, 28],
    ]);
    // channel 1: 2 * (number of in-bounds taps)
    expect(y.map((r) => r.map((c) => c[1]))).toEqual([
      [8, 12, 8],
      [12, 18, 12],
      [8, 12, 8],
    ]);
  });

  it('is differentiable w.r.t. input and kernel', () => {
    const x = tf.ones([1, 2, 2, 4]) as tf.Tensor4D;
    const w = tf.ones([1, 1, 2, 2]) as tf.Tensor4D;
    const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 1, 2).sum(),
    )([x, w]);
    // each input channel feeds exactly one output filter with weight 1
    expect(Array.from(gx.dataSync())).toEqual(new Array(16).fill(1));
    // each weight sees one input channel at 4 positions, all ones
    expect(Array.from(gw.dataSync())).toEqual([4, 4, 4, 4]);
  });
});

describe('padding', () => {
  it('3x3 stride 2 pads 1 on every side like PyTorch (not TF SAME)', () => {
    const y = conv2d(ramp(4), tf.ones([3, 3, 1, 1]) as tf.Tensor4D, 2);
    expect(y.shape).toEqual([1, 2, 2, 1]);
    // windows centred on (0,0), (0,2), (2,0), (2,2) of 1..16
    expect(Array.from(y.dataSync())).toEqual([14, 30, 57, 99]);
  });

  it('samePad and output sizes', () => {
    expect(samePad(3)).toBe(1);
    expect(samePad(5)).toBe(2);
    expect(samePad(3, 2)).toBe(2);
    expect(samePad(1)).toBe(0);
    expect(samePad(2)).toBe(0);
    expect(convOutSize(7, 3, 2)).toBe(4);
    expect(convOutSize(8, 5, 2)).toBe(4);
    expect(convOutSize(7, 1, 2)).toBe(4);
    expect(convOutSize(9, 3, 1, 2)).toBe(9);
    expect(convOutSize(8, 2, 2)).toBe(4);
    expect(poolCeilOutSize(7, 2, 2)).toBe(4);
    expect(poolCeilOutSize(8, 2, 2)).toBe(4);
  });
});

describe('dilation', () => {
  it('dilateKernel inserts zeros between taps', () => {
    const w = tf.tensor4d([1, 2, 3, 4], [2, 2, 1, 1]);
    expect(dilateKernel(w, 2).reshape([3, 3]).arraySync()).toEqual([
      [1, 0, 2],
      [0, 0, 0],
      [3, 0, 4],
    ]);
  });

  it('depthwise 3x3 dilation 2: hand-computed sums', () => {
    const y = depthwiseConv2d(ramp(5), tf.ones([3, 3, 1, 1]) as tf.Tensor4D, 1, 2);
    expect(y.shape).toEqual([1, 5, 5, 1]);
    const a = y.reshape([5, 5]).arraySync() as number[][];
    expect(a[2][2]).toBe(1 + 3 + 5 + 11 + 13 + 15 + 21 + 23 + 25);
    expect(a[0][0]).toBe(1 + 3 + 11 + 13);
  });

  it('matches tfjs native dilated conv forward and strided = subsampled', () => {
    const x = tf.randomNormal([1, 7, 7, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 2], 0, 1, 'float32', 2) as tf.Tensor4D;
    const ours = conv2d(x, w, 1, 2);
    const native = tf.conv2d(
      tf.pad(x, [
        [0, 0],
        [2, 2],
        [2, 2],
        [0, 0],
      ]),
      w,
      1,
      'valid',
      'NHWC',
      2,
    );
    close(Array.from(ours.dataSync()), Array.from(native.dataSync()), 1e-4);
    const strided = conv2d(x, w, 2, 2);
    const sub = ours.arraySync()[0];
    const s = strided.arraySync()[0];
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) close(s[r][c], sub[2 * r][2 * c], 1e-4);
  });

  it('gradient w.r.t. a dilated depthwise kernel (tfjs has none natively)', () => {
    const x = ramp(5);
    const w = tf.ones([3, 3, 1, 1]) as tf.Tensor4D;
    const g = tf.grad((k: tf.Tensor) => depthwiseConv2d(x, k as tf.Tensor4D, 1, 2).sum())(w);
    const a = g.reshape([3, 3]).arraySync() as number[][];
    expect(a[1][1]).toBe(325); // centre tap sees every pixel once
    expect(a[0][0]).toBe(1 + 2 + 3 + 6 + 7 + 8 + 11 + 12 + 13); // offset (-2,-2): top-left 3x3
  });
});

describe('channel shuffle', () => {
  const x = tf.tensor4d([0, 1, 2, 3, 4, 5], [1, 1, 1, 6]);
  it('g=2 interleaves the halves', () => {
    expect(Array.from(channelShuffle(x, 2).dataSync())).toEqual([0, 3, 1, 4, 2, 5]);
  });
  it('g=3', () => {
    expect(Array.from(channelShuffle(x, 3).dataSync())).toEqual([0, 2, 4, 1, 3, 5]);
  });
  it('g=1 is the identity and bad groups throw', () => {
    expect(Array.from(channelShuffle(x, 1).dataSync())).toEqual([0, 1, 2, 3, 4, 5]);
    expect(() => channelShuffle(x, 4)).toThrow(/divisible/);
  });
});

describe('activations', () => {
  const x = tf.tensor1d([-4, -1, 0, 1, 4, 7]);
  it('relu, relu6, none', () => {
    expect(Array.from(activate(x, 'relu').dataSync())).toEqual([0, 0, 0, 1, 4, 7]);
    expect(Array.from(activate(x, 'relu6').dataSync())).toEqual([0, 0, 0, 1, 4, 6]);
    expect(activate(x, 'none')).toBe(x);
  });
  it('hswish = x * relu6(x + 3) / 6, hard-sigmoid = relu6(x + 3) / 6', () => {
    close(Array.from(activate(x, 'hswish').dataSync()), [0, -1 / 3, 0, 2 / 3, 4, 7]);
    close(Array.from(hardSigmoid(x).dataSync()), [0, 1 / 3, 0.5, 2 / 3, 1, 1]);
  });
  it('swish = x * sigmoid(x)', () => {
    close(
      Array.from(activate(x, 'swish').dataSync()),
      [-4, -1, 0, 1, 4, 7].map((v) => v / (1 + Math.exp(-v))),
    );
  });
});

describe('channel rules', () => {
  it('makeDivisible / seChannels', () => {
    expect(makeDivisible(4)).toBe(8);
    expect(makeDivisible(25)).toBe(24);
    expect(makeDivisible(12)).toBe(16);
    expect(makeDivisible(67)).toBe(64);
    expect(makeDivisible(70)).toBe(72);
    expect(seChannels(16)).toBe(8);
    expect(seChannels(96)).toBe(24);
    expect(seChannels(100)).toBe(24);
  });
  it('irHiddenChannels', () => {
    expect(irHiddenChannels(16, 6)).toBe(96);
    expect(irHiddenChannels(16, 1, 2)).toBe(16);
    expect(irHiddenChannels(10, 3, 4)).toBe(32);
    expect(irHiddenChannels(5, 3, 2)).toBe(16);
  });
});
