import { describe, expect, it } from 'vitest';
import { directionNumbers, Sobol, SOBOL_MAX_DIM, sobolPool } from './sobol.ts';

describe('Sobol points (Joe–Kuo new-joe-kuo-6.21201)', () => {
  it('first 8 points of dimensions 1–2 equal the published ones', () => {
    // SciPy's own reference for qmc.Sobol(d=2, scramble=False), which uses the same direction numbers:
    // scipy/stats/tests/test_qmc.py, TestSobol.unscramble_nd
    const published = [
      [0, 0],
      [0.5, 0.5],
      [0.75, 0.25],
      [0.25, 0.75],
      [0.375, 0.375],
      [0.875, 0.875],
      [0.625, 0.125],
      [0.125, 0.625],
    ];
    const s = new Sobol(2);
    expect(Array.from({ length: 8 }, () => s.next())).toEqual(published);
  });

  it('dimension 3 (s = 2, a = 1, m = 1, 3) matches the values worked out by hand', () => {
    // v1 = 1/2, v2 = 3/4, m3 = 2·3 ⊕ 4·1 ⊕ 1 = 3 → v3 = 3/8; Gray-code order x_i = x_{i−1} ⊕ v_c
    const s = new Sobol(3);
    const dim3 = Array.from({ length: 8 }, () => s.next()[2]);
    expect(dim3).toEqual([0, 0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375]);
    expect(directionNumbers(2)[2]).toBe(3 * 2 ** 29);
  });

  it('every dimension is a (0, m, 1)-net: the first 2^m points fill each of the 2^m cells once', () => {
    const m = 6;
    const s = new Sobol(SOBOL_MAX_DIM);
    const pts = Array.from({ length: 2 ** m }, () => s.next());
    for (let d = 0; d < SOBOL_MAX_DIM; d++) {
      const cells = new Set(pts.map((p) => Math.floor(p[d] * 2 ** m)));
      expect(cells.size).toBe(2 ** m);
    }
  });

  it('skip resumes the stream where it stopped', () => {
    const a = new Sobol(5);
    for (let i = 0; i < 13; i++) a.next();
    const b = new Sobol(5, 13);
    expect(b.index).toBe(13);
    expect(b.next()).toEqual(a.next());
  });

  it('pool keeps only accepted points, in stream order, and refuses an impossible constraint', () => {
    const pool = sobolPool(
      2,
      4,
      (u) => u,
      (u) => u[0] < 0.5,
    );
    expect(pool).toEqual([
      [0, 0],
      [0.25, 0.75],
      [0.375, 0.375],
      [0.125, 0.625],
    ]);
    expect(() =>
      sobolPool(
        2,
        1,
        (u) => u,
        () => false,
        { maxDraws: 100 },
      ),
    ).toThrow(/loosen the budget/);
    expect(() => new Sobol(SOBOL_MAX_DIM + 1)).toThrow(/dimensions/);
  });
});
