import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { Proposals } from './proposals.ts';
import { acceptanceProbability, Sanas, sanasTemperature } from './sanas.ts';
import { SearchExhaustedError, type StrategyContext } from './strategy.ts';
import { mutateOneToken } from './token-space.ts';

const ctx = (
  ranges: number[],
  feasible = (_: readonly number[]) => true,
  maxRetries = 50,
): StrategyContext => ({
  space: { id: 'test', ranges },
  feasible,
  maxRetries,
});

describe('SANAS acceptance and temperature', () => {
  it('accepts with probability exp((r_new − r_cur) / T) for hand values', () => {
    expect(acceptanceProbability(0.5, 0.7, 2)).toBeCloseTo(Math.exp(-0.1), 12);
    expect(acceptanceProbability(0.5, 0.7, 2)).toBeCloseTo(0.904837418, 8);
    expect(acceptanceProbability(0.2, 0.9, 0.1)).toBeCloseTo(0.000911882, 8);
    expect(acceptanceProbability(-3, -1, 10)).toBeCloseTo(0.818730753, 8);
  });

  it('always accepts an improvement (probability 1, whatever T)', () => {
    expect(acceptanceProbability(0.71, 0.7, 1e-9)).toBe(1);
    expect(acceptanceProbability(5, -5, 0.001)).toBe(1);
  });

  it('cools as T = T0 · r^iteration (hand values)', () => {
    expect(sanasTemperature(10, 0.85, 0)).toBe(10);
    expect(sanasTemperature(10, 0.85, 1)).toBeCloseTo(8.5, 12);
    expect(sanasTemperature(10, 0.85, 3)).toBeCloseTo(6.14125, 12);
    expect(sanasTemperature(1, 0.85, 10)).toBeCloseTo(0.196874404, 8);
  });

  it('starts at T0 = 10 from random tokens and T0 = 1 from given ones, r = 0.85', () => {
    const random = new Sanas(ctx([3, 3, 3]), { seed: 1 });
    const given = new Sanas(ctx([3, 3, 3]), { seed: 1, initTokens: [1, 2, 0] });
    expect(random.temperature).toBe(10);
    expect(given.temperature).toBe(1);
    expect(given.propose()).toEqual([1, 2, 0]);
    given.observe([1, 2, 0], 0.5);
    expect(given.temperature).toBeCloseTo(0.85, 12);
    for (let i = 0; i < 3; i++) random.observe(random.propose(), 0.1 * i);
    expect(random.temperature).toBeCloseTo(6.14125, 12);
  });

  it('decides each downhill move by one uniform draw against the Metropolis probability', () => {
    let accepted = 0;
    const trials = 3000;
    const p = acceptanceProbability(0.4, 0.6, 0.5); // exp(-0.4) ≈ 0.670
    for (let seed = 0; seed < trials; seed++) {
      const s = new Sanas(ctx([4, 4]), { seed, initTokens: [0, 0], initTemperature: 0.5, reduceRate: 1 });
      s.observe(s.propose(), 0.6);
      const t = s.propose();
      const u = new Rng(s.state().rng).next();
      const note = s.observe(t, 0.4);
      expect(note.temperature).toBe(0.5);
      expect(note.accepted).toBe(u < p);
      if (note.accepted) accepted += 1;
      expect(s.current.tokens).toEqual(note.accepted ? t : [0, 0]);
    }
    expect(Math.abs(accepted / trials - p)).toBeLessThan(0.03);
  });

  it('always accepts improvements, and keeps the best apart from the current state', () => {
    const s = new Sanas(ctx([5, 5, 5]), { seed: 7 });
    const a = s.propose();
    expect(s.observe(a, 0.9).accepted).toBe(true);
    // hot enough that a small step down is accepted; the best stays at a
    let moved = false;
    for (let i = 0; i < 20 && !moved; i++) {
      const b = s.propose();
      const note = s.observe(b, 0.89);
      moved = note.accepted === true;
    }
    expect(moved).toBe(true);
    expect(s.current.reward).toBe(0.89);
    expect(s.best).toEqual({ tokens: a, reward: 0.9 });
    const c = s.propose();
    expect(s.observe(c, 0.95).accepted).toBe(true);
    expect(s.best).toEqual({ tokens: c, reward: 0.95 });
  });

  it('proposes the current tokens with exactly one token changed, then restarts when none is left', () => {
    const ranges = [3, 4, 5, 6];
    const s = new Sanas(ctx(ranges), { seed: 3, initTokens: [2, 3, 4, 5] });
    s.observe(s.propose(), 1); // far below it, the state never moves (exp(−1e6) = 0)
    const neighbours = new Set<string>();
    // 2 + 3 + 4 + 5 = 14 one-token neighbours, each proposed once; then the neighbourhood is used up
    for (let i = 0; i < 14; i++) {
      const t = s.propose();
      expect(t.filter((v, k) => v !== [2, 3, 4, 5][k]).length).toBe(1);
      neighbours.add(t.join());
      expect(s.observe(t, -1e6).accepted).toBe(false);
    }
    expect(neighbours.size).toBe(14);
    // the neighbourhood is used up: a random restart, two or more tokens away, not the end of the run
    const restart = s.propose();
    expect(restart.filter((v, k) => v !== [2, 3, 4, 5][k]).length).toBeGreaterThan(1);
  });

  it('rejects infeasible initial tokens with a clear message', () => {
    expect(
      () =>
        new Sanas(
          ctx([3, 3], (t) => t[0] < 2),
          { seed: 1, initTokens: [2, 0] },
        ),
    ).toThrow(/over the constraint/);
    expect(() => new Sanas(ctx([3, 3]), { seed: 1, initTokens: [3, 0] })).toThrow(/Token 0/);
  });

  it('checkpoints and resumes: the restored run proposes what the uninterrupted one does', () => {
    const reward = (t: number[]) => -t.reduce((a, v, i) => a + Math.abs(v - i), 0);
    const run = (s: Sanas, n: number) => {
      const out: number[][] = [];
      for (let i = 0; i < n; i++) {
        const t = s.propose();
        s.observe(t, reward(t));
        out.push(t);
      }
      return out;
    };
    const whole = run(new Sanas(ctx([6, 6, 6, 6]), { seed: 11 }), 30);
    const first = new Sanas(ctx([6, 6, 6, 6]), { seed: 11 });
    const head = run(first, 12);
    const saved = JSON.parse(JSON.stringify(first.state()));
    const resumed = new Sanas(ctx([6, 6, 6, 6]), { seed: 999 }, saved);
    expect([...head, ...run(resumed, 18)]).toEqual(whole);
    expect(resumed.temperature).toBeCloseTo(sanasTemperature(10, 0.85, 30), 12);
  });
});

describe('one-token mutation and the seen set', () => {
  it('changes exactly one token, within its range', () => {
    const rng = new Rng(5);
    const ranges = [1, 2, 3, 7, 12];
    for (let i = 0; i < 2000; i++) {
      const t = ranges.map((r) => rng.int(r));
      const m = mutateOneToken(t, ranges, rng);
      const changed = m.map((v, k) => (v !== t[k] ? k : -1)).filter((k) => k >= 0);
      expect(changed.length).toBe(1);
      expect(changed[0]).not.toBe(0); // a one-value token cannot change
      m.forEach((v, k) => {
        expect(Number.isInteger(v) && v >= 0 && v < ranges[k]).toBe(true);
      });
    }
  });

  it('retries a draw that collides with the seen set, and reports exhaustion after maxRetries', () => {
    const p = new Proposals(
      ctx([2, 2], () => true, 3),
      1,
    );
    p.mark([0, 0]);
    const draws = [
      [0, 0],
      [0, 0],
      [1, 0],
    ];
    let i = 0;
    expect(p.next(() => draws[i++])).toEqual([1, 0]);
    expect(i).toBe(3);
    expect(() => p.next(() => [1, 0])).toThrow(SearchExhaustedError);
    expect(() => p.next(() => [1, 0])).toThrow(/after 3 tries \(2 of 4 token lists/);
  });

  it('never proposes a token list twice and says so when a small space runs out', () => {
    const s = new Sanas(
      ctx([2, 2], () => true, 200),
      { seed: 2 },
    );
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const t = s.propose();
      expect(seen.has(t.join())).toBe(false);
      seen.add(t.join());
      s.observe(t, Math.random());
    }
    expect(() => s.propose()).toThrow(/exhausted/);
  });
});
