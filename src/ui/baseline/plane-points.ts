/**
 * What the "Better than random?" plane draws, from a check's plan and results: one point per network at
 * its mean NME over the init seeds with the range over seeds (the error bar), and the random Pareto front
 * as a staircase. Plain numbers, so it is tested without a DOM.
 */
import type { BaselineCheckState, BaselineKind } from '../../nas/index.ts';

export interface PlanePoint {
  id: string;
  kind: BaselineKind;
  label: string;
  macs: number;
  params: number;
  /** NME (%) per init seed: null while not trained, NaN when the training diverged. */
  nmes: (number | null)[];
  /** Mean and range of the finite NMEs; null without one. */
  mean: number | null;
  lo: number | null;
  hi: number | null;
}

export function planePoints(s: BaselineCheckState): PlanePoint[] {
  const seeds = s.plan.recipe.initSeeds.length;
  return s.plan.candidates.map((c) => {
    const row = s.results[c.id] ?? [];
    const nmes = Array.from({ length: seeds }, (_, i) => (typeof row[i] === 'number' ? row[i] : null));
    const finite = nmes.filter((x): x is number => x !== null && Number.isFinite(x));
    const mean = finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : null;
    return {
      id: c.id,
      kind: c.kind,
      label: c.label,
      macs: c.macs,
      params: c.params,
      nmes,
      mean,
      lo: finite.length ? Math.min(...finite) : null,
      hi: finite.length ? Math.max(...finite) : null,
    };
  });
}

/**
 * The corners of the front's staircase, [MACs, NME]: from each front point (by increasing MACs) across to
 * the next one's MACs, then down to it, and on to `rightEdge`. Below and left of it no random network
 * reached; a point under the staircase is not dominated by any random network.
 */
export function frontStaircase(front: readonly PlanePoint[], rightEdge: number): [number, number][] {
  const pts = front
    .filter((p) => p.mean !== null)
    .map((p) => [p.macs, p.mean!] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  pts.forEach(([x, y], i) => {
    if (i > 0) out.push([x, pts[i - 1][1]]);
    out.push([x, y]);
  });
  if (pts.length && rightEdge > pts[pts.length - 1][0]) out.push([rightEdge, pts[pts.length - 1][1]]);
  return out;
}

/** NMEs in the table: two decimals, "–" not trained yet, "diverged" for NaN. */
export function formatNme(x: number | null): string {
  if (x === null) return '–';
  return Number.isFinite(x) ? x.toFixed(2) : 'diverged';
}
