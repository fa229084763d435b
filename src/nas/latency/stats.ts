/**
 * Robust statistics for timing samples. Browser timings have a heavy right tail (GC pauses, a tab losing
 * focus, the GPU clocking up), so the latency table reports medians and quartile spreads, not means.
 *
 * Quantiles interpolate linearly between order statistics at position q · (n − 1) (numpy's default,
 * "type 7"), so the median of an even count is the mean of the two middle values.
 */

export interface TimingSummary {
  median: number;
  /** 25th and 75th percentiles. */
  p25: number;
  p75: number;
  /** Median absolute deviation from the median (unscaled: no 1.4826 normal-consistency factor). */
  mad: number;
  /** Arithmetic mean (the outlier-sensitive number, shown for comparison). */
  mean: number;
  n: number;
}

function checkSamples(samples: number[], what: string): void {
  if (samples.length === 0) throw new Error(`${what} of no samples`);
  for (const v of samples)
    if (!Number.isFinite(v)) throw new Error(`${what}: sample ${v} is not a finite number`);
}

const sorted = (samples: number[]): number[] => [...samples].sort((a, b) => a - b);

/** q-quantile (0 ≤ q ≤ 1) of values already sorted ascending. */
function quantileSorted(s: number[], q: number): number {
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export function quantile(samples: number[], q: number): number {
  checkSamples(samples, 'quantile');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile: q = ${q} is outside [0, 1]`);
  return quantileSorted(sorted(samples), q);
}

export function median(samples: number[]): number {
  return quantile(samples, 0.5);
}

export function quartiles(samples: number[]): { p25: number; p50: number; p75: number; iqr: number } {
  checkSamples(samples, 'quartiles');
  const s = sorted(samples);
  const p25 = quantileSorted(s, 0.25);
  const p75 = quantileSorted(s, 0.75);
  return { p25, p50: quantileSorted(s, 0.5), p75, iqr: p75 - p25 };
}

export function iqr(samples: number[]): number {
  return quartiles(samples).iqr;
}

/** Median absolute deviation: median(|x − median(x)|). */
export function mad(samples: number[]): number {
  const m = median(samples);
  return median(samples.map((v) => Math.abs(v - m)));
}

export function mean(samples: number[]): number {
  checkSamples(samples, 'mean');
  return samples.reduce((a, b) => a + b, 0) / samples.length;
}

/**
 * Mean after dropping floor(n · fraction) samples at each end (fraction in [0, 0.5)); 0 gives the mean,
 * values near 0.5 approach the median.
 */
export function trimmedMean(samples: number[], fraction = 0.1): number {
  checkSamples(samples, 'trimmedMean');
  if (!(fraction >= 0 && fraction < 0.5))
    throw new Error(`trimmedMean: fraction ${fraction} is outside [0, 0.5)`);
  const cut = Math.floor(samples.length * fraction);
  return mean(sorted(samples).slice(cut, samples.length - cut));
}

export function summarize(samples: number[]): TimingSummary {
  checkSamples(samples, 'summarize');
  const { p25, p50, p75 } = quartiles(samples);
  return { median: p50, p25, p75, mad: mad(samples), mean: mean(samples), n: samples.length };
}
