import { describe, expect, it } from 'vitest';
import { AgingEvolution } from './aging-evolution.ts';
import type { StrategyContext } from './strategy.ts';

const ctx = (ranges: number[]): StrategyContext => ({
  space: { id: 'test', ranges },
  feasible: () => true,
  maxRetries: 100,
});

describe('aging evolution', () => {
  it('removes the oldest member, not the worst', () => {
    const ev = new AgingEvolution(ctx([4, 4, 4]), { seed: 1, population: 3, sample: 2 });
    const rewards = [0.9, 0.1, 0.5];
    const first = rewards.map((r) => {
      const t = ev.propose();
      ev.observe(t, r);
      return t;
    });
    expect(ev.members.map((m) => m.reward)).toEqual([0.9, 0.1, 0.5]);
    const child = ev.propose();
    ev.observe(child, 0.3);
    // the oldest (and best) member 0.9 is gone; the worst, 0.1, survives
    expect(ev.members.map((m) => m.reward)).toEqual([0.1, 0.5, 0.3]);
    expect(ev.members.map((m) => m.tokens)).toEqual([first[1], first[2], child]);
  });

  it('fills the population at random, then mutates the best of the sample in one token', () => {
    const ev = new AgingEvolution(ctx([5, 5, 5, 5]), { seed: 4, population: 4, sample: 4 });
    const rewards = [0.2, 0.8, 0.4, 0.6];
    const pop = rewards.map((r) => {
      const t = ev.propose();
      ev.observe(t, r);
      return t;
    });
    // S = P: the parent is always the best member, pop[1]
    const child = ev.propose();
    expect(child.filter((v, k) => v !== pop[1][k]).length).toBe(1);
  });

  it('checks P and S', () => {
    expect(() => new AgingEvolution(ctx([3]), { seed: 1, population: 1 })).toThrow(/population/);
    expect(() => new AgingEvolution(ctx([3]), { seed: 1, population: 4, sample: 5 })).toThrow(/sample size/);
  });
});
