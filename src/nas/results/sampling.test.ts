import { describe, expect, it } from 'vitest';
import { checkManual, sampleSeed } from './sampling.ts';

describe('sampleSeed', () => {
  it('is gumbel·7919 + step·31 + draw as an unsigned 32-bit integer', () => {
    expect(sampleSeed(1, 0, 1)).toBe(7920);
    expect(sampleSeed(3, 10, 2)).toBe(3 * 7919 + 310 + 2);
    // wraps instead of losing precision
    expect(sampleSeed(2 ** 20, 0, 0)).toBe((2 ** 20 * 7919) >>> 0);
  });
});

describe('checkManual', () => {
  const probs = [
    [0.1, 0.7, 0.2],
    [0.5, 0.4, 0.1],
  ];

  it('accepts one existing candidate per layer and rejects choices that do not fit', () => {
    expect(() => checkManual(probs, [2, 1])).not.toThrow();
    expect(() => checkManual(probs, undefined)).toThrow(/each of the 2/);
    expect(() => checkManual(probs, [0])).toThrow(/each of the 2/);
    expect(() => checkManual(probs, [3, 0])).toThrow(/no candidate 3/);
    expect(() => checkManual(probs, [0, 0.5])).toThrow(/no candidate/);
  });
});
