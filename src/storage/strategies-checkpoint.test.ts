import { describe, expect, it } from 'vitest';
import { memoryKV } from './kv.ts';
import {
  LEGACY_STRATEGIES_KEY,
  STRATEGIES_KEY,
  StrategiesCheckpointStore,
  type LegacyStorage,
} from './strategies-checkpoint.ts';

interface State {
  version: 1;
  runs: { records: number[] }[];
}
const isState = (s: unknown): s is State => !!s && typeof s === 'object' && (s as State).version === 1;
const state = (n: number): State => ({
  version: 1,
  runs: [{ records: Array.from({ length: n }, (_, i) => i) }],
});

function fakeLocalStorage(
  entries: Record<string, string> = {},
): LegacyStorage & { map: Map<string, string> } {
  const map = new Map(Object.entries(entries));
  return { map, getItem: (k) => map.get(k) ?? null, removeItem: (k) => void map.delete(k) };
}

describe('StrategiesCheckpointStore', () => {
  it('saves and loads the latest checkpoint; clear removes it', async () => {
    const kv = memoryKV();
    const store = new StrategiesCheckpointStore(kv, isState);
    expect(await store.load()).toEqual({ value: null });
    await store.save({ runId: 'r1', state: state(3) });
    await store.save({ runId: 'r1', state: state(5) });
    expect(await store.load()).toEqual({ value: { runId: 'r1', state: state(5) } });
    await store.clear();
    expect((await store.load()).value).toBeNull();
  });

  it('refuses and deletes a damaged record (checksum, length, shape) with a message', async () => {
    const kv = memoryKV();
    const store = new StrategiesCheckpointStore(kv, isState);
    const damage: ((rec: { value: { state: State }; bytes: number; checksum: number }) => void)[] = [
      (rec) => (rec.value.state.runs[0].records[1] = 99), // same length, other content
      (rec) => rec.value.state.runs[0].records.pop(), // truncated
      (rec) => (rec.checksum ^= 1),
    ];
    for (const d of damage) {
      await store.save({ runId: 'r1', state: state(4) });
      d(kv.map.get(STRATEGIES_KEY) as never);
      const r = await store.load();
      expect(r.value).toBeNull();
      expect(r.problem).toMatch(/damaged \((checksum mismatch|length \d+, expected \d+)\); it was discarded/);
      expect(kv.map.has(STRATEGIES_KEY)).toBe(false);
    }
    kv.map.set(STRATEGIES_KEY, 'garbage');
    expect((await store.load()).problem).toMatch(/not a checkpoint record/);
  });

  it('moves a localStorage checkpoint of an earlier version into IndexedDB once, and removes it there', async () => {
    const kv = memoryKV();
    const old = { runId: 'r0', state: state(2) };
    const ls = fakeLocalStorage({ [LEGACY_STRATEGIES_KEY]: JSON.stringify(old), other: 'kept' });
    const store = new StrategiesCheckpointStore(kv, isState, ls);
    expect(await store.load()).toEqual({ value: old });
    expect(ls.map.has(LEGACY_STRATEGIES_KEY)).toBe(false);
    expect(ls.map.get('other')).toBe('kept');
    // once: a legacy entry that reappears later is not read again by this store
    await store.save({ runId: 'r1', state: state(6) });
    ls.map.set(LEGACY_STRATEGIES_KEY, JSON.stringify(old));
    expect((await store.load()).value?.runId).toBe('r1');
    // a fresh page: the IndexedDB record is newer than any legacy entry and wins; the entry goes
    const next = new StrategiesCheckpointStore(kv, isState, ls);
    expect((await next.load()).value?.runId).toBe('r1');
    expect(ls.map.has(LEGACY_STRATEGIES_KEY)).toBe(false);
  });

  it('drops an unreadable or foreign localStorage entry without failing', async () => {
    for (const raw of [
      '{not json',
      JSON.stringify({ runId: 3, state: state(1) }),
      JSON.stringify({ runId: 'x', state: { version: 2 } }),
    ]) {
      const kv = memoryKV();
      const ls = fakeLocalStorage({ [LEGACY_STRATEGIES_KEY]: raw });
      const store = new StrategiesCheckpointStore(kv, isState, ls);
      expect(await store.load()).toEqual({ value: null });
      expect(ls.map.size).toBe(0);
      expect(kv.map.size).toBe(0);
    }
    const throwing: LegacyStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      removeItem: () => undefined,
    };
    expect(await new StrategiesCheckpointStore(memoryKV(), isState, throwing).load()).toEqual({
      value: null,
    });
  });
});
