import { describe, expect, it } from 'vitest';
import type { TrainedCandidate } from './joint-search.ts';
import { fractionalRanks, rankCrossing, sensitivityPairs } from './rank-crossing.ts';

describe('rank crossing between two recipes', () => {
  it('ranks, τ and the flipped pairs of a hand-worked example', () => {
    // A orders 0 < 1 < 2 < 3; B orders 1 < 0 < 3 < 2: pairs (0,1) and (2,3) flip, four agree
    const r = rankCrossing([
      { label: 'w', a: 1, b: 2 },
      { label: 'x', a: 2, b: 1 },
      { label: 'y', a: 3, b: 4 },
      { label: 'z', a: 4, b: 3 },
    ]);
    expect(r.rankA).toEqual([1, 2, 3, 4]);
    expect(r.rankB).toEqual([2, 1, 4, 3]);
    expect(r.crossings).toEqual([
      [0, 1],
      [2, 3],
    ]);
    // τ = (4 − 2) / 6
    expect(r.tau).toBeCloseTo(1 / 3, 12);
  });

  it('handles ties: shared mean ranks, a tie is not a crossing, τ-b', () => {
    expect(fractionalRanks([5, 3, 5, 1])).toEqual([3.5, 2, 3.5, 1]);
    const r = rankCrossing([
      { label: 'p', a: 1, b: 3 },
      { label: 'q', a: 1, b: 2 },
      { label: 'r', a: 2, b: 1 },
    ]);
    expect(r.rankA).toEqual([1.5, 1.5, 3]);
    expect(r.rankB).toEqual([3, 2, 1]);
    // pairs: (p,q) tied in A; (p,r) and (q,r) flip → C 0, D 2, ties in A 1: τ-b = −2 / √(3·2)
    expect(r.crossings).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(r.tau).toBeCloseTo(-2 / Math.sqrt(6), 12);
    // identical orders: τ 1, nothing crosses; one architecture: τ undefined
    expect(
      rankCrossing([
        { label: 'a', a: 1, b: 10 },
        { label: 'b', a: 2, b: 20 },
      ]),
    ).toMatchObject({
      tau: 1,
      crossings: [],
    });
    expect(rankCrossing([{ label: 'a', a: 1, b: 1 }]).tau).toBeNull();
    expect(() => rankCrossing([{ label: 'bad', a: NaN, b: 1 }])).toThrow(/bad: NMEs must be finite/);
  });

  it('pairs the sensitivity stage’s trainings by architecture, leaving out unfinished ones', () => {
    const rec = (arch: number, recipe: 'default' | 'searched', nme: number): TrainedCandidate => ({
      candidate: [],
      stage: 'sensitivity',
      round: 2,
      poolIndex: -1,
      predicted: null,
      budget: null,
      points: 2,
      curve: [nme * 2, nme],
      macs: 1e6,
      sensitivity: { arch, recipe },
    });
    const pairs = sensitivityPairs([
      rec(1, 'searched', 4),
      rec(0, 'default', 5),
      rec(1, 'default', 6),
      rec(0, 'searched', 3),
      rec(2, 'default', 7),
    ]);
    expect(pairs).toEqual([
      { label: 'arch 1', a: 5, b: 3 },
      { label: 'arch 2', a: 6, b: 4 },
    ]);
  });
});
