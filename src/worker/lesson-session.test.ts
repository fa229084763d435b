import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LessonWeightSharingArgs, WorkerEvent } from './protocol.ts';
import { LessonSession } from './lesson-session.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const TINY: LessonWeightSharingArgs = {
  candidates: 2,
  supernetSteps: 2,
  standaloneSteps: 1,
  size: 16,
  seed: 1,
};
const held = ['k3_e3'];
const edits = { 1: held, 2: ['k3_e1', 'k3_e6', 'k5_e6'], 3: held, 4: held, 5: held };

describe('LessonSession', () => {
  it('times the edited space and returns the table (three candidates at the edited layer, one elsewhere)', async () => {
    const events: WorkerEvent[] = [];
    const s = new LessonSession((e) => events.push(e));
    const before = tf.memory().numTensors;
    const table = await s.latency(
      { space: 'classroom', edits, inputSize: 32, batch: 1, warmup: 1, repeats: 2 },
      'test',
    );
    expect(table.layers.map((l) => l.candidates.length)).toEqual([1, 3, 1, 1, 1]);
    expect(table.layers[1].rawMs!.every((v) => v > 0)).toBe(true);
    expect(table.adapter).toBe('test');
    expect(events.some((e) => e.type === 'lesson-progress' && e.what === 'latency')).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses an unknown space or a bad candidate edit with a clear message', async () => {
    const s = new LessonSession(() => {});
    const base = { edits, inputSize: 32, batch: 1, warmup: 1, repeats: 1 };
    await expect(s.latency({ ...base, space: 'nope' }, '')).rejects.toThrow(/Unknown search space/);
    await expect(s.latency({ ...base, space: 'classroom', edits: { 1: [] } }, '')).rejects.toThrow(
      /no candidates/,
    );
  });

  it('refuses weight-sharing settings beyond the lesson bounds before training anything', async () => {
    const s = new LessonSession(() => {});
    await expect(s.weightSharing({ ...TINY, candidates: 1 })).rejects.toThrow(/out of range/);
    await expect(s.weightSharing({ ...TINY, supernetSteps: 1e6 })).rejects.toThrow(/out of range/);
    await expect(s.weightSharing({ ...TINY, size: 8.5 })).rejects.toThrow(/out of range/);
  });

  it('runs a tiny check on its own supernet: both scores per candidate, τ in [-1, 1], no tensors left', async () => {
    const events: WorkerEvent[] = [];
    const s = new LessonSession((e) => events.push(e));
    const before = tf.memory().numTensors;
    const r = await s.weightSharing(TINY);
    expect(r.rows).toHaveLength(2);
    for (const row of r.rows) {
      expect(row.oneShotNme).toBeGreaterThan(0);
      expect(row.standaloneNme).toBeGreaterThan(0);
    }
    expect(Math.abs(r.tau)).toBeLessThanOrEqual(1);
    expect(tf.memory().numTensors).toBe(before);
    expect(s.stop()).toEqual({ stopped: false });
  }, 60_000);
});
