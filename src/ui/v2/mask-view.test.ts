import { describe, expect, it } from 'vitest';
import { channelState, latestFeatures, ramp } from './mask-view.ts';
import type { StepMetrics } from '../../nas/index.ts';

describe('mask view helpers', () => {
  it('reads M as on / partly / off', () => {
    expect([1, 0.999, 0.5, 0.001, 0].map(channelState)).toEqual(['on', 'on', 'partly', 'off', 'off']);
  });
  it('finds the newest feature summary at or before an index', () => {
    const f = [{ bodyIndex: 1, side: 1, thumbs: [[1]], means: [1] }];
    const h = [
      { step: 0, v2: { features: f } },
      { step: 1, v2: {} },
      { step: 2 },
    ] as unknown as StepMetrics[];
    expect(latestFeatures(h, 2)?.step).toBe(0);
    expect(latestFeatures([], 0)).toBeNull();
  });
  it('ramps white to indigo', () => {
    expect(ramp(0)).toBe('rgb(255,255,255)');
    expect(ramp(1)).toBe('rgb(67,56,202)');
  });
});
