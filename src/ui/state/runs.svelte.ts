/**
 * The Runs area's state: the library of runs (sorted, filtered, picked for comparison), what the site's
 * storage holds, and the actions on a run (rename, delete, open in Results, resume, export, import, share).
 * The records themselves are written by the run recorder as searches go; this class reads and manages them.
 */
import type { CheckpointInfo } from '../../storage/checkpoints.ts';
import { decodeRunFile, encodeRunFile, RunFileError } from '../../storage/run-file.ts';
import { finalNme, PRUNE_POLICY, type RunRecord, type RunStatus } from '../../storage/runs.ts';
import { shareLink } from '../../share/index.ts';
import { downloadFile } from './results.svelte.ts';
import { router } from './router.svelte.ts';
import { runtime } from './runtime.svelte.ts';
import { checkpointStore, recorder, search } from './search.svelte.ts';

export interface RunRow {
  run: RunRecord;
  /** Record plus checkpoints, estimated. */
  bytes: number;
  checkpoints: CheckpointInfo[];
  nme: number | null;
}

export type RunSort = 'created' | 'name' | 'status' | 'nme' | 'size';

export { PRUNE_POLICY };

const by: Record<RunSort, (a: RunRow, b: RunRow) => number> = {
  created: (a, b) => a.run.createdAt - b.run.createdAt,
  name: (a, b) => a.run.name.localeCompare(b.run.name),
  status: (a, b) => a.run.status.localeCompare(b.run.status),
  nme: (a, b) => (a.nme ?? Infinity) - (b.nme ?? Infinity),
  size: (a, b) => a.bytes - b.bytes,
};

export class RunsLibrary {
  rows = $state.raw<RunRow[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);
  message = $state<string | null>(null);
  sort = $state<RunSort>('created');
  descending = $state(true);
  filter = $state('');
  status = $state<RunStatus | 'all'>('all');
  /** Runs picked for comparison, in the order picked. */
  picked = $state<string[]>([]);
  includeWeights = $state(true);
  estimate = $state<{ usage: number; quota: number } | null>(null);
  persisted = $state<boolean | null>(null);
  /** A stored run shown read-only in Results (no supernet restored, e.g. imported without weights). */
  opened = $state.raw<RunRecord | null>(null);
  busy = $state(false);

  visible = $derived.by(() => {
    const q = this.filter.trim().toLowerCase();
    const rows = this.rows.filter(
      (r) =>
        (this.status === 'all' || r.run.status === this.status) &&
        (!q || r.run.name.toLowerCase().includes(q) || r.run.experiment.space.toLowerCase().includes(q)),
    );
    const cmp = by[this.sort];
    return rows.sort((a, b) => (this.descending ? -cmp(a, b) : cmp(a, b)));
  });

  compared = $derived(
    this.picked.map((id) => this.rows.find((r) => r.run.id === id)).filter((r): r is RunRow => !!r),
  );

  totalBytes = $derived(this.rows.reduce((s, r) => s + r.bytes, 0));

  constructor() {
    recorder.onSaved = () => {
      if (this.loaded) void this.refresh();
    };
  }

  async refresh(): Promise<void> {
    try {
      await recorder.ready;
      const runs = await recorder.store.list();
      this.rows = await Promise.all(
        runs.map(async (run) => ({
          run,
          bytes: await recorder.store.size(run),
          checkpoints: (await checkpointStore.manifest(run.id))?.checkpoints ?? [],
          nme: finalNme(run),
        })),
      );
      this.picked = this.picked.filter((id) => this.rows.some((r) => r.run.id === id));
      this.loaded = true;
    } catch (err) {
      this.error = `The library of runs could not be read: ${errorText(err)}`;
    }
    await this.measureStorage();
  }

  async measureStorage(): Promise<void> {
    try {
      const e = await navigator.storage?.estimate?.();
      this.estimate = e ? { usage: e.usage ?? 0, quota: e.quota ?? 0 } : null;
      this.persisted = (await navigator.storage?.persisted?.()) ?? null;
    } catch {
      this.estimate = null;
    }
  }

  /** Asks the browser not to evict the site's storage under pressure (the user keeps runs). */
  async keep(): Promise<void> {
    try {
      this.persisted = (await navigator.storage?.persist?.()) ?? false;
      this.message = this.persisted
        ? 'The browser will keep these runs unless you clear site data.'
        : 'The browser did not grant persistent storage; runs may be evicted when the disk is nearly full.';
    } catch (err) {
      this.error = `Persistent storage could not be requested: ${errorText(err)}`;
    }
  }

  toggle(id: string): void {
    this.picked = this.picked.includes(id) ? this.picked.filter((x) => x !== id) : [...this.picked, id];
  }

  async rename(id: string, name: string): Promise<void> {
    await this.act('Renaming', async () => {
      await recorder.store.rename(id, name);
    });
  }

  async remove(id: string): Promise<void> {
    if (id === recorder.currentId && search.status === 'running') {
      this.error = 'This run is training: pause or stop it before deleting it.';
      return;
    }
    await this.act('Deleting', async () => {
      recorder.forget(id);
      await recorder.settled();
      await recorder.store.delete(id);
      if (this.opened?.id === id) this.opened = null;
      this.message = 'Run deleted with its checkpoints.';
    });
  }

  async prune(): Promise<void> {
    await this.act('Pruning', async () => {
      const n = await recorder.store.prune();
      this.message = n ? `Deleted ${n} old checkpoint${n === 1 ? '' : 's'}.` : 'Nothing to prune.';
    });
  }

  /**
   * Shows a stored run in Results without training it: its supernet is restored from its last checkpoint
   * (when it has one) so its architecture can be derived, finetuned and exported again; the stored results
   * are shown either way.
   */
  async openInResults(id: string): Promise<void> {
    const row = this.rows.find((r) => r.run.id === id);
    if (!row) return;
    if (search.status === 'running') {
      this.error = 'A search is running: pause it before opening another run.';
      return;
    }
    this.opened = row.run;
    this.error = null;
    if (row.checkpoints.length) {
      this.busy = true;
      // just after a reload the training engine may still be starting
      for (let i = 0; i < 600 && runtime.status === 'starting'; i++) await sleep(100);
    }
    if (row.checkpoints.length && runtime.status === 'ready') {
      search.config = structuredClone(row.run.experiment);
      const ok = await search.configure(id);
      if (ok && row.run.status === 'finished') search.status = 'finished';
      if (!ok) this.error = search.error;
    }
    this.busy = false;
    router.go('results');
  }

  /** Continues an interrupted or paused run from its newest checkpoint, in Search. */
  async resume(id: string): Promise<void> {
    const manifest = await checkpointStore.manifest(id).catch(() => undefined);
    if (!manifest?.checkpoints.length) {
      this.error = 'This run has no checkpoint to resume from.';
      return;
    }
    search.resumable = manifest;
    router.go('search');
    await search.resumeStored();
  }

  async exportRun(id: string): Promise<void> {
    await this.act('Exporting', async () => {
      const run = await recorder.store.get(id);
      if (!run) throw new Error('the run is gone');
      const weights = this.includeWeights ? await recorder.store.weights(id) : undefined;
      const name = run.name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
      downloadFile(encodeRunFile({ run, weights }), `${name}.nasrun.json`, 'application/json');
    });
  }

  async importFile(file: File): Promise<void> {
    await this.act('Importing', async () => {
      let parsed;
      try {
        parsed = decodeRunFile(await file.text());
      } catch (err) {
        if (err instanceof RunFileError) throw new Error(`${file.name}: ${err.message}`);
        throw err;
      }
      const r = await recorder.store.importRun(parsed);
      this.message = `Imported "${r.name}"${parsed.weights ? ' with its weights' : ''}.`;
    });
  }

  /** A share link of the run's experiment and its best-known result, opening in Results. */
  shareLink(run: RunRecord): string {
    const a = run.derived.at(-1);
    const nme = a?.evaluation?.nme ?? finalNme(run) ?? undefined;
    const result = a
      ? { arch: a.arch, metrics: { macs: a.macs, params: a.params, nme, steps: run.step } }
      : undefined;
    return shareLink(location.href, { config: run.experiment, result, view: { area: 'results' } });
  }

  private async act(what: string, fn: () => Promise<void>): Promise<void> {
    this.error = null;
    this.message = null;
    this.busy = true;
    try {
      await fn();
    } catch (err) {
      this.error = `${what} failed: ${errorText(err)}`;
    } finally {
      this.busy = false;
    }
    await this.refresh();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export const runs = new RunsLibrary();
