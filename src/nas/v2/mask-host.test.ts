import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { channelMask } from './channel-mask.ts';
import { composeMask, effectiveCount, interspersedSubsample } from './mask-host.ts';
import { intersperse, subsample, subsampledSize } from './resolution.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('host channel mask', () => {
  it('equals channelMask for the same weights', () => {
    const values = [2, 4, 6, 8];
    const w = [0.1, 0.2, 0.3, 0.4];
    const want = tf.tidy(() => Array.from(channelMask({ values, weights: tf.tensor1d(w) }, 8)!.dataSync()));
    composeMask(values, w, 8).forEach((m, i) => expect(m).toBeCloseTo(want[i], 6));
    // hand-computed: the first two channels are in every option, the last two only in the widest
    const hand = [1, 1, 0.9, 0.9, 0.7, 0.7, 0.4, 0.4];
    composeMask(values, w, 8).forEach((m, i) => expect(m).toBeCloseTo(hand[i], 12));
    expect(effectiveCount(values, w)).toBeCloseTo(0.2 + 0.8 + 1.8 + 3.2, 12);
  });

  it('rejects an option wider than the tensor', () => {
    expect(() => composeMask([9], [1], 8)).toThrow(/outside/);
  });
});

describe('host resolution subsampling', () => {
  it('equals intersperse(subsample(x)) of the supernet', () => {
    const size = 7;
    const px = Array.from({ length: size * size }, (_, i) => i + 1);
    for (const f of [1, 2, 3]) {
      const want = tf.tidy(() => {
        const x = tf.tensor4d(px, [1, size, size, 1]);
        const small = subsample(x, f);
        expect(small.shape[1]).toBe(subsampledSize(size, f));
        return Array.from(intersperse(small, f, size).dataSync());
      });
      expect(interspersedSubsample(px, size, f)).toEqual(want);
    }
    // two interleaved channels: each is subsampled on its own
    const two = px.flatMap((v) => [v, -v]);
    const got = interspersedSubsample(two, size, 2, 2);
    expect(got.filter((_, i) => i % 2 === 0)).toEqual(interspersedSubsample(px, size, 2));
    expect(got.filter((_, i) => i % 2 === 1)).toEqual(interspersedSubsample(px, size, 2).map((v) => -v || 0));
  });
});
