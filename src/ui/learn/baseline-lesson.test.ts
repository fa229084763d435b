import { describe, expect, it } from 'vitest';
import { baselineVerdict } from '../../nas/index.ts';
import { planePoints } from '../baseline/plane-points.ts';
import { lastFinishedRun, spreadReading, toyCheck } from './baseline-lesson.ts';

const read = (nme: number, spread: number) => {
  const c = toyCheck(nme, spread);
  const v = baselineVerdict(c.plan, c.results);
  return { c, v, reading: spreadReading(v, planePoints(c), c.plan.recipe.initSeeds.length) };
};

describe('the made-up check', () => {
  it('has the hand-set random front, a ±25 % band, three seeds and a pooled spread equal to the slider', () => {
    const { c, v } = read(6.5, 0.25);
    // u3 (2.6, 7.3) lies behind c2 (2.0, 7.2), u6 (3.8, 7.0) behind u4 (3.3, 6.0), c1 (1.85, 7.6) behind u2 (1.4, 7.6)
    expect([...v.front].sort()).toEqual(['c2', 'c3', 'u1', 'u2', 'u4', 'u5']);
    expect(c.plan.band).toEqual({ low: 1.8e6, high: 3.0e6 });
    for (const x of c.plan.candidates.filter((x) => x.kind === 'cost-matched')) {
      expect(x.macs).toBeGreaterThanOrEqual(c.plan.band.low);
      expect(x.macs).toBeLessThanOrEqual(c.plan.band.high);
    }
    expect(v.spread).toBeCloseTo(0.25, 10);
    expect(v.searchedNme).toBeCloseTo(6.5, 10);
    expect(v.costMatchedMedian).toBeCloseTo(7.2, 10);
    expect(v.complete).toBe(true);
  });

  it('moves through the three verdicts as the searched NME rises', () => {
    // the front's line at 2.4 M, between c2 (2.0 M, 7.2 %) and c3 (2.9 M, 6.2 %) on log MACs:
    // 7.2 − ln(1.2)/ln(1.45) = 6.709 %; at or above c2's 7.2 % c2 dominates (cheaper)
    expect(read(6.5, 0.25).v.kind).toBe('beyond');
    expect(read(6.7, 0.25).v.kind).toBe('beyond');
    expect(read(6.75, 0.25).v.kind).toBe('on-front');
    expect(read(7.15, 0.25).v.kind).toBe('on-front');
    expect(read(7.2, 0.25).v.kind).toBe('dominated');
    expect(read(7.5, 0.25).v.kind).toBe('dominated');
  });
});

describe('spreadReading', () => {
  it('a win beyond the spread, against the best random network at no more MACs', () => {
    expect(read(6.5, 0.25).reading).toBe(
      'The searched network beats the best random network at no more MACs (c2, 7.20 %) by 0.70 points, ' +
        'more than the init-seed spread of ±0.25 points.',
    );
  });

  it('a gap within the spread reads as a tie, whichever side wins', () => {
    expect(read(7.0, 0.25).reading).toMatch(
      /^The searched network and .*\(c2, 7\.20 %\) are 0\.20 points apart, within/,
    );
    // dominated by c2, but only by 0.10 points with a spread of ±0.25
    const r = read(7.3, 0.25);
    expect(r.v.kind).toBe('dominated');
    expect(r.reading).toMatch(/are 0\.10 points apart, within the init-seed spread of ±0\.25 points.*tie\.$/);
    // the same 0.70-point win is a tie once the seeds spread by a whole point
    expect(read(6.5, 1).reading).toMatch(/0\.70 points apart, within the init-seed spread of ±1\.00 point:/);
  });

  it('a loss beyond the spread names how many random networks won', () => {
    const r = read(7.5, 0.25);
    expect(r.v.beatenBy).toEqual(['c2']);
    expect(r.reading).toBe(
      '1 random network at no more MACs is better by more than the init-seed spread of ±0.25 points: ' +
        'the best random network at no more MACs (c2, 7.20 %) leads by 0.30 points, a loss another init seed is unlikely to undo.',
    );
    // at 8 %: u2 and c1 (7.6 %) join c2 below 8 − 0.25
    expect(read(8, 0.25).reading).toMatch(/^3 random networks at no more MACs are better by more than/);
  });

  it('one init seed, no cheaper random network, or no verdict yet', () => {
    const one = toyCheck(6.5, 0);
    one.plan.recipe.initSeeds = [0];
    one.results = Object.fromEntries(Object.entries(one.results).map(([id, xs]) => [id, xs.slice(0, 1)]));
    const v1 = baselineVerdict(one.plan, one.results);
    expect(spreadReading(v1, planePoints(one), 1)).toMatch(/^Each network was trained with one init seed/);

    const cheap = toyCheck(6.5, 0.25);
    cheap.plan.searched.macs = cheap.plan.candidates[0].macs = 0.5e6; // cheaper than every random network
    const v2 = baselineVerdict(cheap.plan, cheap.results);
    expect(spreadReading(v2, planePoints(cheap), 3)).toMatch(
      /^No random network is as cheap as the searched one/,
    );

    const none = toyCheck(6.5, 0.25);
    none.results = { searched: none.results.searched };
    const v3 = baselineVerdict(none.plan, none.results);
    expect(v3.ready).toBe(false);
    expect(spreadReading(v3, planePoints(none), 3)).toBeNull();
  });
});

describe('lastFinishedRun', () => {
  const lib = [
    { id: 'a', name: 'older', status: 'finished', createdAt: 1 },
    { id: 'b', name: 'newest finished', status: 'finished', createdAt: 3 },
    { id: 'c', name: 'stopped', status: 'paused', createdAt: 5 },
  ];

  it("this tab's finished search first, named as the library stores it", () => {
    expect(lastFinishedRun({ runId: 'c', status: 'finished', name: 'tab title' }, lib)).toEqual({
      runId: 'c',
      name: 'stopped',
      from: 'tab',
    });
    expect(lastFinishedRun({ runId: 'z', status: 'finished', name: 'tab title' }, lib)).toEqual({
      runId: 'z',
      name: 'tab title',
      from: 'tab',
    });
  });

  it("else the library's newest finished run, whatever the list order; none without one", () => {
    const tab = { runId: 'c', status: 'paused', name: 'x' };
    expect(lastFinishedRun(tab, lib)).toEqual({ runId: 'b', name: 'newest finished', from: 'library' });
    expect(lastFinishedRun(tab, [...lib].reverse())).toEqual({
      runId: 'b',
      name: 'newest finished',
      from: 'library',
    });
    expect(lastFinishedRun({ runId: null, status: 'idle', name: '' }, [lib[2]])).toBeNull();
    expect(lastFinishedRun({ runId: null, status: 'idle', name: '' }, [])).toBeNull();
  });
});
