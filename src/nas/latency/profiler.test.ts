import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
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

/** Clock that makes the k-th timed run (start and stop readings) last durations[k] ms. */
function scriptedClock(durations: number[]): () => number {
  let t = 100;
  let k = 0;
  let started = false;
  return () => {
    if (started) t += durations[k++];
    started = !started;
    return t;
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
      expect(l.rawMs).toHaveLength(l.candidates.length);
      expect(l.overheadMs).toBeGreaterThan(0);
      l.rawMs!.forEach((raw, j) => {
        expect(raw).toBeGreaterThan(0);
        expect(l.ms[j]).toBe(Math.max(0, raw - l.overheadMs!));
      });
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

  it('subtracts the readback probe median from every candidate median (interleaved rounds)', async () => {
    // timed runs in order: layer 1 rounds of (k3_e1, k3_e3, skip, probe) x3, layer 2 rounds of
    // (k3_e1, k5_e3, probe) x3, then the fixed part x3
    const durations = [
      ...[5, 10, 1, 2],
      ...[6, 2.5, 1.5, 1],
      ...[9, 12, 0.5, 3],
      ...[4, 7, 1],
      ...[4.5, 8, 1.5],
      ...[5, 9, 2],
      ...[20, 22, 21],
    ];
    const table = await profileSpace(TINY_SPACE, { ...base, now: scriptedClock(durations) });
    const [l1, l2] = table.layers;
    // probe medians: median(2, 1, 3) = 2 and median(1, 1.5, 2) = 1.5
    expect(l1.overheadMs).toBe(2);
    expect(l2.overheadMs).toBe(1.5);
    // raw medians: k3_e1 (5,6,9) -> 6, k3_e3 (10,2.5,12) -> 10, skip (1,1.5,0.5) -> 1, clamped at 0
    expect(l1.rawMs).toEqual([6, 10, 1]);
    expect(l1.ms).toEqual([4, 8, 0]);
    // IQRs of the raw samples (linear quantiles): (5,6,9) -> 7.5 - 5.5; (2.5,10,12) -> 11 - 6.25
    expect(l1.spread).toEqual([2, 4.75, 0.5]);
    expect(l2.rawMs).toEqual([4.5, 8]);
    expect(l2.ms).toEqual([3, 6.5]);
    // the fixed part keeps its one readback: plain median
    expect(table.fixedMs).toBe(21);
    expect(tableFromJson(tableToJson(table))).toStrictEqual(table);
  });

  it('reads back one tensor per run (the fixed part only reads the head output)', async () => {
    const spy = vi.spyOn(tf.Tensor.prototype, 'data');
    try {
      await profileSpace(TINY_SPACE, { ...base, now: squareClock() });
      expect(spy).toHaveBeenCalledTimes(profileRuns(TINY_SPACE, base.warmup, base.repeats));
    } finally {
      spy.mockRestore();
    }
  });

  it('reports progress for every run, warm-up included', async () => {
    const calls: [number, number, string][] = [];
    await profileSpace(TINY_SPACE, {
      ...base,
      now: squareClock(),
      onProgress: (d, t, l) => calls.push([d, t, l]),
    });
    const total = profileRuns(TINY_SPACE, 1, 3);
    expect(total).toBe((3 + 1 + 2 + 1 + 1) * 4);
    expect(calls).toHaveLength(total);
    expect(calls.map((c) => c[0])).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(calls[0]).toEqual([1, total, 'layer 1: k3_e1']);
    expect(calls[3]).toEqual([4, total, 'layer 1: readback probe']);
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
        // layer 1 has 4 warm-ups (3 candidates + probe), then rounds of 4: run 9 is round 2 of k3_e1
        if (++runs === 9) ctrl.abort();
      },
    });
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAbortError(err)).toBe(true);
    expect((err as Error).message).toMatch(/cancelled \(at layer 1: k3_e1\)/);
    expect(runs).toBe(9);
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
