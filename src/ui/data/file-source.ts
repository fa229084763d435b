/**
 * What the user handed us for an import — a picked folder, dropped files or folders, or a .zip — as one
 * flat map of '/'-separated relative paths to blobs, plus the helpers that find the list file in it and
 * resolve a list line's image path. No Svelte here, so the path logic is unit-tested in Node.
 */
import { candidateImagePaths } from '../../nas/index.ts';
import { readZip } from './zip-reader.ts';

export interface FileSource {
  /** what was picked, for messages: a folder name, a zip name or "3 files" */
  label: string;
  kind: 'folder' | 'zip' | 'files';
  files: Map<string, Blob>;
  /** entries left out while reading it (unsafe names, nested archives, size limits), for the user */
  notes?: string[];
}

export function normalisePath(p: string): string {
  return p
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s && s !== '.')
    .join('/');
}

/** macOS resource forks and dot-files travel in zips and folders but are never data. */
function isJunk(path: string): boolean {
  return path.split('/').some((s) => s === '__MACOSX' || s.startsWith('.'));
}

/** Files from <input type="file" webkitdirectory> (their webkitRelativePath starts with the folder name)
 *  or a plain multi-file pick (bare names). */
export function sourceFromFiles(files: Iterable<File>): FileSource {
  const map = new Map<string, Blob>();
  let folder = '';
  for (const f of files) {
    const path = normalisePath(f.webkitRelativePath || f.name);
    if (!path || isJunk(path)) continue;
    map.set(path, f);
    if (!folder && f.webkitRelativePath) folder = path.split('/')[0];
  }
  return { label: folder || `${map.size} files`, kind: folder ? 'folder' : 'files', files: map };
}

export function isZipName(name: string): boolean {
  return /\.zip$/i.test(name);
}

/** Unpack a zip within the bounds of zip-reader.ts. Directories and junk are dropped. */
export async function sourceFromZip(bytes: Uint8Array, label: string): Promise<FileSource> {
  const { files, notes } = await readZip(bytes, isJunk);
  const map = new Map<string, Blob>();
  for (const [path, data] of files) map.set(path, new Blob([data as Uint8Array<ArrayBuffer>]));
  return { label, kind: 'zip', files: map, notes };
}

/** Dropped items: one .zip is unpacked; folders are walked recursively (their entries keep the folder name
 *  as first path segment, like webkitdirectory). Entries must be taken synchronously inside the drop event,
 *  so the caller passes `collectDropEntries(event.dataTransfer)` taken there. */
export function collectDropEntries(dt: DataTransfer): { entries: FileSystemEntry[]; files: File[] } {
  const entries: FileSystemEntry[] = [];
  for (const item of Array.from(dt.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
  }
  return { entries, files: Array.from(dt.files) };
}

export async function sourceFromDrop(drop: {
  entries: FileSystemEntry[];
  files: File[];
}): Promise<FileSource> {
  const { entries, files } = drop;
  if (files.length === 1 && isZipName(files[0].name) && !entries.some((e) => e.isDirectory)) {
    return sourceFromZip(new Uint8Array(await files[0].arrayBuffer()), files[0].name);
  }
  if (!entries.length) return sourceFromFiles(files);
  const map = new Map<string, Blob>();
  for (const entry of entries) await walk(entry, map);
  const dirs = entries.filter((e) => e.isDirectory);
  const label = dirs.length === 1 && entries.length === 1 ? dirs[0].name : `${map.size} files`;
  return { label, kind: dirs.length ? 'folder' : 'files', files: map };
}

async function walk(entry: FileSystemEntry, out: Map<string, Blob>): Promise<void> {
  const path = normalisePath(entry.fullPath || entry.name);
  if (isJunk(path)) return;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject),
    );
    out.set(path, file);
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns the children in batches (100 in Chromium) until it returns an empty one
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (!batch.length) break;
    for (const child of batch) await walk(child, out);
  }
}

/**
 * Candidate list files, best first: files named list.txt before other .txt files, a training split before
 * a test split, shallower before deeper.
 */
export function findListFiles(source: FileSource): string[] {
  const txt = [...source.files.keys()].filter((p) => /\.txt$/i.test(p) && !/readme|licen[cs]e/i.test(p));
  const base = (p: string) => p.slice(p.lastIndexOf('/') + 1).toLowerCase();
  const rank = (p: string) =>
    (base(p) === 'list.txt' ? 0 : 100) +
    (/train/i.test(p) ? 0 : /test|val/i.test(p) ? 20 : 10) +
    p.split('/').length;
  return txt.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The image a list line names, looked up where the reference layout would put it. */
export function resolveImage(source: FileSource, listPath: string, imagePath: string): Blob | null {
  for (const candidate of candidateImagePaths(listPath, imagePath)) {
    const blob = source.files.get(candidate);
    if (blob) return blob;
  }
  return null;
}

/** A readable default name: the picked folder or zip plus the split folder, e.g. "106points train_data". */
export function defaultDatasetName(source: FileSource, listPath: string): string {
  const parts = listPath.split('/').slice(0, -1);
  const root = source.kind === 'zip' ? source.label.replace(/\.zip$/i, '') : '';
  const words = [root, ...parts].filter(Boolean);
  const unique = words.filter((w, i) => words.indexOf(w) === i);
  return (unique.join(' ') || 'my landmarks').slice(0, 80);
}

/** `base`, or `base (2)`, `base (3)`... whichever is not taken. */
export function uniqueName(base: string, taken: Iterable<string>): string {
  const set = new Set(taken);
  if (!set.has(base)) return base;
  for (let k = 2; ; k++) if (!set.has(`${base} (${k})`)) return `${base} (${k})`;
}
