/**
 * The browser side of an import: importDataset (src/storage/datasets-import.ts) fed by a FileSource and the
 * createImageBitmap decoder. Decoding yields to the event loop every few images so the page keeps painting
 * and the Cancel button stays clickable.
 */
import type { ParsedList } from '../../nas/index.ts';
import { importDataset, type ImportProgress, type ImportResult } from '../../storage/datasets-import.ts';
import { datasetStore } from '../../storage/datasets.ts';
import { decodeImage } from './decode-image.ts';
import { resolveImage, type FileSource } from './file-source.ts';
import { importDelayMs } from './test-hooks.ts';

/** Images decoded between two yields to the event loop. */
const BATCH = 4;

export interface BrowserImportOptions {
  source: FileSource;
  listPath: string;
  list: ParsedList;
  name: string;
  size: number;
  policy: 'skip' | 'abort';
  resume: boolean;
  signal: AbortSignal;
  onProgress: (p: ImportProgress) => void;
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runBrowserImport(o: BrowserImportOptions): Promise<ImportResult> {
  const delay = importDelayMs();
  let decoded = 0;
  return importDataset({
    store: datasetStore,
    name: o.name,
    size: o.size,
    list: o.list,
    policy: o.policy,
    source: o.listPath,
    signal: o.signal,
    resume: o.resume,
    onProgress: o.onProgress,
    loadImage: async (path) => {
      if (delay) await pause(delay);
      else if (++decoded % BATCH === 0) await pause(0);
      const blob = resolveImage(o.source, o.listPath, path);
      if (!blob) return null;
      // normalised landmarks survive any resize, so let the browser scale while decoding
      return decodeImage(blob, o.list.coords === 'normalized' ? o.size : undefined);
    },
  });
}
