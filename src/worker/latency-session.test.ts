import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { predictLatency, DEFAULT_EXPERIMENT } from '../nas/index.ts';
import { memoryKV } from '../storage/kv.ts';
import { LatencyTableStore } from '../storage/latency-tables.ts';
import { LatencySession } from './latency-session.ts';
import { loadLatencyTable } from './latency-lookup.ts';
import type { WorkerEvent } from './protocol.ts';

/** Two candidates per layer keep the classroom profile to a few dozen tiny forwards. */
const EDITS = {
  1: ['k3_e1', 'skip'],
  2: ['k3_e1', 'skip'],
  3: ['k3_e1', 'skip'],
  4: ['k3_e1', 'skip'],
  5: ['k3_e1', 'skip'],
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('LatencySession', () => {
  it('profiles, stores, exports/imports, looks up and checks a table', async () => {
    const events: WorkerEvent[] = [];
    const store = new LatencyTableStore(memoryKV());
    const session = new LatencySession((e) => events.push(e), store);
    const before = tf.memory().numTensors;
    const summary = await session.profile(
      { space: 'classroom', edits: EDITS, inputSize: 16, batch: 1, warmup: 0, repeats: 1 },
      'test adapter',
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(summary).toMatchObject({
      space: 'classroom',
      inputSize: 16,
      backend: 'cpu',
      adapter: 'test adapter',
    });
    expect(summary.layers).toBe(5);
    const progress = events.filter((e) => e.type === 'latency-progress');
    expect(progress.length).toBeGreaterThan(5);
    expect(progress.at(-1)).toMatchObject({ done: 16, total: 16 }); // (10 candidates + 5 readback probes + fixed) × 1 run

    expect((await session.list()).map((t) => t.key)).toEqual([summary.key]);
    const lookup = await loadLatencyTable(summary.key, undefined, store);
    const table = await session.get(summary.key);
    expect(lookup).toEqual({ costTable: table.layers.map((l) => l.ms), fixedMs: table.fixedMs });
    expect(await loadLatencyTable('nothing', undefined, store)).toBeUndefined();
    // a table measured for another setup is refused with the reason, not fed to the trainer
    const config = {
      ...DEFAULT_EXPERIMENT,
      space: 'classroom',
      candidateEdits: EDITS,
      loss: { ...DEFAULT_EXPERIMENT.loss, cost: 'latency' as const },
    };
    await expect(loadLatencyTable(summary.key, { ...config, inputSize: 16 }, store)).resolves.toBeDefined();
    await expect(loadLatencyTable(summary.key, { ...config, inputSize: 64 }, store)).rejects.toThrow(
      /does not fit this experiment: the table was measured at 16px, not 64px/,
    );

    const { json } = await session.exportJson(summary.key);
    await session.remove(summary.key);
    expect(await session.list()).toEqual([]);
    const report = await session.import({ text: json, space: 'classroom', edits: {}, inputSize: 16 });
    expect(report).toMatchObject({ format: 'json', unmapped: [] });
    expect(report.summary.source).toBe('imported-json');

    const check = await session.check({ key: summary.key, samples: 3, warmup: 0, repeats: 1, seed: 3 });
    expect(check.points).toHaveLength(3);
    for (const p of check.points) {
      expect(p.predicted).toBeCloseTo(predictLatency(table, p.choices), 9);
      expect(p.measured).toBeGreaterThanOrEqual(0);
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 30_000);

  it('cancels a measurement without saving a table', async () => {
    const store = new LatencyTableStore(memoryKV());
    let session!: LatencySession;
    session = new LatencySession((e) => {
      if (e.type === 'latency-progress' && e.done === 2) session.cancel();
    }, store);
    await expect(
      session.profile(
        { space: 'classroom', edits: EDITS, inputSize: 16, batch: 1, warmup: 0, repeats: 1 },
        '',
      ),
    ).rejects.toMatchObject({ code: 'cancelled' });
    expect(await store.listTables()).toEqual([]);
    expect(session.cancel()).toEqual({ cancelled: false });
  });

  it('rejects text that is neither JSON nor PaddleSlim', async () => {
    const session = new LatencySession(() => undefined, new LatencyTableStore(memoryKV()));
    await expect(
      session.import({ text: 'hello world', space: 'classroom', edits: {}, inputSize: 16 }),
    ).rejects.toThrow(/PaddleSlim/);
  });
});
