import { describe, expect, it } from 'vitest';
import { pearson, ranks, spearman } from './rank.ts';

describe('rank correlation', () => {
  it('fractional ranks share ties', () => {
    expect(ranks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
    expect(ranks([1, 1, 1])).toEqual([2, 2, 2]);
  });

  it('Pearson by hand', () => {
    // x = 1 2 3, y = 2 4 7: means 2, 13/3; dx = -1 0 1; dy = -7/3 -1/3 8/3
    // sxy = 7/3 + 8/3 = 5; sxx = 2; syy = (49 + 1 + 64) / 9 = 38/3 -> r = 5 / sqrt(76/3)
    expect(pearson([1, 2, 3], [2, 4, 7])).toBeCloseTo(5 / Math.sqrt(76 / 3), 12);
    expect(pearson([1, 2, 3], [6, 4, 2])).toBeCloseTo(-1, 12);
  });

  it('Spearman without ties equals 1 - 6 Σd² / (n(n² - 1))', () => {
    // ranks x = 1 2 3 4 5, ranks y = 2 1 4 3 5: Σd² = 4 -> 1 - 24/120 = 0.8
    expect(spearman([1, 2, 3, 4, 5], [20, 10, 40, 30, 50])).toBeCloseTo(0.8, 12);
    // monotone but non-linear: ρ = 1, r < 1
    const x = [1, 2, 3, 4];
    const y = [1, 10, 100, 1000];
    expect(spearman(x, y)).toBeCloseTo(1, 12);
    expect(pearson(x, y)).toBeLessThan(0.9);
  });

  it('Spearman with ties uses average ranks', () => {
    // x ranks 1 2 3 4; y = 1 2 2 3 -> ranks 1 2.5 2.5 4 (mean 2.5)
    // dx = -1.5 -.5 .5 1.5; dy = -1.5 0 0 1.5: sxy = 4.5, sxx = 5, syy = 4.5 -> 4.5 / sqrt(22.5)
    expect(spearman([1, 2, 3, 4], [1, 2, 2, 3])).toBeCloseTo(4.5 / Math.sqrt(22.5), 12);
  });

  it('undefined and invalid inputs', () => {
    expect(spearman([1, 2, 3], [5, 5, 5])).toBeNaN();
    expect(() => pearson([1, 2], [1])).toThrow(/2 values against 1/);
    expect(() => spearman([1], [1])).toThrow(/at least 2/);
    expect(() => pearson([1, NaN], [1, 2])).toThrow(/finite/);
  });
});
