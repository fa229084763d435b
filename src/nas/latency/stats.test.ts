import { describe, expect, it } from 'vitest';
import { iqr, mad, mean, median, quantile, quartiles, summarize, trimmedMean } from './stats.ts';

describe('timing statistics', () => {
  it('odd count: median is the middle value, quartiles interpolate', () => {
    // sorted 1 2 3; p25 at position 0.5, p75 at 1.5
    expect(summarize([3, 1, 2])).toEqual({ median: 2, p25: 1.5, p75: 2.5, mad: 1, mean: 2, n: 3 });
  });

  it('even count: median averages the two middle values', () => {
    // sorted 1 2 3 4: median at 1.5 -> 2.5, p25 at 0.75 -> 1.75, p75 at 2.25 -> 3.25
    // |x - 2.5| = 1.5 .5 .5 1.5 -> median 1
    expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, p25: 1.75, p75: 3.25, mad: 1, mean: 2.5, n: 4 });
    expect(iqr([4, 1, 3, 2])).toBe(1.5);
  });

  it('an outlier moves the mean but not the median, MAD or trimmed mean', () => {
    const s = [1, 2, 3, 4, 100];
    expect(mean(s)).toBe(22);
    expect(median(s)).toBe(3);
    // |x - 3| = 2 1 0 1 97 -> sorted 0 1 1 2 97
    expect(mad(s)).toBe(1);
    expect(quartiles(s)).toEqual({ p25: 2, p50: 3, p75: 4, iqr: 2 });
    // 20 % of 5 = 1 sample cut at each end -> mean(2, 3, 4)
    expect(trimmedMean(s, 0.2)).toBe(3);
    expect(trimmedMean([1, 2, 3, 4, 5, 6, 7, 8, 9, 100], 0.1)).toBe(5.5);
    expect(trimmedMean(s, 0)).toBe(22);
  });

  it('single sample and extreme quantiles', () => {
    expect(summarize([7])).toEqual({ median: 7, p25: 7, p75: 7, mad: 0, mean: 7, n: 1 });
    expect(quantile([5, 1, 9], 0)).toBe(1);
    expect(quantile([5, 1, 9], 1)).toBe(9);
    expect(quantile([0, 10], 0.3)).toBeCloseTo(3, 12);
  });

  it("does not reorder the caller's array", () => {
    const s = [3, 1, 2];
    summarize(s);
    expect(s).toEqual([3, 1, 2]);
  });

  it('rejects empty input, non-finite samples and bad parameters', () => {
    expect(() => summarize([])).toThrow(/no samples/);
    expect(() => median([1, NaN])).toThrow(/not a finite number/);
    expect(() => quantile([1], 1.5)).toThrow(/outside/);
    expect(() => trimmedMean([1, 2], 0.5)).toThrow(/outside/);
  });
});
