/**
 * Imported landmark datasets in IndexedDB. A dataset is a manifest (`ds:<name>`) plus chunks of
 * CHUNK samples: images as uint8 RGB (`ds:<name>:img:<k>`) and landmarks as float32 (`ds:<name>:lmk:<k>`).
 *
 * Crash safety: chunk data is always written before the manifest that counts it, and the manifest only
 * becomes 'complete' in finishImport, after the last chunk is stored. An import cut short (tab closed,
 * cancelled, storage full) therefore stays 'importing': it is listed as incomplete, never loaded as a
 * dataset, and can be resumed from `nextIndex` (the next source sample to process) or discarded.
 *
 * Integrity: the manifest keeps, per chunk, checksums of the samples it counts (a chunk may hold more, left
 * by an append cut short before its manifest landed; those are ignored and rewritten on resume). Loading and
 * appending verify them, so garbage bytes, a truncated chunk or a manifest pointing at a missing chunk are
 * reported by chunk, never loaded as data. Manifests written before checksums existed have none and are
 * length-checked only (legacy-valid).
 * Written against the small KV interface so tests run on an in-memory map.
 */
import { idbKV, isQuotaError, StorageFullError, type KV } from './kv.ts';
import { checksumPrefix, CorruptRecordError } from './integrity.ts';
import { type ListProblem, NUM_COORDS } from '../nas/index.ts';

export const CHUNK = 64;
/** Problems kept in a manifest (the count is always exact). */
export const MAX_STORED_PROBLEMS = 500;

export type DatasetStatus = 'importing' | 'complete';

export interface DatasetManifest {
  name: string;
  /** samples stored */
  count: number;
  /** image side in pixels */
  size: number;
  /** bytes of stored image + landmark data */
  bytes: number;
  createdAt: number;
  updatedAt: number;
  status: DatasetStatus;
  /** next source sample (index into the parsed list) to process; resumeImport continues here */
  nextIndex: number;
  /** source samples expected in total, when known */
  total: number | null;
  chunkSize: number;
  /** where the data came from, e.g. "train_data/list.txt" */
  source: string;
  problems: ListProblem[];
  problemCount: number;
  /** per chunk, checksums of the image and landmark bytes of the samples counted; absent before checksums */
  chunkSums?: ChunkSum[];
}

export interface ChunkSum {
  img: number;
  lmk: number;
}

/** A `ds:<name>` record that is not a dataset manifest. */
export interface DamagedDataset {
  key: string;
  reason: string;
}

function manifestProblem(v: unknown): string | null {
  if (!v || typeof v !== 'object' || ArrayBuffer.isView(v)) return 'not a dataset record';
  const m = v as Partial<DatasetManifest>;
  const counts = [m.count, m.size, m.chunkSize, m.nextIndex, m.createdAt];
  if (typeof m.name !== 'string' || !counts.every((n) => typeof n === 'number' && n >= 0))
    return 'dataset record is missing fields';
  if (!(m.chunkSize! > 0) || !(m.size! > 0)) return 'dataset record has a zero size';
  if (m.status !== 'importing' && m.status !== 'complete') return 'dataset record has an unknown status';
  if (!Array.isArray(m.problems)) return 'dataset record is missing its report';
  return null;
}

export interface StoredDataset {
  images: Uint8Array;
  landmarks: Float32Array;
  count: number;
  size: number;
}

export class DatasetExistsError extends Error {
  constructor(
    name: string,
    readonly status: DatasetStatus,
  ) {
    super(
      status === 'importing'
        ? `An unfinished import named "${name}" exists: resume or discard it first.`
        : `A dataset named "${name}" already exists: delete it or choose another name.`,
    );
    this.name = 'DatasetExistsError';
  }
}

const enc = (name: string) => encodeURIComponent(name);
const MANIFEST = (name: string) => `ds:${enc(name)}`;
const PREFIX = (name: string) => `ds:${enc(name)}:`;
const IMG = (name: string, k: number) => `ds:${enc(name)}:img:${k}`;
const LMK = (name: string, k: number) => `ds:${enc(name)}:lmk:${k}`;

export interface BeginOptions {
  total?: number | null;
  source?: string;
  problems?: ListProblem[];
}

export interface AppendOptions {
  /** source samples consumed by this call (stored + skipped); default = samples stored */
  processed?: number;
  /** problems found while producing these samples */
  problems?: ListProblem[];
}

export class DatasetStore {
  constructor(private readonly kv: KV) {}

  async manifest(name: string): Promise<DatasetManifest | undefined> {
    const m = await this.kv.get<unknown>(MANIFEST(name));
    if (m === undefined) return undefined;
    const problem = manifestProblem(m);
    if (problem) throw new CorruptRecordError(`The record of dataset "${name}"`, problem);
    return m as DatasetManifest;
  }

  /** All datasets, complete and unfinished, oldest first (damaged records left out: see listDatasetsChecked). */
  async listDatasets(): Promise<DatasetManifest[]> {
    return (await this.listDatasetsChecked()).datasets;
  }

  /** Every readable dataset manifest, and the `ds:` records that are damaged (reported, left in place). */
  async listDatasetsChecked(): Promise<{ datasets: DatasetManifest[]; damaged: DamagedDataset[] }> {
    const keys = (await this.kv.keys()).filter((k) => k.startsWith('ds:') && !k.slice(3).includes(':'));
    const out: DatasetManifest[] = [];
    const damaged: DamagedDataset[] = [];
    for (const k of keys) {
      const m = await this.kv.get<unknown>(k);
      if (m === undefined) continue;
      const problem = manifestProblem(m);
      if (problem) damaged.push({ key: k, reason: problem });
      else out.push(m as DatasetManifest);
    }
    out.sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name));
    return { datasets: out, damaged };
  }

  async beginImport(name: string, size: number, options: BeginOptions = {}): Promise<DatasetManifest> {
    if (!name) throw new Error('Dataset name must not be empty.');
    if (!(size > 0)) throw new Error(`Invalid image size ${size}.`);
    const existing = await this.manifest(name);
    if (existing) throw new DatasetExistsError(name, existing.status);
    await this.deleteChunks(name); // leftovers of an earlier, half-deleted dataset of that name
    const now = Date.now();
    const problems = options.problems ?? [];
    const m: DatasetManifest = {
      name,
      count: 0,
      size,
      bytes: 0,
      createdAt: now,
      updatedAt: now,
      status: 'importing',
      nextIndex: 0,
      total: options.total ?? null,
      chunkSize: CHUNK,
      source: options.source ?? '',
      problems: problems.slice(0, MAX_STORED_PROBLEMS),
      problemCount: problems.length,
      chunkSums: [],
    };
    await this.write(MANIFEST(name), m, name);
    return m;
  }

  /** The manifest of an unfinished import, to continue from its nextIndex. */
  async resumeImport(name: string): Promise<DatasetManifest> {
    const m = await this.manifest(name);
    if (!m) throw new Error(`No import named "${name}" to resume.`);
    if (m.status !== 'importing') throw new Error(`Dataset "${name}" is already complete.`);
    return m;
  }

  /**
   * Store `n` more samples (images n*size*size*3 bytes, landmarks n*212 values). Chunks are written first,
   * then the manifest that counts them.
   */
  async appendSamples(
    name: string,
    images: Uint8Array,
    landmarks: Float32Array,
    options: AppendOptions = {},
  ): Promise<DatasetManifest> {
    const m = await this.resumeImport(name);
    const px = m.size * m.size * 3;
    const n = images.length / px;
    if (!Number.isInteger(n) || landmarks.length !== n * NUM_COORDS) {
      throw new Error(
        `appendSamples: ${images.length} image bytes and ${landmarks.length} landmark values do not make whole samples`,
      );
    }
    const sums = m.chunkSums ? [...m.chunkSums] : undefined;
    let done = 0;
    while (done < n) {
      const index = m.count + done;
      const k = Math.floor(index / m.chunkSize);
      const offset = index % m.chunkSize;
      const take = Math.min(n - done, m.chunkSize - offset);
      const filled = offset + take;
      const img = new Uint8Array(filled * px);
      const lmk = new Float32Array(filled * NUM_COORDS);
      if (offset > 0) {
        const [oldImg, oldLmk] = await Promise.all([
          this.kv.get<Uint8Array>(IMG(name, k)),
          this.kv.get<Float32Array>(LMK(name, k)),
        ]);
        const problem = chunkProblem(m, k, offset, oldImg, oldLmk);
        if (problem)
          throw new CorruptRecordError(`Dataset "${name}": chunk ${k}`, problem, 'discard and re-import it');
        img.set(oldImg!.subarray(0, offset * px));
        lmk.set(oldLmk!.subarray(0, offset * NUM_COORDS));
      }
      img.set(images.subarray(done * px, (done + take) * px), offset * px);
      lmk.set(landmarks.subarray(done * NUM_COORDS, (done + take) * NUM_COORDS), offset * NUM_COORDS);
      if (sums)
        sums[k] = { img: checksumPrefix(img, img.byteLength), lmk: checksumPrefix(lmk, lmk.byteLength) };
      await this.writeMany(
        [
          [IMG(name, k), img],
          [LMK(name, k), lmk],
        ],
        name,
      );
      done += take;
    }
    const problems = options.problems ?? [];
    const next: DatasetManifest = {
      ...m,
      count: m.count + n,
      bytes: m.bytes + n * (px + NUM_COORDS * 4),
      nextIndex: m.nextIndex + (options.processed ?? n),
      updatedAt: Date.now(),
      problems: [...m.problems, ...problems].slice(0, MAX_STORED_PROBLEMS),
      problemCount: m.problemCount + problems.length,
      ...(sums ? { chunkSums: sums } : {}),
    };
    await this.write(MANIFEST(name), next, name);
    return next;
  }

  /** Mark an import complete; checks every chunk is present first. */
  async finishImport(name: string): Promise<DatasetManifest> {
    const m = await this.resumeImport(name);
    const chunks = Math.ceil(m.count / m.chunkSize);
    const keys = new Set(await this.kv.keys());
    for (let k = 0; k < chunks; k++) {
      if (!keys.has(IMG(name, k)) || !keys.has(LMK(name, k))) {
        throw new Error(`Dataset "${name}": chunk ${k} is missing; discard and re-import.`);
      }
    }
    const done: DatasetManifest = { ...m, status: 'complete', updatedAt: Date.now() };
    await this.write(MANIFEST(name), done, name);
    return done;
  }

  /** Drop an unfinished (or any) import and all its chunks. */
  async discardImport(name: string): Promise<void> {
    await this.deleteDataset(name);
  }

  /** Delete a dataset: the manifest first (so it disappears from the list), then its chunks. */
  async deleteDataset(name: string): Promise<void> {
    await this.kv.del(MANIFEST(name));
    await this.deleteChunks(name);
  }

  async loadDataset(
    name: string,
    onProgress?: (loaded: number, total: number) => void,
  ): Promise<StoredDataset> {
    const m = await this.manifest(name);
    if (!m) throw new Error(`No dataset named "${name}".`);
    if (m.status !== 'complete')
      throw new Error(`Dataset "${name}" is still importing: resume or discard it.`);
    const px = m.size * m.size * 3;
    const images = new Uint8Array(m.count * px);
    const landmarks = new Float32Array(m.count * NUM_COORDS);
    const chunks = Math.ceil(m.count / m.chunkSize);
    for (let k = 0; k < chunks; k++) {
      const [img, lmk] = await Promise.all([
        this.kv.get<Uint8Array>(IMG(name, k)),
        this.kv.get<Float32Array>(LMK(name, k)),
      ]);
      const n = Math.min(m.chunkSize, m.count - k * m.chunkSize);
      const problem = chunkProblem(m, k, n, img, lmk);
      if (problem)
        throw new CorruptRecordError(`Dataset "${name}": chunk ${k}`, problem, 'delete and re-import it');
      images.set(img!.subarray(0, n * px), k * m.chunkSize * px);
      landmarks.set(lmk!.subarray(0, n * NUM_COORDS), k * m.chunkSize * NUM_COORDS);
      onProgress?.(k * m.chunkSize + n, m.count);
    }
    return { images, landmarks, count: m.count, size: m.size };
  }

  /** Stored bytes of one dataset, or of all of them when no name is given. */
  async datasetBytes(name?: string): Promise<number> {
    if (name !== undefined) return (await this.manifest(name))?.bytes ?? 0;
    return (await this.listDatasets()).reduce((s, m) => s + m.bytes, 0);
  }

  private async deleteChunks(name: string): Promise<void> {
    const prefix = PREFIX(name);
    for (const k of await this.kv.keys()) if (k.startsWith(prefix)) await this.kv.del(k);
  }

  private async write(key: string, value: unknown, name: string): Promise<void> {
    try {
      await this.kv.set(key, value);
    } catch (e) {
      throw isQuotaError(e) ? new StorageFullError(`dataset "${name}"`) : e;
    }
  }

  private async writeMany(entries: [string, unknown][], name: string): Promise<void> {
    try {
      await this.kv.setMany(entries);
    } catch (e) {
      throw isQuotaError(e) ? new StorageFullError(`dataset "${name}"`) : e;
    }
  }
}

/**
 * Why chunk k's first n samples cannot be trusted, or null: missing, not a typed array of the right kind,
 * too short for what the manifest counts, or (when the manifest has checksums) different bytes.
 */
function chunkProblem(m: DatasetManifest, k: number, n: number, img: unknown, lmk: unknown): string | null {
  if (img === undefined || lmk === undefined) return 'missing';
  if (!(img instanceof Uint8Array) || !(lmk instanceof Float32Array)) return 'data of the wrong kind';
  const imgBytes = n * m.size * m.size * 3;
  const lmkBytes = n * NUM_COORDS * 4;
  if (img.byteLength < imgBytes || lmk.byteLength < lmkBytes) return 'shorter than its manifest says';
  const sum = m.chunkSums?.[k];
  if (sum && (checksumPrefix(img, imgBytes) !== sum.img || checksumPrefix(lmk, lmkBytes) !== sum.lmk))
    return 'checksum mismatch';
  return null;
}

/**
 * The app's dataset store. Its own IndexedDB database: idb-keyval's createStore only creates the object
 * store when the database is first created, so a second store inside 'nas-playground' (which holds 'runs')
 * would never exist.
 */
export const datasetStore = new DatasetStore(idbKV('nas-playground-datasets', 'datasets'));

// The same operations on the app's store, as plain functions (what the worker and the UI import).
export const listDatasets = () => datasetStore.listDatasets();
export const loadDataset = (name: string, onProgress?: (loaded: number, total: number) => void) =>
  datasetStore.loadDataset(name, onProgress);
export const deleteDataset = (name: string) => datasetStore.deleteDataset(name);
export const beginImport = (name: string, size: number, options?: BeginOptions) =>
  datasetStore.beginImport(name, size, options);
export const resumeImport = (name: string) => datasetStore.resumeImport(name);
export const appendSamples = (
  name: string,
  images: Uint8Array,
  landmarks: Float32Array,
  options?: AppendOptions,
) => datasetStore.appendSamples(name, images, landmarks, options);
export const finishImport = (name: string) => datasetStore.finishImport(name);
export const discardImport = (name: string) => datasetStore.discardImport(name);
export const datasetBytes = (name?: string) => datasetStore.datasetBytes(name);

export default datasetStore;
