import { describe, expect, it } from 'vitest';
import type { LatencyTable } from '../../nas/index.ts';
import { latencyEdits, latencyView, TIMED_CANDIDATES } from './latency-view.ts';

const table = (layer: number): LatencyTable => {
  const edits = latencyEdits(layer);
  return {
    version: 1,
    space: 'classroom',
    inputSize: 64,
    batch: 1,
    backend: 'cpu',
    adapter: '',
    createdAt: 0,
    layers: Object.entries(edits).map(([b, names]) => ({
      layer: Number(b),
      candidates: names,
      ms: names.length === 3 ? [0.5, 1.5, 3] : [1],
      spread: names.map(() => 0),
      overheadMs: 0.1,
      rawMs: names.length === 3 ? [0.6, 1.6, 3.1] : [1.1],
    })),
    fixedMs: 2,
    source: 'measured',
  };
};

describe('latency view', () => {
  it('edits give the timed three to one layer and the held block to the others', () => {
    const e = latencyEdits(2);
    expect(Object.keys(e)).toEqual(['1', '2', '3', '4', '5']);
    expect(e[2]).toEqual(TIMED_CANDIDATES);
    expect(e[1]).toEqual(['k3_e3']);
  });

  it('LAT is fixed + the other layers + the candidate; the factor is α·log(LAT)^β in the search unit', () => {
    const v = latencyView(table(2), 2, 0.2, 0.6)!;
    // rest = fixed 2 + four held layers at 1 ms
    expect(v.restMs).toBeCloseTo(6);
    expect(v.rows.map((r) => r.latMs)).toEqual([6.5, 7.5, 9]);
    // the cheapest network (2 + 4 + 0.5 = 6.5 ms) is above e, so the unit is 1 ms
    expect(v.unit).toBe(1);
    expect(v.rows[0].factor).toBeCloseTo(0.2 * Math.log(6.5) ** 0.6, 10);
    expect(v.rows[2].rawMs).toBe(3.1);
    // β > 0: the dearer block has the larger factor
    expect(v.rows[2].factor).toBeGreaterThan(v.rows[0].factor);
  });

  it('a table of another layer is not read as this one', () => {
    expect(latencyView(table(3), 2, 0.2, 0.6)).toBeNull();
  });
});
