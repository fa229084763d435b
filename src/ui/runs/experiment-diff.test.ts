import { describe, expect, test } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../../nas/index.ts';
import { experimentDiff } from './experiment-diff.ts';

describe('experiment differences', () => {
  test('lists only the fields that differ, one value per run, including fields only one run has', () => {
    const a = structuredClone(DEFAULT_EXPERIMENT);
    const b = structuredClone(DEFAULT_EXPERIMENT);
    b.loss = { ...b.loss, alpha: a.loss.alpha * 2 };
    const c = { ...structuredClone(DEFAULT_EXPERIMENT), strategyExtra: { population: 8 } };
    const d = experimentDiff([a, b, c]);
    expect(d).toEqual([
      {
        path: 'loss.alpha',
        values: [String(a.loss.alpha), String(a.loss.alpha * 2), String(a.loss.alpha)],
        known: true,
      },
      { path: 'strategyExtra.population', values: ['–', '–', '8'], known: false },
    ]);
    expect(experimentDiff([a, structuredClone(a)])).toEqual([]);
  });
});
