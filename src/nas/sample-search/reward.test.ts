import { describe, expect, it } from 'vitest';
import { MNAS_SOFT_W, mnasExponent, mnasReward, nmeScore, rewardFormula, rewardOf } from './reward.ts';

describe('MnasNet reward', () => {
  it('w = 0 gives ACC', () => {
    for (const [acc, lat, t] of [
      [0.8, 3, 2],
      [0.5, 0.1, 7],
      [0.93, 12, 12],
    ]) {
      expect(mnasReward(acc, lat, t, 0)).toBe(acc);
    }
  });

  it('LAT = T gives ACC for any w', () => {
    for (const w of [MNAS_SOFT_W, -1, 0, 0.3]) expect(mnasReward(0.77, 5, 5, w)).toBe(0.77);
  });

  it('matches hand values: soft w = −0.07, hard w = 0 under the target and −1 over it', () => {
    expect(mnasReward(0.8, 10, 5, -0.07)).toBeCloseTo(0.8 * 2 ** -0.07, 12);
    expect(mnasReward(0.8, 10, 5, -0.07)).toBeCloseTo(0.76211, 5);
    expect(mnasExponent(4, 5, 'hard')).toBe(0);
    expect(mnasExponent(5, 5, 'hard')).toBe(0);
    expect(mnasExponent(6, 5, 'hard')).toBe(-1);
    expect(mnasExponent(1, 5, 'soft')).toBe(-0.07);
    expect(rewardOf({ kind: 'mnas', target: 5, mode: 'hard' }, 0.2, 10)).toBeCloseTo(0.4, 12);
    expect(rewardOf({ kind: 'mnas', target: 5, mode: 'hard' }, 0.2, 4)).toBeCloseTo(0.8, 12);
    expect(rewardOf({ kind: 'score' }, 0.07, 1e9)).toBeCloseTo(0.93, 12);
  });

  it('turns NME into a higher-is-better score and rejects bad targets', () => {
    expect(nmeScore(0.05)).toBeGreaterThan(nmeScore(0.06));
    expect(() => mnasReward(0.9, 1, 0, -0.07)).toThrow(/target must be positive/);
    expect(() => mnasReward(0.9, 0, 1, -0.07)).toThrow(/positive cost/);
    expect(rewardFormula({ kind: 'mnas', target: 3, mode: 'soft' })).toContain('(LAT / T)^w');
  });
});
