/**
 * Faults injected into dataset imports at every write they make: a tab closed mid-chunk, a full disk,
 * damaged chunks and manifests. "Acknowledged" = the samples of every appendSamples call that resolved;
 * they must survive, and an unfinished import must never load as a dataset.
 */
import { describe, expect, test } from 'vitest';
import { memoryKV, StorageFullError } from './kv.ts';
import { FaultyKV } from './faulty-kv.ts';
import { CorruptRecordError } from './integrity.ts';
import { CHUNK, DatasetStore } from './datasets.ts';
import { importDataset, ImportBusyError } from './datasets-import.ts';
import { memoryLocks } from './locks.ts';
import { NUM_COORDS, parseList, Rng } from '../nas/index.ts';
import { logFault } from '../../scripts/fault-log.ts';

const SIZE = 4;
const PX = SIZE * SIZE * 3;
const TOTAL = 2 * CHUNK + 9;
/** Uneven batches, so appends rewrite half-filled chunks (the riskiest write). */
const BATCHES = [40, 40, 40, TOTAL - 120];

function sourceData(seed = 7) {
  const rng = new Rng(seed);
  const images = new Uint8Array(TOTAL * PX).map(() => Math.floor(rng.next() * 256));
  const landmarks = new Float32Array(TOTAL * NUM_COORDS).map(() => rng.next());
  return { images, landmarks };
}
const SRC = sourceData();
const slice = (from: number, n: number) =>
  [
    SRC.images.subarray(from * PX, (from + n) * PX),
    SRC.landmarks.subarray(from * NUM_COORDS, (from + n) * NUM_COORDS),
  ] as const;

/**
 * Imports through `store` batch by batch, or resumes an unfinished import from sample `resumeFrom`;
 * returns how many samples were acknowledged.
 */
async function importBatches(store: DatasetStore, name: string, resumeFrom?: number): Promise<number> {
  const from = resumeFrom ?? 0;
  let acked = from;
  try {
    if (resumeFrom === undefined) await store.beginImport(name, SIZE, { total: TOTAL });
    let at = 0;
    for (const n of BATCHES) {
      if (at >= from) {
        await store.appendSamples(name, ...slice(at, n));
        acked = at + n;
      }
      at += n;
    }
    await store.finishImport(name);
  } catch {
    // the fault: what was acknowledged is checked by the caller
  }
  return acked;
}

/** The stored dataset equals the source exactly. */
async function complete(store: DatasetStore, name: string): Promise<boolean> {
  const ds = await store.loadDataset(name);
  return (
    ds.count === TOTAL &&
    Buffer.from(ds.images).equals(Buffer.from(SRC.images)) &&
    ds.landmarks.every((v, i) => v === SRC.landmarks[i])
  );
}

/** Writes a full import makes (begin, per batch its chunk writes and the manifest, finish). */
async function countWrites(): Promise<number> {
  const kv = new FaultyKV(memoryKV());
  let writes = 0;
  kv.arm({ kind: 'stall', at: Infinity, match: () => (writes++, true) });
  await importBatches(new DatasetStore(kv), 'count');
  return writes;
}

describe('dataset imports under injected faults', () => {
  test('fault: reload mid dataset import chunk — acknowledged chunks survive, the partial import never loads, resume completes it', async () => {
    const writes = await countWrites();
    expect(writes).toBeGreaterThan(BATCHES.length * 2);
    let runs = 0;
    let survived = 0;
    for (let at = 1; at <= writes; at++) {
      const disk = memoryKV();
      const tab = new FaultyKV(disk);
      tab.arm({ kind: 'crash', at });
      const acked = await importBatches(new DatasetStore(tab), 'faces');
      runs++;
      const fresh = new DatasetStore(disk);
      const m = await fresh.manifest('faces');
      let ok = tab.fired;
      if (!m) {
        ok &&= at === 1; // only the very first write (the manifest) may leave nothing behind
        ok &&= (await importBatches(fresh, 'faces')) === TOTAL;
      } else if (m.status === 'complete') {
        ok = false; // the write marking it complete is the last one, and it failed
      } else {
        ok &&= m.count === acked && m.nextIndex === acked;
        ok &&= (await fresh.loadDataset('faces').then(
          () => false,
          (e: Error) => /still importing/.test(e.message),
        )) as boolean;
        ok &&= (await importBatches(fresh, 'faces', acked)) === TOTAL;
      }
      ok &&= await complete(fresh, 'faces');
      if (ok) survived++;
    }
    logFault('reload mid dataset import chunk', runs, survived);
    expect(survived).toBe(runs);
  });

  test('fault: quota exceeded while importing — StorageFullError with advice, import left resumable, nothing half-written loads', async () => {
    const writes = await countWrites();
    let runs = 0;
    let survived = 0;
    for (let at = 1; at <= writes; at++) {
      const disk = memoryKV();
      const kv = new FaultyKV(disk);
      const store = new DatasetStore(kv);
      kv.arm({ kind: 'quota', at });
      let error: unknown = null;
      let acked = 0;
      try {
        await store.beginImport('faces', SIZE, { total: TOTAL });
        let from = 0;
        for (const n of BATCHES) {
          await store.appendSamples('faces', ...slice(from, n));
          from += n;
          acked = from;
        }
        await store.finishImport('faces');
      } catch (e) {
        error = e;
      }
      runs++;
      let ok =
        error instanceof StorageFullError && /storage is full.*Delete old .*datasets/i.test(error.message);
      const m = await store.manifest('faces');
      ok &&= m === undefined ? at === 1 : m.status === 'importing' && m.count === acked;
      if (m)
        ok &&= await store.loadDataset('faces').then(
          () => false,
          () => true,
        );
      kv.clear(); // space freed
      ok &&= (await importBatches(store, 'faces', m ? acked : undefined)) === TOTAL;
      ok &&= await complete(store, 'faces');
      if (ok) survived++;
    }
    // the same through the import pipeline: it stops with the message and resumes to the same data
    {
      const lines = Array.from({ length: 70 }, (_, i) =>
        [
          `imgs/${i}.png`,
          ...Array.from(SRC.landmarks.subarray(i * NUM_COORDS, (i + 1) * NUM_COORDS), (v) => v.toFixed(6)),
        ].join(' '),
      );
      const list = parseList(lines.join('\n'));
      const loadImage = async (path: string) => {
        const i = Number(/(\d+)\.png/.exec(path)![1]);
        return { width: SIZE, height: SIZE, rgb: SRC.images.slice(i * PX, (i + 1) * PX) };
      };
      const kv = new FaultyKV(memoryKV());
      const store = new DatasetStore(kv);
      kv.arm({ kind: 'quota', at: 4 }); // begin, chunk 0, manifest, then the second chunk's write fails
      runs++;
      const err = await importDataset({ store, name: 'p', size: SIZE, list, loadImage }).catch((e) => e);
      let ok = err instanceof StorageFullError;
      ok &&= (await store.manifest('p'))?.count === CHUNK;
      kv.clear();
      const r = await importDataset({ store, name: 'p', size: SIZE, list, loadImage, resume: true });
      const ds = await store.loadDataset('p');
      ok &&= r.status === 'complete' && ds.count === 70;
      ok &&= Buffer.from(ds.images).equals(Buffer.from(SRC.images.subarray(0, 70 * PX)));
      if (ok) survived++;
    }
    logFault('quota exceeded while importing', runs, survived);
    expect(survived).toBe(runs);
  });

  test('fault: corrupted dataset record — detected by length or checksum, reported by chunk, the rest usable', async () => {
    type Disk = ReturnType<typeof memoryKV>;
    const damages: [string, (kv: Disk) => void, RegExp][] = [
      ['garbage bytes', (kv) => kv.map.set('ds:a:img:1', new Uint8Array([1, 2, 3])), /chunk 1.*shorter/],
      [
        'truncated landmarks',
        (kv) => kv.map.set('ds:a:lmk:0', (kv.map.get('ds:a:lmk:0') as Float32Array).slice(0, 100)),
        /chunk 0.*shorter/,
      ],
      [
        'one flipped byte',
        (kv) => ((kv.map.get('ds:a:img:2') as Uint8Array)[5] ^= 0x10),
        /chunk 2.*checksum mismatch/,
      ],
      ['a foreign value', (kv) => kv.map.set('ds:a:lmk:1', 'hello'), /chunk 1.*wrong kind/],
      [
        'manifest points at a missing chunk',
        (kv) => kv.map.delete('ds:a:img:2'),
        /chunk 2 is damaged \(missing\)/,
      ],
    ];
    let runs = 0;
    let survived = 0;
    for (const [, damage, reason] of damages) {
      const disk = memoryKV();
      const store = new DatasetStore(disk);
      await importBatches(store, 'a');
      await importBatches(store, 'b');
      damage(disk);
      runs++;
      const err = await store.loadDataset('a').catch((e) => e);
      let ok = err instanceof CorruptRecordError && reason.test(err.message) && /re-import/.test(err.message);
      ok &&= await complete(store, 'b'); // the other dataset is untouched
      await store.deleteDataset('a');
      ok &&= (await store.listDatasets()).map((m) => m.name).join() === 'b';
      ok &&= (await importBatches(store, 'a')) === TOTAL && (await complete(store, 'a'));
      if (ok) survived++;
    }
    // a damaged chunk under an unfinished import is caught before an append builds on it
    {
      const disk = memoryKV();
      const store = new DatasetStore(disk);
      await store.beginImport('u', SIZE);
      await store.appendSamples('u', ...slice(0, 10));
      (disk.map.get('ds:u:lmk:0') as Float32Array)[3] += 1;
      runs++;
      const err = await store.appendSamples('u', ...slice(10, 10)).catch((e) => e);
      if (err instanceof CorruptRecordError && /chunk 0.*checksum/.test(err.message)) survived++;
    }
    // a manifest full of garbage: reported, the other datasets listed and loadable
    {
      const disk = memoryKV();
      const store = new DatasetStore(disk);
      await importBatches(store, 'b');
      disk.map.set('ds:bad', new Uint8Array(9));
      disk.map.set('ds:worse', { name: 'worse', count: -1 });
      runs++;
      const { datasets, damaged } = await store.listDatasetsChecked();
      let ok = datasets.map((m) => m.name).join() === 'b' && damaged.length === 2;
      ok &&= (await store.loadDataset('bad').catch((e) => e)) instanceof CorruptRecordError;
      ok &&= await complete(store, 'b');
      await store.deleteDataset('bad');
      ok &&= !disk.map.has('ds:bad');
      if (ok) survived++;
    }
    logFault('corrupted dataset record', runs, survived);
    expect(survived).toBe(runs);
  });

  test('fault: two tabs importing one dataset — the second is told and refused, the first completes intact', async () => {
    const locks = memoryLocks();
    const disk = memoryKV();
    const lines = Array.from({ length: 70 }, (_, i) =>
      [
        `imgs/${i}.png`,
        ...Array.from(SRC.landmarks.subarray(i * NUM_COORDS, (i + 1) * NUM_COORDS), String),
      ].join(' '),
    );
    const list = parseList(lines.join('\n'));
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const loadImage = async (path: string) => {
      const i = Number(/(\d+)\.png/.exec(path)![1]);
      if (i === 30) await gate; // tab A is mid-import when tab B starts
      return { width: SIZE, height: SIZE, rgb: SRC.images.slice(i * PX, (i + 1) * PX) };
    };
    const opts = { name: 'same', size: SIZE, list, loadImage, locks };
    const tabA = importDataset({ ...opts, store: new DatasetStore(disk) });
    await new Promise((r) => setTimeout(r, 20));
    const tabB = await importDataset({ ...opts, store: new DatasetStore(disk), resume: true }).catch(
      (e) => e,
    );
    release();
    const a = await tabA;
    const ds = await new DatasetStore(disk).loadDataset('same');
    const ok =
      tabB instanceof ImportBusyError &&
      /being imported in another tab/.test(tabB.message) &&
      a.status === 'complete' &&
      ds.count === 70 &&
      Buffer.from(ds.images).equals(Buffer.from(SRC.images.subarray(0, 70 * PX)));
    logFault('two tabs importing one dataset', 1, ok ? 1 : 0);
    expect(ok).toBe(true);
  });

  test('a dataset stored before checksums existed loads as legacy-valid', async () => {
    const disk = memoryKV();
    const store = new DatasetStore(disk);
    await importBatches(store, 'old');
    const m = disk.map.get('ds:old') as Record<string, unknown>;
    delete m.chunkSums;
    expect(await complete(store, 'old')).toBe(true);
    // and an unfinished legacy import still resumes
    await store.beginImport('half', SIZE, { total: TOTAL });
    await store.appendSamples('half', ...slice(0, 40));
    delete (disk.map.get('ds:half') as Record<string, unknown>).chunkSums;
    expect(await importBatches(store, 'half', 40)).toBe(TOTAL);
    expect(await complete(store, 'half')).toBe(true);
  });
});
