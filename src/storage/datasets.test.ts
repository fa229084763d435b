import { describe, expect, test } from 'vitest';
import { memoryKV, type KV } from './kv.ts';
import { CHUNK, DatasetExistsError, DatasetStore } from './datasets.ts';
import { importDataset } from './datasets-import.ts';
import { parseList, decodePng, encodePng, generateFace, NUM_COORDS } from '../nas/index.ts';

const SIZE = 12;
const N = CHUNK + 6; // crosses a chunk boundary

/** An in-memory "folder": list.txt text plus PNG files, built from synthetic faces. */
function folder(n = N, missing: number[] = []) {
  const files = new Map<string, Uint8Array>();
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const f = generateFace(i, SIZE, 0.3);
    const path = `train_data/imgs/${i}.png`;
    if (!missing.includes(i)) files.set(path, encodePng(f.image, SIZE, SIZE, 1));
    lines.push([path, ...Array.from(f.landmarks, (v) => v.toFixed(6))].join(' '));
  }
  const loadImage = async (path: string) => {
    const bytes = files.get(path);
    return bytes ? decodePng(bytes) : null;
  };
  return { list: parseList(lines.join('\n')), loadImage, files };
}

const snapshot = (kv: ReturnType<typeof memoryKV>) => [...kv.map.keys()].sort();

describe('dataset store', () => {
  test('complete import: listed as complete, loads back every sample', async () => {
    const kv = memoryKV();
    const store = new DatasetStore(kv);
    const { list, loadImage, files } = folder();
    const progress: number[] = [];
    const r = await importDataset({
      store,
      name: 'jd',
      size: SIZE,
      list,
      loadImage,
      onProgress: (p) => progress.push(p.processed),
    });
    expect(r.status).toBe('complete');
    expect(progress.at(-1)).toBe(N);
    const [m] = await store.listDatasets();
    expect(m).toMatchObject({
      name: 'jd',
      status: 'complete',
      count: N,
      size: SIZE,
      nextIndex: N,
      problemCount: 0,
    });
    expect(m.bytes).toBe(N * (SIZE * SIZE * 3 + NUM_COORDS * 4));
    expect(await store.datasetBytes()).toBe(m.bytes);
    const ds = await store.loadDataset('jd');
    expect(ds.count).toBe(N);
    const px = SIZE * SIZE * 3;
    const last = decodePng(files.get(`train_data/imgs/${N - 1}.png`)!).rgb;
    expect(Buffer.from(ds.images.subarray((N - 1) * px)).equals(Buffer.from(last))).toBe(true);
    expect(ds.landmarks[(N - 1) * NUM_COORDS + 7]).toBeCloseTo(list.samples[N - 1].landmarks[7], 6);
    await expect(store.beginImport('jd', SIZE)).rejects.toBeInstanceOf(DatasetExistsError);
  });

  test('an import cancelled midway is listed as incomplete, cannot be loaded, and resumes to the same data', async () => {
    const kv = memoryKV();
    const store = new DatasetStore(kv);
    const { list, loadImage } = folder();
    const ctrl = new AbortController();
    const r1 = await importDataset({
      store,
      name: 'part',
      size: SIZE,
      list,
      loadImage,
      signal: ctrl.signal,
      onProgress: (p) => p.processed === 40 && ctrl.abort(),
    });
    expect(r1.status).toBe('cancelled');
    const [m] = await store.listDatasets();
    expect(m).toMatchObject({ status: 'importing', nextIndex: 40, count: 40 });
    await expect(store.loadDataset('part')).rejects.toThrow(/still importing/);
    const r2 = await importDataset({ store, name: 'part', size: SIZE, list, loadImage, resume: true });
    expect(r2.status).toBe('complete');
    const resumed = await store.loadDataset('part');
    const kv2 = memoryKV();
    const store2 = new DatasetStore(kv2);
    await importDataset({ store: store2, name: 'part', size: SIZE, list, loadImage });
    const direct = await store2.loadDataset('part');
    expect(Buffer.from(resumed.images).equals(Buffer.from(direct.images))).toBe(true);
    expect(Array.from(resumed.landmarks)).toEqual(Array.from(direct.landmarks));
  });

  test('a crash between chunk write and manifest update never counts the chunk; resume rewrites it', async () => {
    const kv = memoryKV();
    const store = new DatasetStore(kv);
    const { list, loadImage } = folder(10);
    let sets = 0;
    const crashing: KV = {
      ...kv,
      async set(key, value) {
        if (key.startsWith('ds:') && !key.slice(3).includes(':') && ++sets === 2)
          throw new Error('tab closed');
        return kv.set(key, value);
      },
    };
    await expect(
      importDataset({ store: new DatasetStore(crashing), name: 'c', size: SIZE, list, loadImage }),
    ).rejects.toThrow('tab closed');
    expect(await store.manifest('c')).toMatchObject({ status: 'importing', count: 0, nextIndex: 0 });
    expect(
      (await importDataset({ store, name: 'c', size: SIZE, list, loadImage, resume: true })).status,
    ).toBe('complete');
    expect((await store.loadDataset('c')).count).toBe(10);
  });

  test('discard and delete free every key', async () => {
    const kv = memoryKV();
    const store = new DatasetStore(kv);
    const { list, loadImage } = folder();
    const ctrl = new AbortController();
    await importDataset({
      store,
      name: 'a',
      size: SIZE,
      list,
      loadImage,
      signal: ctrl.signal,
      onProgress: (p) => p.processed === 70 && ctrl.abort(),
    });
    await importDataset({ store, name: 'b', size: SIZE, list, loadImage });
    expect(snapshot(kv).some((k) => k.startsWith('ds:a:img:'))).toBe(true);
    await store.discardImport('a');
    expect(snapshot(kv).filter((k) => k.startsWith('ds:a'))).toEqual([]);
    expect((await store.listDatasets()).map((m) => m.name)).toEqual(['b']);
    await store.deleteDataset('b');
    expect(kv.map.size).toBe(0);
  });

  test('missing images: skip reports the line and continues; abort stops and discards', async () => {
    const { list, loadImage } = folder(8, [2, 5]);
    const kv = memoryKV();
    const store = new DatasetStore(kv);
    const r = await importDataset({ store, name: 's', size: SIZE, list, loadImage, policy: 'skip' });
    expect(r.status).toBe('complete');
    expect(r.problems.map((p) => p.line)).toEqual([3, 6]);
    expect(r.problems[0].reason).toMatch(/train_data\/imgs\/2.png" not found/);
    expect(r.manifest).toMatchObject({ count: 6, nextIndex: 8, problemCount: 2 });
    const full = folder(8);
    const failing = async (path: string) => {
      if (path.endsWith('/5.png')) throw new Error('corrupt JPEG');
      return full.loadImage(path);
    };
    const kv2 = memoryKV();
    const r2 = await importDataset({
      store: new DatasetStore(kv2),
      name: 'x',
      size: SIZE,
      list: full.list,
      loadImage: failing,
      policy: 'abort',
    });
    expect(r2.status).toBe('aborted');
    expect(r2.problems).toEqual([
      { line: 6, reason: expect.stringMatching(/could not be loaded: corrupt JPEG/) },
    ]);
    expect(kv2.map.size).toBe(0);
  });

  test('pixel landmarks are normalised by the decoded size; images are resized to the stored size', async () => {
    const f = generateFace(1, 20, 0);
    const text = ['p.png', ...Array.from(f.landmarks, (v) => (v * 20).toFixed(4))].join(' ');
    const list = parseList(text);
    expect(list.coords).toBe('pixels');
    const store = new DatasetStore(memoryKV());
    const r = await importDataset({
      store,
      name: 'px',
      size: 10,
      list,
      loadImage: async () => decodePng(encodePng(f.image, 20, 20)),
    });
    expect(r.status).toBe('complete');
    const ds = await store.loadDataset('px');
    expect(ds.images.length).toBe(10 * 10 * 3);
    expect(ds.landmarks[0]).toBeCloseTo(f.landmarks[0], 4);
    // a pixel landmark beyond the image is reported
    const bad = parseList(
      ['q.png', '25', ...Array.from(f.landmarks.subarray(1), (v) => (v * 20).toFixed(4))].join(' '),
    );
    const r2 = await importDataset({
      store,
      name: 'q',
      size: 10,
      list: bad,
      loadImage: async () => decodePng(encodePng(f.image, 20, 20)),
    });
    expect(r2.problems).toEqual([
      { line: 1, reason: expect.stringMatching(/landmark 0 x lies outside the 20x20 image/) },
    ]);
  });
});
