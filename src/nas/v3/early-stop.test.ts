import { describe, expect, it } from 'vitest';
import { kendallTau } from '../sample-search/pareto.ts';
import { chooseEarlyStop } from './early-stop.ts';

describe('Kendall τ-b with ties (sample-search/pareto.ts, reused here)', () => {
  it('matches hand-computed values', () => {
    // ties in both lists, none shared: C = 4, D = 0, one pair tied in each → 4 / sqrt(5 · 5)
    expect(kendallTau([1, 1, 2, 3], [1, 2, 2, 3])).toBeCloseTo(0.8, 12);
    // a pair tied in both lists counts in neither denominator term: 2 / sqrt(2 · 2)
    expect(kendallTau([1, 1, 2], [5, 5, 6])).toBe(1);
    // SciPy's kendalltau docstring example: C = 2, D = 6, n1 = 2, n2 = 1 → −4 / sqrt(8 · 9)
    expect(kendallTau([12, 2, 1, 12, 2], [1, 4, 7, 1, 0])).toBeCloseTo(-0.47140452079103173, 12);
  });
});

/** Synthetic curves: NME(t) = final + gap · decay(t); gaps chosen so the ranking settles at a known step. */
function curvesWithCrossing(): { curves: number[][]; steps: number[] } {
  const steps = [10, 20, 30, 40, 50, 60];
  const finals = [1, 2, 3, 4, 5, 6, 7, 8];
  // candidates with a better final NME start worse (larger gap), so early rankings are reversed and the
  // order settles as the gaps decay: gap_c · 0.5^k
  const curves = finals.map((f, c) => steps.map((_, k) => f + (8 - c) * 3 * 0.5 ** k));
  return { curves, steps };
}

describe('early-stop choice', () => {
  it('picks the first logged step whose τ with the final ranking reaches the threshold', () => {
    const { curves, steps } = curvesWithCrossing();
    const got = chooseEarlyStop(curves, steps, 0.92);
    // hand check: at k the NME is f_c + (8 − c)·3·0.5^k with f_c = c + 1; consecutive candidates differ by
    // 1 − 3·0.5^k: −2, −0.5 (reversed order) at k = 0, 1, then 0.25 > 0 from k = 2: τ = −1, −1, 1, 1, 1, 1
    expect(got.taus.map((t) => Math.round(t! * 1e9) / 1e9)).toEqual([-1, -1, 1, 1, 1, 1]);
    expect(got.index).toBe(2);
    expect(got.step).toBe(30);
  });

  it('a stricter threshold waits longer, and the last step is the fallback', () => {
    // two late swaps out of 28 pairs at step 2: τ = (26 − 2) / 28 ≈ 0.857
    const steps = [1, 2, 3, 4];
    const finals = [1, 2, 3, 4, 5, 6, 7, 8];
    const curves = finals.map((f, c) => [
      9 - f,
      c === 0 || c === 2 ? f + 1.5 : f,
      f + (c === 5 ? 1.2 : 0),
      f,
    ]);
    const loose = chooseEarlyStop(curves, steps, 0.8);
    expect(loose.taus[1]).toBeCloseTo(24 / 28, 12);
    expect(loose.index).toBe(1);
    const strict = chooseEarlyStop(curves, steps, 0.92);
    expect(strict.taus[2]).toBeCloseTo(26 / 28, 12);
    expect(strict.index).toBe(2);
    expect(chooseEarlyStop(curves, steps, 1).index).toBe(3);
    // equal NMEs at a step give no ranking: τ is null there (JSON-safe), never chosen
    const flat = curves.map((c) => [5, ...c.slice(1)]);
    expect(chooseEarlyStop(flat, steps, -0.5).taus[0]).toBeNull();
    expect(chooseEarlyStop(flat, steps, -0.5).index).toBe(1);
  });

  it('rejects mismatched curves, a lone candidate and a bad threshold with a message', () => {
    expect(() => chooseEarlyStop([[1, 2]], [1, 2])).toThrow(/at least 2/);
    expect(() => chooseEarlyStop([[1, 2], [1]], [1, 2])).toThrow(/Curve 1/);
    expect(() => chooseEarlyStop([[1], [2]], [1], 2)).toThrow(/threshold/);
  });
});
