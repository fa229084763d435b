import { describe, expect, it } from 'vitest';
import { RunPace, formatDuration } from './run-pace.svelte.ts';

describe('RunPace', () => {
  it('counts the warm-up until the first step, then steps/s and time left from the first step on', () => {
    let t = 1000;
    const pace = new RunPace(() => t);
    pace.begin(0);
    expect(pace.warmingUp).toBe(true);
    t += 12_000;
    pace.now = t;
    expect(pace.warmupSeconds).toBeCloseTo(12);
    pace.stepped(1); // first step after 12 s of compilation
    expect(pace.warmingUp).toBe(false);
    expect(pace.stepsPerSecond).toBeNull();
    t += 2000;
    pace.stepped(5); // 4 steps in 2 s
    expect(pace.stepsPerSecond).toBeCloseTo(2);
    expect(pace.secondsLeft(25, 5)).toBeCloseTo(10);
    pace.end();
    expect(pace.warmingUp).toBe(false);
    expect(pace.stepsPerSecond).toBeNull();
  });

  it('ignores steps done before the run started (a resumed run)', () => {
    let t = 0;
    const pace = new RunPace(() => t);
    pace.begin(40);
    t = 500;
    pace.stepped(40);
    expect(pace.warmingUp).toBe(true);
    pace.end();
  });

  it('formats durations', () => {
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(4320)).toBe('1 h 12 min');
  });
});
