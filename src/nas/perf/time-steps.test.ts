import { describe, expect, it } from 'vitest';
import { median, timeSteps } from './time-steps.ts';

/** A step that advances a fake clock by the next of `durations` ms. */
function fakeStep(durations: number[]) {
  let clock = 0;
  let calls = 0;
  return {
    now: () => clock,
    get calls() {
      return calls;
    },
    step: async () => {
      clock += durations[calls++];
      return 0;
    },
  };
}

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
    expect(median([])).toBeNaN();
  });
});

describe('timeSteps', () => {
  it('times the first step alone, skips the rest of the warm-up, takes the median of the rounds', async () => {
    const s = fakeStep([900, 50, 12, 10, 30]);
    const t = await timeSteps(s, { warmup: 2, rounds: 3, now: s.now });
    expect(t).toEqual({ firstMs: 900, medianMs: 12, samples: [12, 10, 30] });
    expect(s.calls).toBe(5);
  });

  it('stops the timed rounds once the budget is spent, after at least one round', async () => {
    const s = fakeStep([1, 40, 40, 40, 40]);
    const t = await timeSteps(s, { warmup: 1, rounds: 4, budgetMs: 70, now: s.now });
    expect(t.samples).toEqual([40, 40]);
    const one = fakeStep([1, 500, 1]);
    expect((await timeSteps(one, { rounds: 2, budgetMs: 10, now: one.now })).samples).toEqual([500]);
  });

  it('reports per optimizer step when one call makes several', async () => {
    const s = Object.assign(fakeStep([300, 20, 60]), { optimizerSteps: 2 });
    const t = await timeSteps(s, { rounds: 2, now: s.now });
    expect(t.samples).toEqual([10, 30]);
    expect(t.medianMs).toBe(20);
  });

  it('rejects a warm-up or round count below one', async () => {
    const s = fakeStep([1, 1]);
    await expect(timeSteps(s, { warmup: 0 })).rejects.toThrow(/warmup/);
    await expect(timeSteps(s, { rounds: 0 })).rejects.toThrow(/rounds/);
  });
});
