import { describe, expect, it } from 'vitest';
import type { Arch } from '../arch/spec.ts';
import { DEFAULT_BASELINE_SETTINGS } from './settings.ts';
import type { BaselineCandidate, BaselineKind, BaselinePlan, BaselineResults } from './types.ts';
import { baselineVerdict, pooledSpread } from './verdict.ts';

/** A plan on a hand-made plane: id → [kind, MACs]; the architectures themselves do not matter here. */
function plane(
  points: Record<string, [BaselineKind, number]>,
  extra: { seeds?: number; costMatched?: number; found?: number; bandSize?: number | null } = {},
): BaselinePlan {
  const candidates: BaselineCandidate[] = Object.entries(points).map(([id, [kind, macs]]) => ({
    id,
    kind,
    choices: { blocks: [] },
    label: `net ${id}`,
    macs,
    params: 0,
    arch: {} as Arch,
    factor: 1,
  }));
  const seeds = extra.seeds ?? 2;
  const costMatched = extra.costMatched ?? candidates.filter((c) => c.kind === 'cost-matched').length;
  const searched = candidates.find((c) => c.kind === 'searched')!;
  return {
    version: 1,
    recipe: {
      steps: 1,
      lr: 0.05,
      batchSize: 4,
      weightDecay: 0,
      initSeeds: Array.from({ length: seeds }, (_, i) => i),
      dataSeed: 0,
    },
    settings: { ...DEFAULT_BASELINE_SETTINGS, costMatched, initSeeds: seeds },
    searched,
    candidates,
    band: { low: searched.macs * 0.75, high: searched.macs * 1.25 },
    costMatchedFound: extra.found ?? costMatched,
    bandSize: extra.bandSize === undefined ? 10 : extra.bandSize,
    spaceSize: 100,
  };
}

/** Both init seeds at mean ± 0.5: every network's spread is 0.5·√2, so the pooled spread is √0.5. */
const two = (mean: number) => [mean - 0.5, mean + 0.5];
const SPREAD = Math.sqrt(0.5);

/** Searched at 100 MACs; random front (50, 12), (200, 6), and a dominated random point (150, 13). */
function frontPlane(searchedNme: number, searchedMacs = 100) {
  const plan = plane({
    searched: ['searched', searchedMacs],
    u1: ['uniform', 50],
    u2: ['uniform', 200],
    c1: ['cost-matched', 150],
  });
  const results: BaselineResults = { searched: two(searchedNme), u1: two(12), u2: two(6), c1: two(13) };
  return baselineVerdict(plan, results);
}

describe('baselineVerdict', () => {
  it('finds the random front and pools the init-seed spread', () => {
    const v = frontPlane(10);
    expect(v.front).toEqual(['u1', 'u2']);
    expect(v.spread).toBeCloseTo(SPREAD, 12);
    // u1: 9, 11 (ss 2); c1: 10, 10 (ss 0); searched one result (no dof): √(2 / 2)
    const plan = plane({ searched: ['searched', 1], u1: ['uniform', 1], c1: ['cost-matched', 1] });
    expect(pooledSpread(plan, { searched: [5], u1: [9, 11], c1: [10, 10] })).toBe(1);
    // NaN (a diverged unit) is ignored
    expect(pooledSpread(plan, { searched: [5, NaN], u1: [9, 11, NaN], c1: [10, 10] })).toBe(1);
  });

  it('says dominated when a random network is cheaper and as accurate, naming it', () => {
    const plan = plane({ searched: ['searched', 100], u1: ['uniform', 80], c1: ['cost-matched', 110] });
    const v = baselineVerdict(plan, { searched: two(10), u1: two(8), c1: two(11) });
    expect(v.kind).toBe('dominated');
    expect(v.ready && v.complete).toBe(true);
    expect(v.beatenBy).toEqual(['u1']);
    expect(v.sentence).toMatch(
      /^The searched network \(10\.00 % NME, 100 MACs; init-seed spread ±0\.71 points\)/,
    );
    expect(v.sentence).toContain(
      'is dominated by 1 of the 2 random networks: u1 (net u1) reaches 8.00 % at 80 MACs',
    );
    expect(v.sentence).toContain('the search did no better than random sampling here');
    expect(v.sentence).toContain('1.00 point better than the median of 1 cost-matched network (11.00 %)');
    expect(v.sentence.endsWith('.')).toBe(true);
    expect(v.sentence.split('. ')).toHaveLength(1);
    // equal MACs and lower NME dominates too; within the spread the sentence says so and beatenBy is empty
    const close = baselineVerdict(plan, { searched: two(10), u1: two(9.5), c1: two(11) });
    expect(close.kind).toBe('dominated');
    expect(close.beatenBy).toEqual([]);
    expect(close.sentence).toContain('within the init-seed spread of ±0.71 points');
  });

  it('says on the front when non-dominated but above the line between front points', () => {
    // at 100 MACs the log-MACs line from (50, 12) to (200, 6) is at 9
    const v = frontPlane(9.5);
    expect(v.kind).toBe('on-front');
    expect(v.sentence).toContain('lies on the Pareto front of the 3 random networks');
    expect(v.sentence).toContain('3.50 points better than the median of 1 cost-matched network (13.00 %)');
    // an exact tie with a random network is not beyond it
    const tie = baselineVerdict(plane({ searched: ['searched', 100], u1: ['uniform', 100] }), {
      searched: two(10),
      u1: two(10),
    });
    expect(tie.kind).toBe('on-front');
    // costlier than every random network and more accurate: extends the front, does not beat it
    expect(frontPlane(5, 400).kind).toBe('on-front');
  });

  it('says beyond when below the front line, or when it dominates a front point', () => {
    const below = frontPlane(8.5);
    expect(below.kind).toBe('beyond');
    expect(below.sentence).toContain('is beyond the Pareto front of the 3 random networks');
    // cheaper than the cheapest random network and as accurate: dominates the front point (50, 12)
    expect(frontPlane(12, 40).kind).toBe('beyond');
    expect(frontPlane(12.5, 40).kind).toBe('on-front');
  });

  it('reports the cost-matched median and too few cost-matched networks', () => {
    const plan = plane(
      {
        searched: ['searched', 100],
        c1: ['cost-matched', 90],
        c2: ['cost-matched', 110],
        c3: ['cost-matched', 120],
      },
      { costMatched: 4, found: 3, bandSize: 3 },
    );
    const v = baselineVerdict(plan, { searched: two(11), c1: two(12), c2: two(9), c3: two(10) });
    expect(v.costMatchedMedian).toBe(10);
    expect(v.tooFewCostMatched).toBe(true);
    expect(v.kind).toBe('on-front');
    expect(v.sentence).toContain('1.00 point worse than the median of 3 cost-matched networks (10.00 %)');
    expect(v.sentence).toContain(
      'only 3 of the 4 cost-matched architectures asked for exist within ±25 % of its MACs',
    );
    // rejection sampling in a big space cannot say how many exist
    const big = baselineVerdict({ ...plan, bandSize: null }, { searched: two(11), c1: two(12) });
    expect(big.sentence).toContain('only 3 of the 4 cost-matched architectures asked for were found');
    // none in the band at all
    const none = plane(
      { searched: ['searched', 100], u1: ['uniform', 300] },
      { costMatched: 4, found: 0, bandSize: 0 },
    );
    const n = baselineVerdict(none, { searched: two(11), u1: two(12) });
    expect(n.costMatchedMedian).toBeNull();
    expect(n.sentence).toContain('so there is no cost-matched comparison');
  });

  it('waits for results, ignores NaN units and says how far the check got', () => {
    const plan = plane({ searched: ['searched', 100], u1: ['uniform', 80], u2: ['uniform', 120] });
    const empty = baselineVerdict(plan, {});
    expect(empty.ready).toBe(false);
    expect(empty.sentence).toBe(
      'No verdict yet: 0 of 6 training runs are done and the searched network has no finite result yet.',
    );
    // u1 diverged on both seeds: only u2 counts (cheaper u1 would dominate at 7), and the check is complete
    const v = baselineVerdict(plan, { searched: two(10), u1: [NaN, NaN], u2: two(11) });
    expect(v.complete).toBe(true);
    expect(v.front).toEqual(['u2']);
    expect(v.kind).toBe('beyond');
    expect(baselineVerdict(plan, { searched: two(10), u1: two(7), u2: two(11) }).kind).toBe('dominated');
    const partial = baselineVerdict(plan, { searched: two(10), u1: [7] });
    expect(partial.complete).toBe(false);
    expect(partial.kind).toBe('dominated');
    expect(partial.sentence).toMatch(/^So far \(3 of 6 training runs\), the searched network/);
    const one = baselineVerdict(plane({ searched: ['searched', 1], u1: ['uniform', 2] }, { seeds: 1 }), {
      searched: [10],
      u1: [11],
    });
    expect(one.sentence).toContain('one init seed, so no seed spread measured');
  });
});
