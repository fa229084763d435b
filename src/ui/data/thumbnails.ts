/**
 * The first few samples of a stored dataset, for thumbnails. DatasetStore.loadDataset reads every chunk
 * (and refuses unfinished imports), so this reads only chunk 0 directly. It mirrors the key layout of
 * src/storage/datasets.ts (`ds:<encoded name>:img:<k>` / `:lmk:<k>`, CHUNK samples per chunk).
 */
import { idbKV } from '../../storage/kv.ts';
import { NUM_COORDS } from '../../nas/index.ts';
import type { DatasetManifest } from '../../storage/datasets.ts';

const kv = idbKV('nas-playground-datasets', 'datasets');

export interface Preview {
  images: Uint8Array;
  landmarks: Float32Array;
  count: number;
  size: number;
}

export async function loadPreview(m: DatasetManifest, max: number): Promise<Preview> {
  const n = Math.min(max, m.count, m.chunkSize);
  const key = `ds:${encodeURIComponent(m.name)}`;
  if (n <= 0) return { images: new Uint8Array(0), landmarks: new Float32Array(0), count: 0, size: m.size };
  const [img, lmk] = await Promise.all([
    kv.get<Uint8Array>(`${key}:img:0`),
    kv.get<Float32Array>(`${key}:lmk:0`),
  ]);
  const px = m.size * m.size * 3;
  if (!img || !lmk)
    return { images: new Uint8Array(0), landmarks: new Float32Array(0), count: 0, size: m.size };
  const count = Math.min(n, Math.floor(img.length / px), Math.floor(lmk.length / NUM_COORDS));
  return {
    images: img.slice(0, count * px),
    landmarks: lmk.slice(0, count * NUM_COORDS),
    count,
    size: m.size,
  };
}
