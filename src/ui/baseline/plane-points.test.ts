import { describe, expect, it } from 'vitest';
import { planBaseline, type BaselineCheckState } from '../../nas/index.ts';
import { LANDMARK_SPACE, toyConfig } from '../../nas/testing.ts';
import { checkFraction, unitsDone } from '../state/baseline-check.svelte.ts';
import { formatNme, frontStaircase, planePoints, type PlanePoint } from './plane-points.ts';

function state(results: BaselineCheckState['results']): BaselineCheckState {
  const plan = planBaseline({
    config: toyConfig(LANDMARK_SPACE),
    space: LANDMARK_SPACE,
    searched: { blocks: [0, 0] },
    settings: { uniform: 2, costMatched: 0, steps: 3, initSeeds: 3 },
  });
  return { plan, results };
}

const pt = (id: string, macs: number, mean: number | null): PlanePoint => ({
  id,
  kind: 'uniform',
  label: '',
  macs,
  params: 0,
  nmes: [],
  mean,
  lo: mean,
  hi: mean,
});

describe('planePoints', () => {
  it('takes the mean and range over the finite seeds; a diverged seed is shown, not averaged', () => {
    const s = state({ searched: [4, 6, NaN], u1: [3] });
    const [searched, u1, u2] = planePoints(s);
    expect(searched).toMatchObject({ id: 'searched', kind: 'searched', mean: 5, lo: 4, hi: 6 });
    expect(searched.nmes).toEqual([4, 6, NaN]);
    expect(searched.macs).toBe(s.plan.searched.macs);
    expect(u1).toMatchObject({ nmes: [3, null, null], mean: 3, lo: 3, hi: 3 });
    expect(u2).toMatchObject({ nmes: [null, null, null], mean: null, lo: null, hi: null });
    expect(unitsDone(s)).toBe(4);
  });

  it('formats NMEs for the table', () => {
    expect([formatNme(4.256), formatNme(null), formatNme(NaN)]).toEqual(['4.26', '–', 'diverged']);
  });
});

describe('frontStaircase', () => {
  it('goes across to the next front point, then down, and on to the right edge', () => {
    const front = [pt('b', 20, 3), pt('a', 10, 5), pt('c', 40, 2)];
    expect(frontStaircase(front, 50)).toEqual([
      [10, 5],
      [20, 5],
      [20, 3],
      [40, 3],
      [40, 2],
      [50, 2],
    ]);
    expect(frontStaircase([pt('a', 10, null)], 50)).toEqual([]);
  });
});

describe('checkFraction', () => {
  it('counts finished units and the steps of the one in training', () => {
    expect(checkFraction({ done: 3, total: 8, step: 60, steps: 120 })).toBeCloseTo(3.5 / 8, 12);
    expect(checkFraction({ done: 8, total: 8, step: 0, steps: 120 })).toBe(1);
    expect(checkFraction({ done: 0, total: 0, step: 0, steps: 0 })).toBe(1);
  });
});
