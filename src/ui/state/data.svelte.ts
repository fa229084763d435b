/**
 * The Data area's state: the datasets stored in IndexedDB and the import flow (pick files -> choose the
 * list file -> check it -> import with progress, cancel, resume or discard). Components read it and call its
 * methods; only this class writes datasets. The list of stored datasets is shared with DatasetPicker.
 */
import { parseList, type CoordMode, type ListProblem, type ParsedList } from '../../nas/index.ts';
import { deleteDataset, discardImport, listDatasets, type DatasetManifest } from '../../storage/datasets.ts';
import type { ImportProgress } from '../../storage/datasets-import.ts';
import { runBrowserImport } from '../data/browser-import.ts';
import { defaultDatasetName, findListFiles, uniqueName, type FileSource } from '../data/file-source.ts';
import type { PointGroup } from '../data/draw-face.ts';

export type ImportPhase =
  | 'idle' // nothing picked yet
  | 'reading' // unpacking / parsing the list
  | 'ready' // list parsed, waiting for the user to start
  | 'importing'
  | 'complete'
  | 'cancelled' // stopped by the user: stored samples kept, resumable
  | 'aborted' // stopped by the 'abort' policy: nothing kept
  | 'failed';

export const WORKING_SIZES = [112, 96, 64, 48, 32] as const;
/** Largest list file read whole (~2 kB a face: about 250k faces). */
const MAX_LIST_BYTES = 512 * 1024 * 1024;

/** How landmarks are drawn, shared by the SynthFace preview and the dataset thumbnails. */
export class PointStyle {
  show = $state(true);
  byGroup = $state(true);
  hidden = $state.raw<PointGroup[]>([]);

  toggleGroup(g: PointGroup): void {
    this.hidden = this.hidden.includes(g) ? this.hidden.filter((x) => x !== g) : [...this.hidden, g];
  }
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Problems of the stored manifest and of this session, one per (line, reason), by line. */
function mergeProblems(a: ListProblem[], b: ListProblem[]): ListProblem[] {
  const seen = new Set<string>();
  const out: ListProblem[] = [];
  for (const p of [...a, ...b]) {
    const key = `${p.line}\u0000${p.reason}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  }
  return out.sort((x, y) => x.line - y.line);
}

export class DataState {
  datasets = $state.raw<DatasetManifest[]>([]);
  /** the first listing has come back (so "no datasets" is true, not just not loaded yet) */
  listed = $state(false);
  listError = $state<string | null>(null);
  usage = $state.raw<{ used: number; quota: number } | null>(null);

  /** Datasets a training run may use. An unfinished import is never among them. */
  complete = $derived(this.datasets.filter((d) => d.status === 'complete'));

  phase = $state<ImportPhase>('idle');
  source = $state.raw<FileSource | null>(null);
  listPaths = $state.raw<string[]>([]);
  listPath = $state('');
  parsed = $state.raw<ParsedList | null>(null);
  /** the coordinate unit: decided from the list's valid lines ('auto') or chosen by the user */
  unitChoice = $state<CoordMode | 'auto'>('auto');
  /** text of the chosen list file, re-parsed when the unit choice changes */
  private listText = '';
  name = $state('');
  size = $state<number>(112);
  policy = $state<'skip' | 'abort'>('skip');
  progress = $state.raw<ImportProgress | null>(null);
  /** the validation report: parse problems, then (after an import) image problems, by line */
  problems = $state.raw<ListProblem[]>([]);
  /** exact number of problems when the report shown is capped (stored manifests keep 500) */
  problemCount = $state(0);
  message = $state<string | null>(null);
  error = $state<string | null>(null);
  /** the unfinished import the next file pick continues */
  resumeTarget = $state.raw<DatasetManifest | null>(null);
  /** name of the dataset being imported right now (its manifest says 'importing' but it is not stale) */
  activeName = $state<string | null>(null);
  private controller: AbortController | null = null;
  /** name of the last import started in this page (a cancelled one can resume from the files still held) */
  private lastImported: string | null = null;
  private refreshes = 0;

  running = $derived(this.phase === 'importing' || this.phase === 'reading');

  nameProblem = $derived.by(() => {
    if (this.resumeTarget) return null;
    const n = this.name.trim();
    if (!n) return 'Give the dataset a name.';
    if (n.length > 80) return 'Use a name of at most 80 characters.';
    const existing = this.datasets.find((d) => d.name === n);
    if (existing)
      return existing.status === 'complete'
        ? `A dataset named "${n}" already exists: choose another name or delete it first.`
        : `An unfinished import named "${n}" exists: resume or discard it, or choose another name.`;
    return null;
  });

  canImport = $derived(
    this.phase === 'ready' && !!this.parsed && this.parsed.samples.length > 0 && !this.nameProblem,
  );

  async refresh(): Promise<void> {
    const ticket = ++this.refreshes;
    try {
      const list = await listDatasets();
      if (ticket !== this.refreshes) return; // a later refresh started: its listing is newer
      this.datasets = list;
      this.listError = null;
    } catch (e) {
      this.listError = `Browser storage is not available (${errorText(e)}). Private windows may block it.`;
    }
    this.listed = true;
    try {
      const est = await navigator.storage?.estimate?.();
      this.usage = est ? { used: est.usage ?? 0, quota: est.quota ?? 0 } : null;
    } catch {
      this.usage = null;
    }
  }

  /** Files were picked or dropped: find the list file and check it. */
  async openSource(read: () => Promise<FileSource>): Promise<void> {
    if (this.running) return;
    this.phase = 'reading';
    this.error = null;
    this.message = null;
    this.progress = null;
    this.problems = [];
    this.parsed = null;
    let src: FileSource;
    try {
      src = await read();
    } catch (e) {
      this.fail(errorText(e));
      return;
    }
    this.source = src;
    const lists = findListFiles(src);
    this.listPaths = lists;
    if (!lists.length) {
      this.fail(
        `No list.txt found in ${src.label} (${src.files.size} files). Pick the folder that holds list.txt and ` +
          `imgs/ (e.g. train_data), the dataset root, or a .zip of it.`,
      );
      return;
    }
    const target = this.resumeTarget;
    // the list the unfinished import read, even if this pick starts one folder higher or lower
    const same = target?.source
      ? lists.find(
          (l) => l === target.source || l.endsWith('/' + target.source) || target.source.endsWith('/' + l),
        )
      : undefined;
    await this.chooseList(same ?? lists[0]);
  }

  async chooseList(path: string): Promise<void> {
    const file = this.source?.files.get(path);
    if (!this.source || !file) return;
    this.phase = 'reading';
    this.listPath = path;
    this.error = null;
    this.unitChoice = 'auto';
    if (file.size > MAX_LIST_BYTES) {
      this.fail(
        `${path} is ${file.size} bytes, more than any list.txt this app can hold (${MAX_LIST_BYTES}).`,
      );
      return;
    }
    let parsed: ParsedList;
    try {
      this.listText = await file.text();
      parsed = parseList(this.listText);
    } catch (e) {
      this.fail(`Could not read ${path}: ${errorText(e)}`);
      return;
    }
    this.setParsed(parsed);
    const target = this.resumeTarget;
    if (target) {
      if (target.total !== null && parsed.samples.length !== target.total) {
        this.fail(
          `${path} has ${parsed.samples.length} usable samples, but the unfinished import "${target.name}" was ` +
            `reading a list of ${target.total}. Pick the same files again, or discard the unfinished import.`,
        );
        return;
      }
      this.phase = 'ready';
      await this.startImport();
      return;
    }
    this.name = uniqueName(
      defaultDatasetName(this.source, path),
      this.datasets.map((d) => d.name),
    );
    this.phase = 'ready';
  }

  /** The user overrides (or gives back to the file) the normalised-vs-pixel decision: read the list again. */
  chooseUnit(unit: CoordMode | 'auto'): void {
    if (this.phase !== 'ready' || !this.listText) return;
    this.unitChoice = unit;
    this.setParsed(parseList(this.listText, { coords: unit }));
  }

  private setParsed(parsed: ParsedList): void {
    this.parsed = parsed;
    this.problems = parsed.problems;
    this.problemCount = parsed.problems.length;
  }

  async startImport(): Promise<void> {
    const source = this.source;
    const list = this.parsed;
    const target = this.resumeTarget;
    if (!source || !list || this.phase !== 'ready') return;
    if (!target && this.nameProblem) return;
    if (list.mixed) {
      this.fail(list.mixed);
      return;
    }
    if (list.samples.length === 0) {
      this.fail('The list has no usable lines: nothing to import.');
      return;
    }
    if (this.policy === 'abort' && list.problems.length) {
      this.phase = 'aborted';
      this.message = `Not imported: the list has ${list.problems.length} problem(s) and "abort on the first bad sample" is chosen. Fix the lines below or choose "skip bad samples".`;
      return;
    }
    const name = target ? target.name : this.name.trim();
    const size = target ? target.size : this.size;
    const controller = new AbortController();
    this.controller = controller;
    this.phase = 'importing';
    this.activeName = name;
    this.lastImported = name;
    this.message = null;
    this.error = null;
    this.progress = {
      processed: target?.nextIndex ?? 0,
      total: list.samples.length,
      imported: target?.count ?? 0,
      skipped: 0,
    };
    let listedOnce = false;
    let last = 0;
    try {
      const result = await runBrowserImport({
        source,
        listPath: this.listPath,
        list,
        name,
        size,
        policy: this.policy,
        resume: !!target,
        signal: controller.signal,
        onProgress: (p) => {
          // the manifest exists now: show it in the list (as the import in progress)
          if (!listedOnce) {
            listedOnce = true;
            void this.refresh();
          }
          const now = performance.now();
          if (now - last > 60 || p.processed === p.total) {
            last = now;
            this.progress = p;
          }
        },
      });
      const m = result.manifest;
      this.problems = mergeProblems(m?.problems ?? [], result.problems);
      this.problemCount = Math.max(this.problems.length, m?.problemCount ?? 0);
      this.phase = result.status;
      if (result.status === 'complete' && m) {
        this.message = `Imported "${m.name}": ${m.count} faces of ${m.size} x ${m.size} px${this.problemCount ? `, ${this.problemCount} line(s) skipped (see the report)` : ''}.`;
      } else if (result.status === 'cancelled' && m) {
        this.message = `Import cancelled after ${m.nextIndex} of ${m.total ?? list.samples.length} samples; the ${m.count} stored faces are kept. Resume or discard it in the list.`;
      } else if (result.status === 'aborted') {
        this.message = `Import aborted at the first bad sample (see the report); nothing was kept.`;
      }
    } catch (e) {
      this.fail(errorText(e));
    } finally {
      this.controller = null;
      this.activeName = null;
      this.resumeTarget = null;
      await this.refresh();
    }
  }

  cancel(): void {
    this.controller?.abort();
  }

  /** Resume an unfinished import: the browser cannot reopen files by itself, so the user picks them again. */
  beginResume(m: DatasetManifest): void {
    if (this.running) return;
    if (this.phase === 'cancelled' && this.lastImported === m.name && this.source && this.parsed) {
      this.resumeTarget = m; // cancelled in this page: the picked files are still here
      this.phase = 'ready';
      void this.startImport();
      return;
    }
    this.reset();
    this.resumeTarget = m;
  }

  /** Back to "nothing picked". */
  reset(): void {
    if (this.running) return;
    this.phase = 'idle';
    this.source = null;
    this.listPaths = [];
    this.listPath = '';
    this.parsed = null;
    this.listText = '';
    this.unitChoice = 'auto';
    this.progress = null;
    this.problems = [];
    this.problemCount = 0;
    this.message = null;
    this.error = null;
    this.resumeTarget = null;
  }

  async remove(name: string): Promise<void> {
    try {
      await deleteDataset(name);
    } catch (e) {
      this.listError = `Could not delete "${name}": ${errorText(e)}`;
    }
    await this.refresh();
  }

  async discard(name: string): Promise<void> {
    try {
      await discardImport(name);
      if (this.resumeTarget?.name === name) this.reset();
    } catch (e) {
      this.listError = `Could not discard "${name}": ${errorText(e)}`;
    }
    await this.refresh();
  }

  private fail(message: string): void {
    this.phase = 'failed';
    this.error = message;
  }
}

export const data = new DataState();
export const pointStyle = new PointStyle();
