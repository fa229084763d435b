/**
 * How evenly the pool covers the unit cube: Sobol' points against seeded pseudo-random ones. The measure
 * is Hickernell's centred L2 discrepancy (F. J. Hickernell, "A generalized discrepancy and quadrature error
 * bound", Math. Comp. 67, 299–322, 1998), squared form — 0 would be a perfectly even spread; lower is more
 * even — plus the fraction of empty cells of a 2-D grid projection, a picture-sized version of the same.
 */
import { Rng } from '../rng.ts';
import { Sobol } from './sobol.ts';

/**
 * Squared centred L2 discrepancy of points in [0, 1]^d:
 *   CD² = (13/12)^d − (2/n) Σ_i Π_k (1 + ½|x_ik − ½| − ½|x_ik − ½|²)
 *         + (1/n²) Σ_i Σ_j Π_k (1 + ½|x_ik − ½| + ½|x_jk − ½| − ½|x_ik − x_jk|)
 */
export function centeredL2Discrepancy(points: readonly (readonly number[])[]): number {
  const n = points.length;
  if (n === 0) throw new Error('The discrepancy needs at least one point');
  const d = points[0].length;
  for (const p of points) {
    if (p.length !== d) throw new Error(`Every point needs ${d} coordinates`);
    if (p.some((v) => !(v >= 0 && v <= 1))) throw new Error('Points must lie in the unit cube');
  }
  let single = 0;
  for (const p of points) {
    let prod = 1;
    for (const x of p) {
      const c = Math.abs(x - 0.5);
      prod *= 1 + 0.5 * c - 0.5 * c * c;
    }
    single += prod;
  }
  let pair = 0;
  for (const p of points) {
    for (const q of points) {
      let prod = 1;
      for (let k = 0; k < d; k++) {
        prod *= 1 + 0.5 * Math.abs(p[k] - 0.5) + 0.5 * Math.abs(q[k] - 0.5) - 0.5 * Math.abs(p[k] - q[k]);
      }
      pair += prod;
    }
  }
  return (13 / 12) ** d - (2 / n) * single + pair / (n * n);
}

/** Fraction of the `cells`×`cells` grid on dimensions (i, j) that no point falls in. */
export function emptyCellFraction(
  points: readonly (readonly number[])[],
  dims: readonly [number, number],
  cells: number,
): number {
  if (!Number.isInteger(cells) || cells < 1)
    throw new Error(`The grid needs ≥ 1 cell per side, got ${cells}`);
  const hit = new Set<number>();
  const cell = (v: number) => Math.min(cells - 1, Math.floor(v * cells));
  for (const p of points) hit.add(cell(p[dims[0]]) * cells + cell(p[dims[1]]));
  return 1 - hit.size / (cells * cells);
}

export interface CoverageComparison {
  dims: number;
  sobol: number[][];
  random: number[][];
  /** Squared centred L2 discrepancy of each set (lower: more even). */
  sobolDiscrepancy: number;
  randomDiscrepancy: number;
}

/**
 * `n` points of the pool's Sobol' stream (after `skip`, as the pool draws them, before the constraint
 * filter) against `n` uniform points of the seeded Rng, in `dims` dimensions.
 */
export function coverageComparison(
  dims: number,
  n: number,
  options: { seed: number; skip?: number },
): CoverageComparison {
  if (!Number.isInteger(n) || n < 1) throw new Error(`Coverage needs ≥ 1 point, got ${n}`);
  const s = new Sobol(dims, options.skip ?? 0);
  const sobol = Array.from({ length: n }, () => s.next());
  const rng = new Rng(options.seed);
  const random = Array.from({ length: n }, () => Array.from({ length: dims }, () => rng.next()));
  return {
    dims,
    sobol,
    random,
    sobolDiscrepancy: centeredL2Discrepancy(sobol),
    randomDiscrepancy: centeredL2Discrepancy(random),
  };
}
