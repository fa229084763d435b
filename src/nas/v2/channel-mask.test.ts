import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ChannelSearch,
  channelMask,
  distOf,
  expectedValue,
  fixedDist,
  matchProbability,
  pairDist,
  prefixMasks,
  residualGate,
} from './channel-mask.ts';
import { sliceLeading } from './derive.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('channel masks', () => {
  it('l_i has c_i leading ones; M = Σ g_i l_i', () => {
    expect(prefixMasks([1, 3, 4], 4).arraySync()).toEqual([
      [1, 0, 0, 0],
      [1, 1, 1, 0],
      [1, 1, 1, 1],
    ]);
    const g = tf.tensor1d([0.2, 0.5, 0.3]);
    const m = channelMask(distOf([1, 3, 4], g), 4)!;
    const v = m.arraySync();
    [1, 0.8, 0.8, 0.3].forEach((e, i) => expect(v[i]).toBeCloseTo(e, 6));
    expect(channelMask(fixedDist(4), 4)).toBeNull();
    expect(channelMask(distOf([1, 3, 4], 1), 4)!.arraySync()).toEqual([1, 1, 1, 0]);
    expect((expectedValue(distOf([1, 3, 4], g)) as tf.Scalar).arraySync()).toBeCloseTo(0.2 + 1.5 + 1.2, 5);
    tf.dispose([g, m]);
  });

  it('pair distribution (hidden width) and residual gate', () => {
    const gin = tf.tensor1d([0.4, 0.6]);
    const ge = tf.tensor1d([0.25, 0.75]);
    const hid = pairDist(distOf([4, 8], gin), distOf([2, 3], ge), (c, e) => c * e);
    expect(hid.values).toEqual([8, 12, 16, 24]);
    const w = hid.weights!.arraySync();
    [0.1, 0.3, 0.15, 0.45].forEach((e, i) => expect(w[i]).toBeCloseTo(e, 6));
    // out widths [4, 6] with g_out = [0.5, 0.5]; in [4, 8] with [0.4, 0.6]: only 4 = 4 matches
    const gout = tf.tensor1d([0.5, 0.5]);
    const gate = residualGate(distOf([4, 8], gin), distOf([4, 6], gout), 6) as tf.Tensor1D;
    const gv = gate.arraySync();
    [0.2, 0.2, 0.2, 0.2, 0, 0].forEach((e, i) => expect(gv[i]).toBeCloseTo(e, 6));
    expect(
      (matchProbability(distOf([4, 8], gin), distOf([4, 6], gout)) as tf.Scalar).arraySync(),
    ).toBeCloseTo(0.2, 6);
    expect(residualGate(fixedDist(8), fixedDist(8), 8)).toBe('full');
    expect(residualGate(fixedDist(4), distOf([6, 8], 0), 8)).toBeNull();
    tf.dispose([gin, ge, gout, gate, hid.weights!]);
  });

  it('ChannelSearch starts uniform and owns one variable', async () => {
    const before = tf.memory().numTensors;
    const s = new ChannelSearch('width', 3, [8, 16, 24]);
    expect(s.max).toBe(24);
    expect(await s.probs()).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(s.dist(undefined).values).toEqual([24]);
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('sliceLeading cuts the leading corner of a row-major tensor', () => {
    const src = { shape: [2, 3, 4], data: Float32Array.from({ length: 24 }, (_, i) => i) };
    const out = sliceLeading(src, [2, 2, 3]);
    expect(Array.from(out.data)).toEqual([0, 1, 2, 4, 5, 6, 12, 13, 14, 16, 17, 18]);
    expect(() => sliceLeading(src, [3, 1, 1])).toThrow();
  });
});
