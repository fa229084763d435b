/** Pareto fronts on the cost–NME plane (both lower is better) and Kendall's τ for the weight-sharing caveat. */

export interface CostNme {
  cost: number;
  nme: number;
}

/** Indices of the points no other point dominates (≤ in both, < in one), by increasing cost. */
export function paretoFront(points: readonly CostNme[]): number[] {
  const order = points
    .map((_, i) => i)
    .sort((a, b) => points[a].cost - points[b].cost || points[a].nme - points[b].nme);
  const front: number[] = [];
  let bestNme = Infinity;
  for (const i of order) {
    if (points[i].nme < bestNme) {
      front.push(i);
      bestNme = points[i].nme;
    }
  }
  return front;
}

/**
 * Kendall's τ-b between two paired lists (ties handled as in τ-b): +1 when they order the items the
 * same way, −1 when reversed. NaN when either list is constant or there are fewer than 2 pairs.
 */
export function kendallTau(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`Kendall τ needs paired lists, got ${a.length} and ${b.length}`);
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const da = Math.sign(a[i] - a[j]);
      const db = Math.sign(b[i] - b[j]);
      if (da === 0 && db === 0) continue;
      if (da === 0) tiesA += 1;
      else if (db === 0) tiesB += 1;
      else if (da === db) concordant += 1;
      else discordant += 1;
    }
  }
  const n0 = concordant + discordant;
  const denom = Math.sqrt((n0 + tiesA) * (n0 + tiesB));
  return denom === 0 ? NaN : (concordant - discordant) / denom;
}
