import { describe, expect, test } from 'vitest';
import { CheckpointStore } from './checkpoints.ts';
import { memoryKV, StorageFullError, type KV } from './kv.ts';

const state = (step: number) => ({ step, weights: new Float32Array([step, step + 1]) });
type State = ReturnType<typeof state>;

describe('checkpoint store', () => {
  test('saves, lists and loads the newest checkpoint, keeping only the last few', async () => {
    const kv = memoryKV();
    const store = new CheckpointStore<State>(kv, 2);
    await store.createRun('r1', 'demo', { lr: 0.1 });
    for (const step of [10, 20, 30]) await store.save('r1', step, state(step), 'auto');
    const manifest = await store.manifest('r1');
    expect(manifest!.checkpoints.map((c) => c.step)).toEqual([20, 30]);
    const latest = await store.latest('r1');
    expect(latest!.info.step).toBe(30);
    expect(Array.from(latest!.state.weights)).toEqual([30, 31]);
    // the swept checkpoint's state is gone from storage
    expect([...kv.map.keys()].filter((k) => k.includes(':ckpt:')).length).toBe(2);
  });

  test('a crash between writing the state and the manifest leaves the previous checkpoint readable', async () => {
    const kv = memoryKV();
    const store = new CheckpointStore<State>(kv);
    await store.createRun('r1', 'demo', {});
    await store.save('r1', 5, state(5), 'auto');
    let writes = 0;
    const crashing: KV = {
      ...kv,
      async set(key, value) {
        writes++;
        if (writes === 2) throw new Error('tab closed'); // the manifest update never happens
        return kv.set(key, value);
      },
    };
    await expect(new CheckpointStore(crashing).save('r1', 9, state(9), 'auto')).rejects.toThrow('tab closed');
    const latest = await store.latest('r1');
    expect(latest!.info.step).toBe(5);
    expect(Array.from(latest!.state.weights)).toEqual([5, 6]);
  });

  test('a missing state falls back to the previous listed checkpoint', async () => {
    const kv = memoryKV();
    const store = new CheckpointStore<State>(kv);
    await store.createRun('r1', 'demo', {});
    await store.save('r1', 1, state(1), 'auto');
    await store.save('r1', 2, state(2), 'auto');
    await kv.del('run:r1:ckpt:2');
    expect((await store.latest('r1'))!.info.step).toBe(1);
  });

  test('quota errors become a StorageFullError with advice, and existing data stays', async () => {
    const kv = memoryKV();
    const store = new CheckpointStore<State>(kv);
    await store.createRun('r1', 'demo', {});
    await store.save('r1', 1, state(1), 'auto');
    const full: KV = {
      ...kv,
      async set() {
        const e = new Error('The quota has been exceeded.');
        e.name = 'QuotaExceededError';
        throw e;
      },
    };
    const err = await new CheckpointStore(full).save('r1', 2, state(2), 'auto').catch((e) => e);
    expect(err).toBeInstanceOf(StorageFullError);
    expect(err.message).toMatch(/storage is full.*Delete old checkpoints/i);
    expect((await store.latest('r1'))!.info.step).toBe(1);
  });

  test('runs are listed newest first and deleting a run frees all its keys', async () => {
    const kv = memoryKV();
    const store = new CheckpointStore<State>(kv);
    await store.createRun('a', 'A', {});
    await store.save('a', 1, state(1), 'auto');
    await new Promise((r) => setTimeout(r, 5));
    await store.createRun('b', 'B', {});
    expect((await store.listRuns()).map((r) => r.runId)).toEqual(['b', 'a']);
    await store.deleteRun('a');
    expect([...kv.map.keys()].some((k) => k.startsWith('run:a'))).toBe(false);
    expect((await store.listRuns()).map((r) => r.runId)).toEqual(['b']);
  });
});
