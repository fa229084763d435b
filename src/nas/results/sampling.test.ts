import { describe, expect, it } from 'vitest';
import type { Rng } from '../rng.ts';
import { pickBlocks, sampleRows, sampleSeed } from './sampling.ts';

/** A stream that returns the given uniforms in order. */
const fixed = (...u: number[]) => ({ next: () => u.shift()! }) as unknown as Rng;

describe('sampleRows', () => {
  it('takes the first index whose running sum reaches u (inverse CDF)', () => {
    const p = [0.2, 0.5, 0.3];
    // cumulative 0.2, 0.7, 1.0
    expect(sampleRows([p, p, p, p], fixed(0.1, 0.2, 0.69, 0.71))).toEqual([0, 0, 1, 2]);
  });

  it('falls back to the last index when rounding leaves u above the total', () => {
    expect(sampleRows([[0.3, 0.3, 0.3]], fixed(0.95))).toEqual([2]);
  });

  it('draws one uniform per row', () => {
    const calls: number[] = [];
    const rng = { next: () => (calls.push(1), 0.5) } as unknown as Rng;
    sampleRows([[1], [0.5, 0.5], [0.1, 0.9]], rng);
    expect(calls).toHaveLength(3);
  });
});

describe('sampleSeed', () => {
  it('is gumbel·7919 + step·31 + draw as an unsigned 32-bit integer', () => {
    expect(sampleSeed(1, 0, 1)).toBe(7920);
    expect(sampleSeed(3, 10, 2)).toBe(3 * 7919 + 310 + 2);
    // wraps instead of losing precision
    expect(sampleSeed(2 ** 20, 0, 0)).toBe((2 ** 20 * 7919) >>> 0);
  });
});

describe('pickBlocks', () => {
  const probs = [
    [0.1, 0.7, 0.2],
    [0.5, 0.4, 0.1],
  ];

  it('argmax picks the most likely candidate of every layer', () => {
    expect(pickBlocks('argmax', probs)).toEqual([1, 0]);
  });

  it('sample draws from the rows with the given stream', () => {
    expect(pickBlocks('sample', probs, { rng: fixed(0.75, 0.95) })).toEqual([1, 2]);
    expect(() => pickBlocks('sample', probs)).toThrow(/random stream/);
  });

  it('manual returns a copy of valid choices and rejects ones that do not fit', () => {
    const manual = [2, 1];
    const picked = pickBlocks('manual', probs, { manual });
    expect(picked).toEqual([2, 1]);
    expect(picked).not.toBe(manual);
    expect(() => pickBlocks('manual', probs, { manual: [0] })).toThrow(/each of the 2/);
    expect(() => pickBlocks('manual', probs, { manual: [3, 0] })).toThrow(/no candidate 3/);
    expect(() => pickBlocks('manual', probs, { manual: [0, 0.5] })).toThrow(/no candidate/);
  });
});
