import { describe, expect, it } from 'vitest';
import { planBaseline, type BaselineCheckState } from '../../nas/index.ts';
import { LANDMARK_SPACE, toyConfig } from '../../nas/testing.ts';
import { randomOverlay, sameSearchSpace } from './random-overlay.ts';

const config = () => toyConfig(LANDMARK_SPACE);

function check(): BaselineCheckState {
  const plan = planBaseline({
    config: config(),
    space: LANDMARK_SPACE,
    searched: { blocks: [0, 0] },
    settings: { uniform: 3, costMatched: 0, steps: 5, initSeeds: 2 },
  });
  // u3 not trained yet
  return { plan, results: { searched: [3, 4], u1: [5, 7], u2: [6, NaN] } };
}

describe('the random networks on the sweep plane', () => {
  it('come only from the space the sweep searched', () => {
    const a = config();
    expect(sameSearchSpace(a, { ...config(), loss: { ...a.loss, beta: 9 } })).toBe(true);
    expect(sameSearchSpace(a, { ...config(), inputSize: a.inputSize * 2 })).toBe(false);
    expect(sameSearchSpace(a, { ...config(), candidateEdits: { 1: ['skip'] } })).toBe(false);
    expect(sameSearchSpace(a, { ...config(), strategy: 'fbnet-v2' })).toBe(false);
    expect(randomOverlay({ ...config(), inputSize: 64 }, a, check(), ['u1'])).toBeNull();
    expect(randomOverlay(null, a, check(), ['u1'])).toBeNull();
  });

  it('are the trained random networks (not the run’s searched one) with their front and recipe', () => {
    const o = randomOverlay(config(), config(), check(), ['u1', 'u3'])!;
    expect(o.points.map((p) => [p.id, p.mean, p.lo, p.hi])).toEqual([
      ['u1', 6, 5, 7],
      ['u2', 6, 6, 6],
    ]);
    expect(o.front).toEqual(['u1']);
    expect([o.steps, o.seeds]).toEqual([5, 2]);
  });
});
