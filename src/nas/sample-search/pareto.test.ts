import { describe, expect, it } from 'vitest';
import { kendallTau, paretoFront } from './pareto.ts';

describe('Pareto front and Kendall τ', () => {
  it('keeps the non-dominated points by increasing cost', () => {
    const pts = [
      { cost: 5, nme: 0.1 },
      { cost: 1, nme: 0.3 },
      { cost: 3, nme: 0.2 },
      { cost: 4, nme: 0.25 }, // dominated by (3, 0.2)
      { cost: 6, nme: 0.1 }, // dominated by (5, 0.1)
    ];
    expect(paretoFront(pts)).toEqual([1, 2, 0]);
  });

  it('matches hand values', () => {
    expect(kendallTau([1, 2, 3], [10, 20, 30])).toBe(1);
    expect(kendallTau([1, 2, 3], [3, 2, 1])).toBe(-1);
    // one swapped pair of six: (5 − 1) / 6
    expect(kendallTau([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(4 / 6, 12);
    // τ-b with a tie in b: C = 2, D = 0, pairs untied in a = 3, in b = 2 → 2 / sqrt(3 · 2)
    expect(kendallTau([1, 2, 3], [1, 2, 2])).toBeCloseTo(2 / Math.sqrt(6), 12);
    expect(kendallTau([1, 1], [2, 3])).toBeNaN();
    expect(() => kendallTau([1], [1, 2])).toThrow(/paired/);
  });
});
