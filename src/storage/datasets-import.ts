/**
 * Import pipeline: parsed list.txt samples + an image loader (the browser passes a createImageBitmap-based
 * decoder, Node tests a PNG decoder) -> a stored dataset. Images are resized to `size` and pixel landmarks
 * normalised by the decoded image's width and height. Missing or undecodable images and out-of-range
 * landmarks are reported with their list line; policy 'skip' leaves them out, 'abort' stops and discards
 * the import. Cancelling through the AbortSignal keeps what was stored: the import stays 'importing' and
 * `resume: true` continues from the manifest's nextIndex. One import per dataset name at a time across
 * tabs (a Web Lock): a second tab is told the import is running elsewhere instead of interleaving chunks.
 */
import {
  type ListProblem,
  type ListSample,
  type ParsedList,
  RANGE_TOLERANCE,
  NUM_COORDS,
  resizeRgb,
  toNormalised,
  type DecodedImage,
} from '../nas/index.ts';
import { CHUNK, type DatasetManifest, type DatasetStore } from './datasets.ts';
import { datasetLockName, tryLock, type LockManagerLike } from './locks.ts';

/** Another tab (or this one) is importing into the same dataset right now. */
export class ImportBusyError extends Error {
  constructor(readonly dataset: string) {
    super(
      `"${dataset}" is being imported in another tab of NAS Playground right now. Let that import finish ` +
        `(or cancel it there), then try again here.`,
    );
    this.name = 'ImportBusyError';
  }
}

/** Resolves a list line's image; return null or throw when it is missing or cannot be decoded. */
export type ImageLoader = (path: string, sample: ListSample) => Promise<DecodedImage | null>;

export interface ImportProgress {
  /** source samples handled so far (stored + skipped), including those of earlier sessions */
  processed: number;
  total: number;
  imported: number;
  skipped: number;
}

export interface ImportOptions {
  store: DatasetStore;
  name: string;
  /** stored image side (the app's default is 112, like the reference) */
  size: number;
  list: ParsedList;
  loadImage: ImageLoader;
  policy?: 'skip' | 'abort';
  source?: string;
  onProgress?: (p: ImportProgress) => void;
  signal?: AbortSignal;
  /** continue an unfinished import of the same name and list */
  resume?: boolean;
  /** Web Locks stand-in for tests (default: the browser's, none in Node) */
  locks?: LockManagerLike | null;
}

export interface ImportResult {
  /** complete: stored and marked complete; cancelled: stopped by the signal, resumable; aborted: stopped by
   *  policy 'abort' on the first bad sample and discarded */
  status: 'complete' | 'cancelled' | 'aborted';
  manifest: DatasetManifest | null;
  /** parse problems followed by import problems, by line */
  problems: ListProblem[];
}

export async function importDataset(opts: ImportOptions): Promise<ImportResult> {
  const lock = await tryLock(datasetLockName(opts.name), opts.locks);
  if (!lock) throw new ImportBusyError(opts.name);
  try {
    return await importLocked(opts);
  } finally {
    lock.release();
  }
}

async function importLocked(opts: ImportOptions): Promise<ImportResult> {
  const { store, name, size, list, loadImage, policy = 'skip', onProgress, signal } = opts;
  // a list refused for mixing units has no samples; importing it would store an empty dataset
  if (list.mixed) throw new Error(list.mixed);
  const total = list.samples.length;
  let manifest = opts.resume
    ? await store.resumeImport(name)
    : await store.beginImport(name, size, { total, source: opts.source, problems: list.problems });
  if (manifest.size !== size)
    throw new Error(`Import "${name}" stores ${manifest.size} px images, not ${size}.`);
  const allProblems: ListProblem[] = [...list.problems];
  const px = size * size * 3;
  let bufImages = new Uint8Array(CHUNK * px);
  let bufLandmarks = new Float32Array(CHUNK * NUM_COORDS);
  let buffered = 0;
  let processedSinceFlush = 0;
  let pendingProblems: ListProblem[] = [];
  let skipped = 0;

  const flush = async () => {
    if (buffered === 0 && processedSinceFlush === 0) return;
    manifest = await store.appendSamples(
      name,
      bufImages.subarray(0, buffered * px),
      bufLandmarks.subarray(0, buffered * NUM_COORDS),
      {
        processed: processedSinceFlush,
        problems: pendingProblems,
      },
    );
    bufImages = new Uint8Array(CHUNK * px);
    bufLandmarks = new Float32Array(CHUNK * NUM_COORDS);
    buffered = 0;
    processedSinceFlush = 0;
    pendingProblems = [];
  };
  const report = () =>
    onProgress?.({
      processed: manifest.nextIndex + processedSinceFlush,
      total,
      imported: manifest.count + buffered,
      skipped,
    });

  for (let i = manifest.nextIndex; i < total; i++) {
    if (signal?.aborted) {
      await flush();
      return { status: 'cancelled', manifest, problems: allProblems };
    }
    const sample = list.samples[i];
    let problem: string | null = null;
    let decoded: DecodedImage | null = null;
    try {
      decoded = await loadImage(sample.path, sample);
      if (!decoded) problem = `image "${sample.path}" not found`;
      else if (decoded.rgb.length !== decoded.width * decoded.height * 3 || decoded.width <= 0) {
        problem = `image "${sample.path}" could not be decoded`;
      }
    } catch (e) {
      problem = `image "${sample.path}" could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
    }
    let landmarks: Float32Array | null = null;
    if (!problem && decoded) {
      landmarks = toNormalised(sample.landmarks, list.coords, decoded.width, decoded.height);
      const bad = landmarks.findIndex((v) => !(v >= -RANGE_TOLERANCE && v <= 1 + RANGE_TOLERANCE));
      if (bad >= 0) {
        problem = `landmark ${bad >> 1} ${bad % 2 ? 'y' : 'x'} lies outside the ${decoded.width}x${decoded.height} image`;
      }
    }
    if (problem) {
      const p = { line: sample.line, reason: problem };
      allProblems.push(p);
      if (policy === 'abort') {
        await store.discardImport(name);
        return { status: 'aborted', manifest: null, problems: allProblems };
      }
      pendingProblems.push(p);
      skipped++;
    } else if (decoded && landmarks) {
      const img =
        decoded.width === size && decoded.height === size
          ? decoded.rgb
          : resizeRgb(decoded.rgb, decoded.width, decoded.height, size, size);
      bufImages.set(img, buffered * px);
      bufLandmarks.set(landmarks, buffered * NUM_COORDS);
      buffered++;
    }
    processedSinceFlush++;
    if (buffered === CHUNK) await flush();
    report();
  }
  await flush();
  manifest = await store.finishImport(name);
  report();
  allProblems.sort((a, b) => a.line - b.line);
  return { status: 'complete', manifest, problems: allProblems };
}
