/**
 * Latency tables panel state: measuring a table for the experiment's space on this device, the stored
 * tables, the one being viewed, imports, and the predicted-vs-measured check. All work runs in the worker.
 */
import { keyOfTable, type LatencyTable } from '../../nas/index.ts';
import type { LatencyTableSummary } from '../../storage/latency-tables.ts';
import type {
  LatencyCheckResult,
  LatencyImportReport,
  WorkerClient,
  WorkerEvent,
} from '../../worker/protocol.ts';
import { runtime } from './runtime.svelte.ts';
import { search } from './search.svelte.ts';

/** Largest latency-table file read (JSON or PaddleSlim text). */
const MAX_LATENCY_FILE_BYTES = 64 * 1024 * 1024;

export class LatencyState {
  tables = $state.raw<LatencyTableSummary[]>([]);
  /** Table shown as a heat map. */
  viewed = $state.raw<LatencyTable | null>(null);
  check = $state.raw<LatencyCheckResult | null>(null);
  importReport = $state.raw<LatencyImportReport | null>(null);
  progress = $state<{ label: string; done: number; total: number } | null>(null);
  /** What is running: a measurement, a check, or nothing. */
  running = $state<'profile' | 'check' | null>(null);
  error = $state<string | null>(null);
  message = $state<string | null>(null);
  warmup = $state(3);
  repeats = $state(10);
  batch = $state(1);
  samples = $state(8);
  private subscribedTo: WorkerClient | null = null;
  private unsubscribe: (() => void) | null = null;

  /** The stored table the search uses, when the cost is latency. */
  inUse = $derived(search.config.loss.cost === 'latency' ? (search.config.loss.latencyTable ?? null) : null);

  private get client(): WorkerClient {
    const c = runtime.client;
    if (!c) throw new Error('The training engine is not running yet.');
    if (c !== this.subscribedTo) {
      this.unsubscribe?.();
      this.unsubscribe = c.onEvent((e) => this.onEvent(e));
      this.subscribedTo = c;
    }
    return c;
  }

  private onEvent(e: WorkerEvent): void {
    if (e.type !== 'latency-progress') return;
    this.progress = e.done >= e.total ? null : { label: e.label, done: e.done, total: e.total };
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    this.error = null;
    try {
      return await fn();
    } catch (err) {
      this.error = `${what} failed: ${err instanceof Error ? err.message : String(err)}`;
      return undefined;
    }
  }

  async refresh(): Promise<void> {
    const list = await this.guard('Listing latency tables', () => this.client.call('listLatencyTables', {}));
    if (list) this.tables = list;
  }

  /** Measures the experiment's space (candidate edits applied) at its input size. */
  async profile(): Promise<void> {
    if (this.running) return;
    const c = search.config;
    this.running = 'profile';
    this.message = null;
    try {
      const summary = await this.guard('Measuring latency', () =>
        this.client.call('profileLatency', {
          space: c.space,
          edits: search.snapshot().candidateEdits,
          inputSize: c.inputSize,
          batch: this.batch,
          warmup: this.warmup,
          repeats: this.repeats,
        }),
      );
      if (summary) {
        this.message = `Measured ${summary.space} at ${summary.inputSize}px on ${summary.backend}: ${summary.fastestMs.toFixed(2)}–${summary.slowestMs.toFixed(2)} ms.`;
        await this.refresh();
        await this.view(summary.key);
      }
    } finally {
      this.running = null;
      this.progress = null;
    }
  }

  async cancel(): Promise<void> {
    await this.guard('Cancelling', () => this.client.call('cancelProfile', {}));
  }

  async view(key: string): Promise<void> {
    const table = await this.guard('Loading the table', () => this.client.call('getLatencyTable', { key }));
    if (table) this.viewed = table;
  }

  async remove(key: string): Promise<void> {
    await this.guard('Deleting the table', () => this.client.call('deleteLatencyTable', { key }));
    if (this.viewed && keyOfTable(this.viewed) === key) this.viewed = null;
    if (this.check?.key === key) this.check = null;
    await this.refresh();
  }

  /** Downloads the table as a JSON file. */
  async exportJson(key: string): Promise<void> {
    const out = await this.guard('Exporting', () => this.client.call('exportLatencyTable', { key }));
    if (!out) return;
    const url = URL.createObjectURL(new Blob([out.json], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `latency-${key.replace(/[^a-z0-9.-]+/gi, '_')}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  /** A JSON table, or PaddleSlim text mapped onto the experiment's space and input size. */
  async importFile(file: File): Promise<void> {
    // a real table is kilobytes to a few megabytes; reading a huge file whole would exhaust the tab
    if (file.size > MAX_LATENCY_FILE_BYTES) {
      this.error = `Importing ${file.name} failed: ${file.size} bytes is far larger than any latency table (limit ${MAX_LATENCY_FILE_BYTES}).`;
      return;
    }
    const text = await file.text();
    const c = search.config;
    const report = await this.guard(`Importing ${file.name}`, () =>
      this.client.call('importLatencyTable', {
        text,
        space: c.space,
        edits: search.snapshot().candidateEdits,
        inputSize: c.inputSize,
      }),
    );
    if (!report) return;
    this.importReport = report;
    await this.refresh();
  }

  /** The search's cost becomes this table; the supernet is rebuilt on the next start. */
  use(key: string): void {
    const t = this.tables.find((x) => x.key === key);
    search.edit((c) => (c.loss = { ...c.loss, cost: 'latency', latencyTable: key }));
    this.message =
      t && (t.space !== search.config.space || t.inputSize !== search.config.inputSize)
        ? `Note: this table is for ${t.space} at ${t.inputSize}px, the experiment is ${search.config.space} at ${search.config.inputSize}px.`
        : 'The search will use this table as its cost (ms).';
  }

  async runCheck(key: string): Promise<void> {
    if (this.running) return;
    this.running = 'check';
    this.check = null;
    try {
      const result = await this.guard('Checking the table', () =>
        this.client.call('checkLatency', {
          key,
          samples: this.samples,
          warmup: this.warmup,
          repeats: this.repeats,
        }),
      );
      if (result) this.check = result;
    } finally {
      this.running = null;
      this.progress = null;
    }
  }
}

export const latency = new LatencyState();
