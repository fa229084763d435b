import { describe, expect, it } from 'vitest';
import { tableToJson } from '../nas/index.ts';
import { sampleTable } from '../nas/testing.ts';
import { memoryKV, StorageFullError, type KV } from './kv.ts';
import { LatencyTableStore, summarizeTable } from './latency-tables.ts';

describe('LatencyTableStore', () => {
  it('saves, lists, loads and deletes tables by key', async () => {
    const kv = memoryKV();
    const store = new LatencyTableStore(kv);
    const a = sampleTable();
    const b = { ...sampleTable(), backend: 'webgl', createdAt: a.createdAt + 1000 };
    const keyA = await store.saveTable(a);
    const keyB = await store.saveTable(b);
    expect(keyA).toBe('tiny-latency:16:webgpu:apple%20m2');
    expect(keyB).not.toBe(keyA);
    expect(await store.loadTable(keyA)).toEqual(a);
    const list = await store.listTables();
    expect(list.map((s) => s.key)).toEqual([keyB, keyA]); // newest first
    // fastest: 3 + 0.125 + 0.75; slowest: 3 + 1.25 + 2
    expect(list[1]).toMatchObject({
      layers: 2,
      candidates: 5,
      fixedMs: 3,
      fastestMs: 3.875,
      slowestMs: 6.25,
    });
    await store.deleteTable(keyA);
    expect(await store.loadTable(keyA)).toBeUndefined();
    expect((await store.listTables()).map((s) => s.key)).toEqual([keyB]);
  });

  it('re-measuring on the same device replaces the table', async () => {
    const store = new LatencyTableStore(memoryKV());
    await store.saveTable(sampleTable());
    await store.saveTable({ ...sampleTable(), fixedMs: 4 });
    const list = await store.listTables();
    expect(list).toHaveLength(1);
    expect(list[0].fixedMs).toBe(4);
  });

  it('exports JSON and imports it (validated), marking measured tables as imported', async () => {
    const store = new LatencyTableStore(memoryKV());
    const key = await store.saveTable(sampleTable());
    const json = await store.exportTable(key);
    const other = new LatencyTableStore(memoryKV());
    const imported = await other.importTable(json);
    expect(imported).toEqual({ ...sampleTable(), source: 'imported-json' });
    expect(await other.loadTable(key)).toEqual(imported);
    const broken = JSON.parse(json);
    broken.layers[0].ms = [1];
    await expect(other.importTable(JSON.stringify(broken))).rejects.toThrow(
      /"layers\[0\]\.ms": expected 3 entries/,
    );
    await expect(other.importTable('nope')).rejects.toThrow(/not valid JSON/);
    await expect(store.exportTable('missing')).rejects.toThrow(/No latency table "missing"/);
    const paddle = { ...sampleTable(), source: 'imported-paddleslim' as const };
    expect((await other.importTable(tableToJson(paddle))).source).toBe('imported-paddleslim');
  });

  it('rejects invalid tables on save, hides damaged entries from the list and names them on load', async () => {
    const kv = memoryKV();
    const store = new LatencyTableStore(kv);
    await expect(store.saveTable({ ...sampleTable(), fixedMs: NaN })).rejects.toThrow(/"fixedMs"/);
    const key = await store.saveTable(sampleTable());
    kv.map.set('latency:broken', { version: 1 });
    kv.map.set('run:other', { unrelated: true });
    expect((await store.listTables()).map((s) => s.key)).toEqual([key]);
    await expect(store.loadTable('broken')).rejects.toThrow(/Stored latency table "broken" is damaged/);
  });

  it('turns a quota error into StorageFullError', async () => {
    const full: KV = {
      ...memoryKV(),
      set: async () => {
        const e = new Error('quota');
        e.name = 'QuotaExceededError';
        throw e;
      },
    };
    await expect(new LatencyTableStore(full).saveTable(sampleTable())).rejects.toBeInstanceOf(
      StorageFullError,
    );
  });

  it('summarizes', () => {
    expect(summarizeTable(sampleTable()).key).toBe('tiny-latency:16:webgpu:apple%20m2');
  });
});
