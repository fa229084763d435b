/**
 * Unpacking an untrusted .zip with bounds. fflate reads the central directory; we decide per entry from its
 * declared sizes before anything is inflated, and inflate into a buffer of the declared size, so memory is
 * bounded by the limits whatever the archive claims or holds (data that inflates past its declared size is
 * cut there and then fails to decode as an image, reported by the import). Refused outright: more entries
 * than `maxEntries` (a crafted zip64 directory can claim billions) and a declared total above
 * `maxTotalBytes`. Left out with a note: names that climb out of the archive (`..`), nested archives (not
 * opened), entries above `maxEntryBytes`, entries whose declared expansion exceeds `maxRatio` (zip bombs),
 * unknown compression methods. Entries are inflated in batches with a yield between them, on this thread:
 * fflate's async API would start workers from blob: URLs, which the Content-Security-Policy forbids.
 */
import { unzipSync, type UnzipFileInfo } from 'fflate';

export interface ZipLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
  /** largest declared uncompressed / compressed size for entries above `ratioFloorBytes` */
  maxRatio: number;
  ratioFloorBytes: number;
}

/** A 106-point list of 100k faces is ~200 MB; images are a few kB each. Deflate tops out near 1032:1, real
 *  text compresses ~3-10:1, so 100:1 only catches archives built to expand. */
export const ZIP_LIMITS: ZipLimits = {
  maxEntries: 200_000,
  maxEntryBytes: 256 * 1024 * 1024,
  maxTotalBytes: 1536 * 1024 * 1024,
  maxRatio: 100,
  ratioFloorBytes: 1024 * 1024,
};

export interface ZipContents {
  files: Map<string, Uint8Array>;
  /** entries left out and why, for the user */
  notes: string[];
}

export class ZipRefusedError extends Error {}

/** Entries inflated between two yields to the event loop. */
const BATCH = 64;
const MAX_NOTES = 50;

/** '/'-separated path without '.' and empty segments; null when a '..' segment would leave the archive. */
export function safeEntryPath(name: string): string | null {
  const parts = name
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s && s !== '.');
  if (parts.some((s) => s === '..')) return null;
  // a drive letter ("C:") at the start is an absolute Windows path: keep the rest
  while (parts.length && /^[A-Za-z]:$/.test(parts[0])) parts.shift();
  return parts.join('/');
}

export async function readZip(
  bytes: Uint8Array,
  skip: (path: string) => boolean = () => false,
  limits: ZipLimits = ZIP_LIMITS,
): Promise<ZipContents> {
  const notes: string[] = [];
  const note = (s: string) => {
    if (notes.length < MAX_NOTES) notes.push(s);
    else if (notes.length === MAX_NOTES) notes.push('… further entries left out are not listed');
  };
  // pass 1: the directory only (the filter refuses everything, so nothing is inflated)
  const wanted: string[] = [];
  let entries = 0;
  let total = 0;
  const inspect = (f: UnzipFileInfo): boolean => {
    if (++entries > limits.maxEntries)
      throw new ZipRefusedError(`The zip holds more than ${limits.maxEntries} entries; nothing was read.`);
    if (f.name.endsWith('/')) return false;
    const path = safeEntryPath(f.name);
    const shown = JSON.stringify(f.name.length > 80 ? f.name.slice(0, 80) + '…' : f.name);
    // a stored entry comes back as its compressed bytes, whatever its declared size says (found by the fuzzer)
    const bytesOut = f.compression === 0 ? Math.max(f.size, f.originalSize) : f.originalSize;
    if (path === null) note(`${shown}: its name leads outside the archive ("..")`);
    else if (!path || skip(path)) return false;
    else if (/\.(zip|7z|rar|tar|gz|tgz)$/i.test(path))
      note(`${shown}: archives inside the zip are not opened`);
    else if (f.compression !== 0 && f.compression !== 8)
      note(`${shown}: compression method ${f.compression} is not supported`);
    else if (bytesOut > limits.maxEntryBytes)
      note(`${shown}: declares ${bytesOut} bytes, above the ${limits.maxEntryBytes} byte limit`);
    else if (
      f.compression === 8 &&
      f.originalSize > limits.ratioFloorBytes &&
      f.originalSize > limits.maxRatio * Math.max(1, f.size)
    )
      note(`${shown}: would expand ${Math.round(f.originalSize / Math.max(1, f.size))}:1 (a zip bomb?)`);
    else {
      total += bytesOut;
      if (total > limits.maxTotalBytes)
        throw new ZipRefusedError(
          `The zip would expand to more than ${limits.maxTotalBytes} bytes; nothing was read.`,
        );
      wanted.push(f.name);
    }
    return false;
  };
  try {
    unzipSync(bytes, { filter: inspect });
  } catch (e) {
    if (e instanceof ZipRefusedError) throw e;
    throw new ZipRefusedError(`Could not read the zip file: ${e instanceof Error ? e.message : String(e)}`);
  }
  // pass 2: inflate the wanted entries, a batch per call
  const files = new Map<string, Uint8Array>();
  for (let start = 0; start < wanted.length; start += BATCH) {
    const batch = new Set(wanted.slice(start, start + BATCH));
    let out: Record<string, Uint8Array>;
    try {
      out = unzipSync(bytes, { filter: (f) => batch.has(f.name) });
    } catch (e) {
      throw new ZipRefusedError(`Could not read the zip file: ${e instanceof Error ? e.message : String(e)}`);
    }
    for (const [name, data] of Object.entries(out)) {
      const path = safeEntryPath(name);
      if (path) files.set(path, data);
    }
    if (start + BATCH < wanted.length) await new Promise((r) => setTimeout(r, 0));
  }
  return { files, notes };
}
