import { describe, expect, it } from 'vitest';
import { parseBetas, secondsLeft } from './sweep.svelte.ts';

describe('parseBetas', () => {
  it('reads 1–8 values from 0 to 100, separated by commas, semicolons or spaces', () => {
    expect(parseBetas('0, 2, 8')).toEqual([0, 2, 8]);
    expect(parseBetas(' 0.5;3  12 ')).toEqual([0.5, 3, 12]);
    expect(parseBetas('4')).toEqual([4]);
  });

  it('refuses bad input instead of guessing', () => {
    expect(parseBetas('')).toBeNull();
    expect(parseBetas('0, x')).toBeNull();
    expect(parseBetas('-1, 2')).toBeNull();
    expect(parseBetas('0, 101')).toBeNull();
    expect(parseBetas('1 2 3 4 5 6 7 8 9')).toBeNull();
  });
});

describe('secondsLeft', () => {
  it('extrapolates the pace so far: 10 of 40 units in 5 s leaves 15 s', () => {
    expect(secondsLeft(10, 40, 5000)).toBeCloseTo(15, 12);
    expect(secondsLeft(40, 40, 5000)).toBe(0);
  });

  it('has no estimate before the first unit', () => {
    expect(secondsLeft(0, 40, 5000)).toBeNull();
    expect(secondsLeft(3, 40, 0)).toBeNull();
  });
});
