/**
 * Correlation between predicted and measured latencies: does the lookup table order architectures the
 * way the device does? Spearman's ρ (Pearson on ranks, ties sharing the average of their ranks) is the
 * number that matters for search; Pearson's r also checks that the scale is right.
 */

function checkPair(x: number[], y: number[], what: string): void {
  if (x.length !== y.length) throw new Error(`${what}: ${x.length} values against ${y.length}`);
  if (x.length < 2) throw new Error(`${what} needs at least 2 pairs, got ${x.length}`);
  for (const v of [...x, ...y])
    if (!Number.isFinite(v)) throw new Error(`${what}: ${v} is not a finite number`);
}

/** Pearson's r; NaN when either side is constant (correlation undefined). */
export function pearson(x: number[], y: number[]): number {
  checkPair(x, y, 'pearson');
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  return sxy / Math.sqrt(sxx * syy);
}

/** 1-based ranks; tied values get the mean of the ranks they span (fractional ranking). */
export function ranks(values: number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const out = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && order[end + 1].v === order[start].v) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) out[order[k].i] = rank;
    start = end + 1;
  }
  return out;
}

/** Spearman's ρ with ties (Pearson on fractional ranks); NaN when either side is constant. */
export function spearman(x: number[], y: number[]): number {
  checkPair(x, y, 'spearman');
  return pearson(ranks(x), ranks(y));
}
