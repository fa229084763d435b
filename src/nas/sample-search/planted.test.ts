/**
 * Strategies on a planted reward landscape with a known optimum: 8 tokens of 6 values, NME grows with the
 * L1 distance to the optimum, and a latency table whose hard budget the optimum meets with little room.
 */
import { describe, expect, it } from 'vitest';
import { SampleSearch, type SampleSearchSettings } from './sample-search.ts';
import type { SampleStrategyId } from './strategy.ts';
import type { TokenSpace } from './token-space.ts';

const OPT = [3, 1, 4, 1, 5, 0, 2, 5];
const RANGES = OPT.map(() => 6);
/** ms per token: 1 + value, so a token list costs 8 + Σ tokens; the optimum costs 29. */
const latency = (t: readonly number[]) => t.reduce((a, v) => a + 1 + v, 0);
const BUDGET_MS = 31;
const nme = (t: readonly number[]) => 0.01 * t.reduce((a, v, i) => a + Math.abs(v - OPT[i]), 0);

const space: TokenSpace = {
  id: 'planted',
  title: 'planted',
  ranges: RANGES,
  labels: RANGES.map((_, i) => `t${i}`),
  decode: () => {
    throw new Error('not decoded: the planted landscape scores tokens directly');
  },
};

async function bestOf(strategy: SampleStrategyId, seed: number, budget: number) {
  const settings: SampleSearchSettings = {
    strategy,
    options: { seed, population: 16, sample: 4 },
    budget,
    reward: { kind: 'score' },
    constraint: { max: BUDGET_MS },
  };
  const s = new SampleSearch(space, settings, latency, async (t) => ({ nme: nme(t) }));
  await s.run();
  return s;
}

describe('planted landscape, 20 seeds, 120 evaluations each', () => {
  it('evolution and SANAS each beat random search on average; no candidate exceeds the latency budget', async () => {
    const mean: Record<SampleStrategyId, number> = { random: 0, sanas: 0, evolution: 0 };
    for (const id of ['random', 'sanas', 'evolution'] as const) {
      for (let seed = 1; seed <= 20; seed++) {
        const s = await bestOf(id, seed, 120);
        expect(s.records.length).toBe(120);
        expect(s.stopped).toBeNull();
        for (const r of s.records) expect(latency(r.tokens)).toBeLessThanOrEqual(BUDGET_MS);
        expect(s.best()!.cost).toBeLessThanOrEqual(BUDGET_MS);
        mean[id] += s.best()!.reward / 20;
      }
    }
    console.log('planted landscape, mean best reward (optimum 1):', mean);
    expect(mean.sanas).toBeGreaterThan(mean.random);
    expect(mean.evolution).toBeGreaterThan(mean.random);
  });

  it('records best-so-far and SANAS telemetry; resumes exactly from a JSON checkpoint', async () => {
    const settings: SampleSearchSettings = {
      strategy: 'sanas',
      options: { seed: 5 },
      budget: 40,
      reward: { kind: 'mnas', target: 29, mode: 'soft' },
    };
    const evaluate = async (t: number[]) => ({ nme: nme(t) });
    const whole = new SampleSearch(space, settings, latency, evaluate);
    await whole.run();
    const bests = whole.records.map((r) => r.bestReward);
    expect(bests).toEqual(
      whole.records.map((_, i) => Math.max(...whole.records.slice(0, i + 1).map((r) => r.reward))),
    );
    expect(whole.records[0].note.temperature).toBe(10);
    expect(whole.records[3].note.temperature).toBeCloseTo(6.14125, 10);
    const part = new SampleSearch(space, settings, latency, evaluate);
    for (let i = 0; i < 17; i++) await part.step();
    const saved = JSON.parse(JSON.stringify(part.state()));
    const resumed = SampleSearch.restore(space, saved, latency, evaluate);
    await resumed.run();
    expect(resumed.records).toEqual(whole.records);
  });

  it('stops with a clear message when the feasible space runs out, keeping the records', async () => {
    const small: TokenSpace = { ...space, ranges: [6, 6, 6], labels: ['a', 'b', 'c'] };
    for (const strategy of ['random', 'sanas', 'evolution'] as const) {
      const settings: SampleSearchSettings = {
        strategy,
        options: { seed: 1, population: 2, sample: 2 },
        budget: 100,
        reward: { kind: 'score' },
        constraint: { max: 4 }, // 3 + Σ tokens ≤ 4: all zeros or a single 1, 4 token lists
      };
      const s = new SampleSearch(small, settings, latency, async (t) => ({ nme: nme(t) }));
      await s.run();
      expect(s.records.length).toBe(4);
      expect(new Set(s.records.map((r) => r.tokens.join())).size).toBe(4);
      expect(s.stopped).toMatch(/exhausted/);
      expect(s.done).toBe(true);
    }
  });

  it('rejects a bad budget', () => {
    const bad = { strategy: 'random', options: { seed: 1 }, budget: 0, reward: { kind: 'score' } } as const;
    expect(() => new SampleSearch(space, bad, latency, async () => ({ nme: 0 }))).toThrow(/budget/);
  });
});
