import { describe, expect, it } from 'vitest';
import { classroomJointSpace } from './joint-space.ts';
import { centeredL2Discrepancy, coverageComparison, emptyCellFraction } from './coverage.ts';

describe('Sobol vs pseudo-random coverage', () => {
  it('centred L2 discrepancy matches hand-computed values', () => {
    // one point at the centre, 1-D: 13/12 − 2·1 + 1 = 1/12
    expect(centeredL2Discrepancy([[0.5]])).toBeCloseTo(1 / 12, 12);
    // one point at a corner, 1-D: single term 1 + 1/4 − 1/8 = 9/8; pair 1 + 1/4 + 1/4 − 0 = 3/2
    expect(centeredL2Discrepancy([[0]])).toBeCloseTo(13 / 12 - 2 * (9 / 8) + 3 / 2, 12);
    // 2-D centre point: (13/12)² − 2 + 1
    expect(centeredL2Discrepancy([[0.5, 0.5]])).toBeCloseTo((13 / 12) ** 2 - 1, 12);
    // two points 0.25 and 0.75: singles each 1 + 1/8 − 1/32; pairs (i=j) 1.25, (i≠j) 1.25 − 0.25 = 1
    const single = 1 + 1 / 8 - 1 / 32;
    expect(centeredL2Discrepancy([[0.25], [0.75]])).toBeCloseTo(
      13 / 12 - single * 2 + (2 * 1.25 + 2 * 1) / 4,
      12,
    );
    expect(() => centeredL2Discrepancy([[1.5]])).toThrow(/unit cube/);
    expect(() => centeredL2Discrepancy([])).toThrow(/at least one/);
  });

  it('empty cells of a grid projection', () => {
    expect(
      emptyCellFraction(
        [
          [0.1, 0.1],
          [0.6, 0.1],
          [0.6, 0.9],
        ],
        [0, 1],
        2,
      ),
    ).toBe(0.25);
    expect(emptyCellFraction([[1, 1]], [0, 1], 2)).toBe(0.75);
    expect(() => emptyCellFraction([[0, 0]], [0, 1], 0)).toThrow(/≥ 1 cell/);
  });

  it('Sobol is more even than the seeded Rng at n = 64, in 2-D and in the joint space’s dimension', () => {
    const d = classroomJointSpace().knobs.length;
    for (const dims of [2, d]) {
      for (const seed of [1, 2, 3]) {
        const c = coverageComparison(dims, 64, { seed, skip: 1 });
        expect(c.sobol).toHaveLength(64);
        expect(c.random[0]).toHaveLength(dims);
        expect(c.sobolDiscrepancy).toBeLessThan(c.randomDiscrepancy);
        if (seed === 1) {
          console.log(
            `${dims}-d, 64 points: CD² Sobol ${c.sobolDiscrepancy.toExponential(3)}, random ${c.randomDiscrepancy.toExponential(3)}`,
          );
        }
      }
    }
    // 64 points on an 8×8 grid: Sobol (a (0, m, 2)-net in its first two dimensions) fills every cell
    const c = coverageComparison(2, 64, { seed: 1 });
    expect(emptyCellFraction(c.sobol, [0, 1], 8)).toBe(0);
    expect(emptyCellFraction(c.random, [0, 1], 8)).toBeGreaterThan(0.2);
  });
});
