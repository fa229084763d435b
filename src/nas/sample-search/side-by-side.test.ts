import { describe, expect, it } from 'vitest';
import type { EvalRecord } from './sample-search.ts';
import { bestSoFarBand, SideBySide, type SideBySideSettings } from './side-by-side.ts';
import type { TokenSpace } from './token-space.ts';

const space: TokenSpace = {
  id: 'toy',
  title: 'toy',
  ranges: [4, 4, 4, 4],
  labels: ['a', 'b', 'c', 'd'],
  decode: () => {
    throw new Error('unused');
  },
};
const cost = (t: readonly number[]) => 1 + t.reduce((a, b) => a + b, 0);
const evaluate = async (t: number[]) => ({ nme: 0.02 * t.reduce((a, v) => a + Math.abs(v - 2), 0) });
const settings: SideBySideSettings = {
  strategies: ['sanas', 'random'],
  seeds: [1, 2, 3],
  budget: 10,
  reward: { kind: 'score' },
  constraint: { max: 12 },
};

const rec = (bestReward: number): EvalRecord => ({
  index: 0,
  tokens: [],
  nme: 0,
  cost: 0,
  reward: bestReward,
  bestReward,
  note: {},
});

describe('strategies side by side', () => {
  it('steps round-robin to the same budget and summarizes curves, fronts and SANAS telemetry', async () => {
    const s = new SideBySide(space, settings, cost, evaluate);
    expect(s.progress()).toEqual({ done: 0, total: 60 });
    for (let i = 0; i < 12; i++) await s.step();
    expect(s.runs.map((r) => r.search.records.length)).toEqual([2, 2, 2, 2, 2, 2]);
    while (!s.done) await s.step();
    expect(s.progress()).toEqual({ done: 60, total: 60 });
    const sum = s.summary();
    expect(sum.strategies.map((x) => x.strategy)).toEqual(['sanas', 'random']);
    for (const x of sum.strategies) {
      expect(x.bestSoFar.mean).toHaveLength(10);
      expect(x.points).toHaveLength(30);
      expect(x.points.every((p) => p.cost <= 12)).toBe(true);
      for (let k = 1; k < 10; k++)
        expect(x.bestSoFar.mean[k]).toBeGreaterThanOrEqual(x.bestSoFar.mean[k - 1]);
    }
    expect(sum.strategies[0].temperature[0]).toBe(10);
    expect(sum.strategies[0].acceptanceRate).toHaveLength(10);
    expect(sum.strategies[1].temperature).toEqual([]);
    expect(s.best()!.reward).toBe(Math.max(...sum.strategies.flatMap((x) => x.points.map((p) => p.reward))));
  });

  it('resumes from a JSON checkpoint to the same records', async () => {
    const whole = new SideBySide(space, settings, cost, evaluate);
    while (!whole.done) await whole.step();
    const part = new SideBySide(space, settings, cost, evaluate);
    for (let i = 0; i < 25; i++) await part.step();
    const resumed = SideBySide.restore(space, JSON.parse(JSON.stringify(part.state())), cost, evaluate);
    while (!resumed.done) await resumed.step();
    expect(resumed.runs.map((r) => r.search.records)).toEqual(whole.runs.map((r) => r.search.records));
  });

  it('computes mean and spread of best-so-far over seeds by hand', () => {
    const band = bestSoFarBand([
      [rec(0.1), rec(0.5)],
      [rec(0.3), rec(0.4), rec(0.6)],
    ]);
    expect(band.mean.map((v) => +v.toFixed(10))).toEqual([0.2, 0.45, 0.6]);
    expect(band.lo).toEqual([0.1, 0.4, 0.6]);
    expect(band.hi).toEqual([0.3, 0.5, 0.6]);
  });

  it('rejects bad settings with clear messages', () => {
    const bad = (o: Partial<SideBySideSettings>) => () =>
      new SideBySide(space, { ...settings, ...o }, cost, evaluate);
    expect(bad({ strategies: [] })).toThrow(/at least one strategy/);
    expect(bad({ strategies: ['random', 'random'] })).toThrow(/twice/);
    expect(bad({ seeds: [] })).toThrow(/seed/);
    expect(bad({ budget: 0 })).toThrow(/budget/);
    expect(bad({ options: { initTemperature: 0 } })).toThrow(/T0 must be a positive number, got 0/);
    expect(bad({ options: { initTemperature: Number.NaN } })).toThrow(/T0/);
    expect(bad({ options: { reduceRate: 1 } })).toThrow(/strictly between 0 and 1, got 1/);
    expect(bad({ options: { reduceRate: -0.5 } })).toThrow(/reduce rate/);
    // aging evolution's P and S are checked by the strategy itself
    expect(bad({ strategies: ['evolution'], options: { population: 4, sample: 9 } })).toThrow(/sample size/);
  });
});
