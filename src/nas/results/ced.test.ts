import { describe, expect, it } from 'vitest';
import type { LandmarkEvaluation } from '../finetune/evaluate.ts';
import { cedRange, withCedRange } from './ced.ts';

/** n values i/n · top for i = 1..n. */
const ramp = (n: number, top: number) => Array.from({ length: n }, (_, i) => ((i + 1) / n) * top);

describe('cedRange', () => {
  it('keeps the reference 10 % while nine faces in ten are within it', () => {
    expect(cedRange(ramp(10, 0.09), 10)).toBe(0.1);
    expect(cedRange([], 0)).toBe(0.1);
  });

  it('extends to the 90th percentile rounded up to the next 5 %', () => {
    // 11 faces: sorted index floor(0.9 · 10) = 9 holds 0.23 → 0.25
    const nme = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.23, 0.4];
    expect(cedRange(nme, 11)).toBe(0.25);
    // exactly on a 5 % step stays there
    expect(
      cedRange(
        [0.1, 0.2, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3].map((v) => v * 0.5),
        11,
      ),
    ).toBe(0.15);
  });

  it('never goes beyond 50 %', () => {
    expect(cedRange(ramp(10, 2), 10)).toBe(0.5);
  });

  it('leaves unscored faces (NaN) out of the percentile', () => {
    // sorted without NaN: [0.05, 0.3]; count 3 → index floor(0.9 · 2) = 1 → 0.3
    expect(cedRange([NaN, 0.3, 0.05], 3)).toBe(0.3);
  });
});

describe('withCedRange', () => {
  const evaluation = (perImage: number[]): LandmarkEvaluation => ({
    nme: 0,
    perImage,
    failureRate: 0,
    ced: { x: [0, 0.1], y: [0, 1] },
    auc: 0,
    normaliser: 'inter-ocular',
    loss: 0,
    count: perImage.length,
    predictions: new Float32Array(0),
    targets: new Float32Array(0),
  });

  it('returns the evaluation unchanged in the reference range', () => {
    const r = evaluation(ramp(10, 0.05));
    expect(withCedRange(r)).toBe(r);
  });

  it('redraws the curve over the wider range on 101 points', () => {
    const r = evaluation([0.1, 0.2, 0.3, 0.4]);
    // floor(0.9 · 3) = 2 → 0.3
    const w = withCedRange(r);
    expect(w.ced.x).toHaveLength(101);
    expect(w.ced.x[100]).toBeCloseTo(0.3, 6);
    // at x = 0.15: one face of four; at 0.3: three of four
    expect(w.ced.y[50]).toBeCloseTo(0.25, 6);
    expect(w.ced.y[100]).toBeCloseTo(0.75, 6);
    expect(w.nme).toBe(r.nme);
  });
});
