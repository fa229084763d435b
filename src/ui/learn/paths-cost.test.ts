import { describe, expect, it } from 'vitest';
import { candidateCostTable, fixedCost, SPACES } from '../../nas/index.ts';
import { pathsCost, type CostRow } from './paths-cost.ts';

const row = (macs: number[]): CostRow => ({
  layer: 0,
  candidates: macs.map((_, i) => `c${i}`),
  macs,
  params: macs.map(() => 0),
  inShape: { h: 1, w: 1, c: 1 },
  outShape: { h: 1, w: 1, c: 1 },
});

describe('per-step cost of all paths vs a single path', () => {
  it('matches hand-computed sums on a two-layer table', () => {
    const table = [row([10, 20, 0]), row([30, 50])];
    const c = pathsCost(table, { macs: 5, params: 0 });
    expect(c.layers).toBe(2);
    expect(c.allBlocks).toBe(5);
    expect(c.allMacs).toBe(5 + 30 + 80);
    expect(c.singleMacs.expected).toBeCloseTo(5 + 10 + 40, 10);
    expect(c.singleMacs.min).toBe(5 + 0 + 30);
    expect(c.singleMacs.max).toBe(5 + 20 + 50);
    // a settled draw: the expectation follows softmax(θ)
    const settled = pathsCost(table, { macs: 5, params: 0 }, [
      [0, 1, 0],
      [1, 0],
    ]);
    expect(settled.singleMacs.expected).toBe(5 + 20 + 30);
  });

  it('the classroom space: all paths cost several single paths', () => {
    const space = SPACES.classroom;
    const table = candidateCostTable(space, {}, 64);
    const fixed = fixedCost(space, 64);
    const c = pathsCost(table, fixed);
    const sumAll = table.reduce((s, r) => s + r.macs.reduce((a, b) => a + b, 0), fixed.macs);
    expect(c.allMacs).toBe(sumAll);
    expect(c.allBlocks).toBe(table.reduce((s, r) => s + r.candidates.length, 0));
    expect(c.allMacs).toBeGreaterThan(2 * c.singleMacs.expected);
    expect(c.singleMacs.min).toBeLessThanOrEqual(c.singleMacs.expected);
    expect(c.singleMacs.expected).toBeLessThanOrEqual(c.singleMacs.max);
  });
});
