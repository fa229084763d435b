import { describe, expect, it } from 'vitest';
import { Schedule, totalStepsOf } from './schedule.ts';
import { THREE_LAYER_SPACE, toyConfig } from './toy-spaces.ts';

describe('Schedule', () => {
  it('totalSteps counts the steps advance() walks through (warm-up weights only, then pairs)', () => {
    for (const [epochs, warmupEpochs, stepsPerEpoch] of [
      [3, 1, 4],
      [2, 0, 3],
      [2, 5, 2],
    ]) {
      const config = toyConfig(THREE_LAYER_SPACE, { train: { epochs, warmupEpochs, stepsPerEpoch } });
      const s = new Schedule(config, 'cosine');
      const phases: string[] = [];
      while (!s.done) {
        phases.push(s.next);
        s.advance(s.next);
      }
      expect(phases.length).toBe(s.totalSteps);
      expect(totalStepsOf(config.train)).toBe(s.totalSteps);
      const warm = Math.min(warmupEpochs, epochs) * stepsPerEpoch;
      expect(phases.slice(0, warm).every((p) => p === 'weights')).toBe(true);
      const pairs = phases.slice(warm);
      expect(pairs.length).toBe(2 * (epochs - Math.min(warmupEpochs, epochs)) * stepsPerEpoch);
      expect(pairs.every((p, i) => p === (i % 2 ? 'arch' : 'weights'))).toBe(true);
    }
  });
});
