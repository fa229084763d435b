/**
 * Rank crossing between two training recipes (FBNetV3's motivation, Dai et al. CVPR 2021, fig. 1: the
 * architecture ranking under one recipe is not the ranking under another). Given architectures each
 * measured under recipe A and recipe B, the ranks under each (1 = lowest NME; ties share their mean rank),
 * Kendall τ-b between the two and the pairs whose order flips.
 */
import { kendallTau } from '../sample-search/pareto.ts';
import type { TrainedCandidate } from './joint-search.ts';

export interface RecipePair {
  /** Label of the architecture (e.g. its index among the chosen ones). */
  label: string;
  /** NME under recipe A (e.g. the default) and recipe B (e.g. the searched one). */
  a: number;
  b: number;
}

export interface RankCrossing {
  /** Rank of each architecture under A and B, in input order (1-based, mean rank for ties). */
  rankA: number[];
  rankB: number[];
  /** Kendall τ-b between the NMEs under A and under B; null when undefined (< 2 items or constant). */
  tau: number | null;
  /** Index pairs [i, j] (i < j) ordered one way under A and the other under B (ties are not crossings). */
  crossings: [number, number][];
}

/** Fractional ranks, lowest value first: tied values share the mean of the ranks they span. */
export function fractionalRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((x, y) => values[x] - values[y]);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]] === values[order[start]]) end++;
    const mean = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]] = mean;
    start = end + 1;
  }
  return ranks;
}

export function rankCrossing(pairs: readonly RecipePair[]): RankCrossing {
  for (const p of pairs) {
    if (!Number.isFinite(p.a) || !Number.isFinite(p.b)) throw new Error(`${p.label}: NMEs must be finite`);
  }
  const a = pairs.map((p) => p.a);
  const b = pairs.map((p) => p.b);
  const crossings: [number, number][] = [];
  for (let i = 0; i < pairs.length; i++) {
    for (let j = i + 1; j < pairs.length; j++) {
      if (Math.sign(a[i] - a[j]) * Math.sign(b[i] - b[j]) < 0) crossings.push([i, j]);
    }
  }
  const tau = pairs.length > 1 ? kendallTau(a, b) : NaN;
  return {
    rankA: fractionalRanks(a),
    rankB: fractionalRanks(b),
    tau: Number.isNaN(tau) ? null : tau,
    crossings,
  };
}

/**
 * The sensitivity stage's measurements as pairs: each chosen architecture's final NME under the default
 * (a) and the searched (b) recipe; architectures missing either (a run still in progress) are left out.
 */
export function sensitivityPairs(trained: readonly TrainedCandidate[]): RecipePair[] {
  const byArch = new Map<number, { a?: number; b?: number }>();
  for (const t of trained) {
    if (t.stage !== 'sensitivity' || !t.sensitivity) continue;
    const e = byArch.get(t.sensitivity.arch) ?? {};
    const nme = t.curve[t.curve.length - 1];
    if (t.sensitivity.recipe === 'default') e.a = nme;
    else e.b = nme;
    byArch.set(t.sensitivity.arch, e);
  }
  return [...byArch.entries()]
    .sort(([x], [y]) => x - y)
    .filter(([, e]) => e.a !== undefined && e.b !== undefined)
    .map(([arch, e]) => ({ label: `arch ${arch + 1}`, a: e.a!, b: e.b! }));
}
