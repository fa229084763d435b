import { describe, expect, it } from 'vitest';
import { initialState } from '../nas/index.ts';
import { DEFAULT_V3_SETTINGS, jointConfigOf } from '../worker/v3-session.ts';
import { memoryKV } from './kv.ts';
import {
  V3_KEY,
  V3_WEIGHTS_PREFIX,
  V3CheckpointStore,
  type KeptWeights,
  type StoredV3,
} from './v3-checkpoint.ts';

const stored = (): StoredV3 => ({
  settings: { ...DEFAULT_V3_SETTINGS },
  state: initialState(jointConfigOf(DEFAULT_V3_SETTINGS)),
});

describe('V3CheckpointStore', () => {
  it('saves and loads the latest search state; clear removes it', async () => {
    const kv = memoryKV();
    const store = new V3CheckpointStore(kv);
    expect(await store.load()).toEqual({ value: null });
    const a = stored();
    await store.save(a);
    const b = stored();
    b.state.trained.push({ ...b.state.queue.shift()!, curve: [30, 20, 10], macs: 1e6 });
    await store.save(b);
    const r = await store.load();
    expect(r.value).toEqual(b);
    expect(r.value!.state.trained).toHaveLength(1);
    await store.clear();
    expect((await store.load()).value).toBeNull();
  });

  it('refuses and deletes a damaged or foreign record with a message', async () => {
    const kv = memoryKV();
    const store = new V3CheckpointStore(kv);
    type Rec = { value: StoredV3; bytes: number; checksum: number };
    const damage: [(rec: Rec) => void, RegExp][] = [
      [
        (rec) => (rec.value.state.pool[0][0] = rec.value.state.pool[0][0] === 32 ? 33 : 32),
        /checksum|length/,
      ],
      [(rec) => rec.value.state.pool.pop(), /length \d+, expected \d+/],
      [(rec) => (rec.checksum ^= 1), /checksum mismatch/],
    ];
    for (const [d, msg] of damage) {
      await store.save(stored());
      d(kv.map.get(V3_KEY) as Rec);
      const r = await store.load();
      expect(r.value).toBeNull();
      expect(r.problem).toMatch(msg);
      expect(r.problem).toMatch(/it was discarded/);
      expect(kv.map.has(V3_KEY)).toBe(false);
    }
    // intact but not a joint-search state of a known version
    const foreign = stored() as unknown as { state: { version: number } };
    foreign.state.version = 7;
    await store.save(foreign as unknown as StoredV3);
    expect((await store.load()).problem).toMatch(/known version/);
    kv.map.set(V3_KEY, 'garbage');
    expect((await store.load()).problem).toMatch(/not a checkpoint record/);
    expect(kv.map.has(V3_KEY)).toBe(false);
  });
});

describe('V3CheckpointStore: kept networks', () => {
  const kept = (key: string, v: number): KeptWeights => ({
    key,
    budget: 1.5e6,
    weights: { 'body/0/w': { shape: [2, 2], data: new Float32Array([v, 2, 3, 4]) } },
  });

  it('keeps one record per trained network beside the checkpoint; clear removes them with the search', async () => {
    const kv = memoryKV();
    const store = new V3CheckpointStore(kv);
    expect(await store.loadWeights()).toEqual({ value: {} });
    await store.save(stored());
    await store.saveWeights(kept('1,2', 1));
    await store.saveWeights(kept('3,4', 5));
    const r = await store.loadWeights();
    expect(r.problem).toBeUndefined();
    expect(Object.keys(r.value).sort()).toEqual(['1,2', '3,4']);
    expect(r.value['3,4'].weights['body/0/w'].data).toEqual(new Float32Array([5, 2, 3, 4]));
    // a fresh search drops the networks of the last one but not the checkpoint
    await store.clearWeights();
    expect((await store.loadWeights()).value).toEqual({});
    expect((await store.load()).value).not.toBeNull();
    await store.saveWeights(kept('1,2', 1));
    await store.clear();
    expect([...kv.map.keys()]).toEqual([]);
  });

  it('refuses and deletes a damaged network with a message, keeping the intact ones', async () => {
    const kv = memoryKV();
    const store = new V3CheckpointStore(kv);
    await store.saveWeights(kept('1,2', 1));
    await store.saveWeights(kept('3,4', 5));
    type Rec = { value: KeptWeights };
    (kv.map.get(`${V3_WEIGHTS_PREFIX}3,4`) as Rec).value.weights['body/0/w'].data[1] = 7;
    const r = await store.loadWeights();
    expect(Object.keys(r.value)).toEqual(['1,2']);
    expect(r.problem).toMatch(/weights of 1 trained FBNetV3 network was damaged and discarded/);
    expect(kv.map.has(`${V3_WEIGHTS_PREFIX}3,4`)).toBe(false);
    kv.map.set(`${V3_WEIGHTS_PREFIX}5,6`, 'garbage');
    expect((await store.loadWeights()).problem).toMatch(/damaged/);
  });
});
