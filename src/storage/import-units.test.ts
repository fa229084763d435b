/**
 * Issue 19, point 1: a rejected line must never change how the accepted lines are read. The file below is
 * the one a new user tried: twelve good faces in normalised coordinates and a handful of bad lines, among
 * them a non-finite value (`1e999`, which once flipped the whole file to pixels) and a line of pixel-range
 * garbage. Every good face must be stored with exactly the landmarks the file holds.
 */
import { describe, expect, test } from 'vitest';
import { memoryKV } from './kv.ts';
import { DatasetStore } from './datasets.ts';
import { importDataset } from './datasets-import.ts';
import { parseList, decodePng, encodePng, generateFace, NUM_COORDS } from '../nas/index.ts';
import { logFault } from '../../scripts/fault-log.ts';

const SIZE = 16;

describe('import units', () => {
  test('fault: bad line sways the unit — good normalised faces keep the values of the file', async () => {
    const images = new Map<string, Uint8Array>();
    const lines: string[] = [];
    const good: { path: string; values: string[] }[] = [];
    for (let i = 0; i < 12; i++) {
      const f = generateFace(i, SIZE, 0.3);
      const path = `imgs/${i}.png`;
      images.set(path, encodePng(f.image, SIZE, SIZE, 1));
      const values = Array.from(f.landmarks, (v) => v.toFixed(6));
      good.push({ path, values });
      lines.push([path, ...values].join(' '));
    }
    const img = (k: number) => {
      const f = generateFace(100 + k, SIZE, 0.3);
      images.set(`imgs/bad${k}.png`, encodePng(f.image, SIZE, SIZE, 1));
      return { path: `imgs/bad${k}.png`, values: Array.from(f.landmarks, (v) => v.toFixed(6)) };
    };
    const b0 = img(0);
    lines.splice(3, 0, [b0.path, ...b0.values.slice(0, 9), '1e999', ...b0.values.slice(10)].join(' '));
    const b1 = img(1);
    lines.splice(7, 0, [b1.path, ...b1.values.map((_, k) => String(40 + ((k * 37) % 900)))].join(' '));
    const b2 = img(2);
    lines.push([b2.path, ...b2.values.slice(0, 20), 'NaN', ...b2.values.slice(21)].join(' '));
    lines.push([b2.path, ...b2.values.slice(1)].join(' ')); // wrong count
    lines.push(['imgs/missing.png', ...b2.values].join(' ')); // image not there
    lines.push([good[0].path, ...good[0].values].join(' ')); // duplicate
    const list = parseList(lines.join('\n'));
    expect(list.coords).toBe('normalized');
    expect(list.mixed).toBeNull();
    expect(list.unit.summary).toMatch(/^Normalised coordinates/);

    const store = new DatasetStore(memoryKV());
    const r = await importDataset({
      store,
      name: 'mixed bag',
      size: SIZE,
      list,
      loadImage: async (path) => {
        const bytes = images.get(path);
        return bytes ? decodePng(bytes) : null;
      },
    });
    expect(r.status).toBe('complete');
    // 1e999, pixel garbage, NaN, wrong count, missing image, duplicate
    expect(r.problems.length).toBe(6);
    expect(r.problems.find((p) => /1e999/.test(p.reason))).toBeTruthy();
    expect(r.problems.find((p) => /look like pixel coordinates/.test(p.reason))).toBeTruthy();
    const ds = await store.loadDataset('mixed bag');
    expect(ds.count).toBe(12);
    let exact = 0;
    for (let i = 0; i < 12; i++) {
      const stored = Array.from(ds.landmarks.subarray(i * NUM_COORDS, (i + 1) * NUM_COORDS));
      const expected = Array.from(Float32Array.from(good[i].values.map(Number)));
      expect(stored).toEqual(expected);
      exact++;
    }
    logFault('bad line sways the unit of an import', 12, exact);
  });
});
