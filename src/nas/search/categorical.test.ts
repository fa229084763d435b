import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { sampleIndex, sampleRows } from './categorical.ts';

describe('the categorical sampler', () => {
  it('takes the first index whose cumulative probability exceeds u (a boundary u belongs to the next index)', () => {
    const p = [0.25, 0.5, 0.25]; // dyadic: the cumulative sums 0.25, 0.75, 1 are exact
    expect(sampleIndex(p, 0)).toBe(0);
    expect(sampleIndex(p, 0.25)).toBe(1);
    expect(sampleIndex(p, 0.7499)).toBe(1);
    expect(sampleIndex(p, 0.75)).toBe(2);
    // rounding that leaves the sum below u falls back to the last index
    expect(sampleIndex([0.3, 0.3], 0.99)).toBe(1);
    expect(sampleIndex([1, 0, 0], 0.999)).toBe(0);
  });

  it('draws one u per row from the Rng, in row order (fixed seed)', () => {
    const rows = [
      [0.25, 0.5, 0.25],
      [0.5, 0.5],
      [0.125, 0.125, 0.75],
      [1, 0],
    ];
    const us = Array.from(
      { length: rows.length },
      (
        (r) => () =>
          r.next()
      )(new Rng(42)),
    );
    const expected = rows.map((p, l) => {
      let acc = 0;
      return p.findIndex((q) => us[l] < (acc += q));
    });
    expect(sampleRows(rows, new Rng(42))).toEqual(expected);
    expect(expected[3]).toBe(0);
    // the next draw continues the same stream
    const rng = new Rng(42);
    sampleRows(rows, rng);
    const after = new Rng(42);
    for (let i = 0; i < rows.length; i++) after.next();
    expect(rng.next()).toBe(after.next());
  });
});
