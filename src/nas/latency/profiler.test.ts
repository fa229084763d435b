import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { archFromChoices } from '../spaces/derive.ts';
import { isAbortError, measureArch, profileRuns, profileSpace } from './profiler.ts';
import { tableFromJson, tableToJson } from './table.ts';
import { TINY_SPACE } from './testing.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Clock whose k-th reading is k²: the j-th timed run (start = reading 2j-1, stop = 2j) lasts 4j - 1 ms. */
function squareClock(): () => number {
  let k = 0;
  return () => {
    k += 1;
    return k * k;
  };
}

const base = { inputSize: 16, batch: 1, warmup: 1, repeats: 3, seed: 7 };

describe('profileSpace', () => {
  it('measures every candidate of every searchable layer on the active backend without leaking', async () => {
    const before = tf.memory().numTensors;
    const table = await profileSpace(TINY_SPACE, { ...base, adapter: 'test cpu' });
    expect(tf.memory().numTensors).toBe(before);
    expect(table.layers.map((l) => [l.layer, l.candidates])).toEqual([
      [1, ['k3_e1', 'k3_e3', 'skip']],
      [2, ['k3_e1', 'k5_e3']],
    ]);
    for (const l of table.layers) {
      expect(l.ms).toHaveLength(l.candidates.length);
      expect(l.spread).toHaveLength(l.candidates.length);
      for (const v of l.ms) expect(v).toBeGreaterThan(0);
      for (const v of l.spread) expect(v).toBeGreaterThanOrEqual(0);
    }
    expect(table.fixedMs).toBeGreaterThan(0);
    expect(table).toMatchObject({
      version: 1,
      space: 'tiny-latency',
      inputSize: 16,
      batch: 1,
      backend: 'cpu',
    });
    expect(table).toMatchObject({ adapter: 'test cpu', source: 'measured' });
    expect(tableFromJson(tableToJson(table))).toEqual(table);
  });

  it('gives exact medians and IQRs under an injected clock (interleaved rounds)', async () => {
    const table = await profileSpace(TINY_SPACE, { ...base, now: squareClock() });
    // layer 1, rounds of (k3_e1, k3_e3, skip): runs j = 1..9 -> k3_e1 gets j = 1,4,7 -> 3,15,27
    expect(table.layers[0].ms).toEqual([15, 19, 23]);
    expect(table.layers[0].spread).toEqual([12, 12, 12]);
    // layer 2, rounds of (k3_e1, k5_e3): j = 10..15 -> k3_e1 gets 39,47,55
    expect(table.layers[1].ms).toEqual([47, 51]);
    expect(table.layers[1].spread).toEqual([8, 8]);
    // fixed part: j = 16,17,18 -> 63,67,71
    expect(table.fixedMs).toBe(67);
  });

  it('reports progress for every run, warm-up included', async () => {
    const calls: [number, number, string][] = [];
    await profileSpace(TINY_SPACE, {
      ...base,
      now: squareClock(),
      onProgress: (d, t, l) => calls.push([d, t, l]),
    });
    const total = profileRuns(TINY_SPACE, 1, 3);
    expect(total).toBe((3 + 2 + 1) * 4);
    expect(calls).toHaveLength(total);
    expect(calls.map((c) => c[0])).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(calls[0]).toEqual([1, total, 'layer 1: k3_e1']);
    expect(calls.at(-1)).toEqual([total, total, 'fixed blocks and head']);
  });

  it('stops with an AbortError when the signal fires, disposing everything', async () => {
    const before = tf.memory().numTensors;
    const ctrl = new AbortController();
    let runs = 0;
    const p = profileSpace(TINY_SPACE, {
      ...base,
      signal: ctrl.signal,
      onProgress: () => {
        // layer 1 has 3 warm-ups + 9 timed runs: run 10 is round 2 of k3_e1
        if (++runs === 10) ctrl.abort();
      },
    });
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAbortError(err)).toBe(true);
    expect((err as Error).message).toMatch(/cancelled \(at layer 1: k3_e1\)/);
    expect(runs).toBe(10);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad options', async () => {
    await expect(profileSpace(TINY_SPACE, { ...base, repeats: 0 })).rejects.toThrow(/repeats/);
    await expect(profileSpace(TINY_SPACE, { ...base, batch: 1.5 })).rejects.toThrow(/batch/);
    await expect(profileSpace(TINY_SPACE, { ...base, inputSize: 0 })).rejects.toThrow(/inputSize/);
  });
});

describe('measureArch', () => {
  it('times createModel + predict end to end', async () => {
    const before = tf.memory().numTensors;
    const arch = archFromChoices(TINY_SPACE, [1, 0], 'tiny');
    const real = await measureArch(arch, { batch: 2, warmup: 1, repeats: 3, seed: 1 });
    expect(real.n).toBe(3);
    expect(real.median).toBeGreaterThan(0);
    const fake = await measureArch(arch, { batch: 1, warmup: 2, repeats: 4, seed: 1, now: squareClock() });
    // runs j = 1..4 -> 3, 7, 11, 15
    expect(fake).toEqual({ median: 9, p25: 6, p75: 12, mad: 4, mean: 9, n: 4 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
