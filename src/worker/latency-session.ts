/**
 * The worker's latency-table work: measuring a table for a space on the active backend, storing,
 * importing and exporting tables, and checking a table's predictions against end-to-end timings of random
 * subnets (does the lookup table rank networks the way the device does?).
 */
import {
  type SearchSpace,
  isAbortError,
  measureArch,
  profileRuns,
  profileSpace,
  mapPaddleSlimToSpace,
  parsePaddleSlimTable,
  spearman,
  predictLatency,
  tableMismatch,
  type LatencyTable,
  Rng,
  archFromChoices,
  resolveSpace,
  SPACES,
} from '../nas/index.ts';
import { LatencyTableStore, summarizeTable, type LatencyTableSummary } from '../storage/latency-tables.ts';
import {
  WorkerRequestError,
  type LatencyCheckPoint,
  type LatencyCheckResult,
  type LatencyImportArgs,
  type LatencyImportReport,
  type ProfileLatencyArgs,
  type WorkerEvent,
} from './protocol.ts';

function spaceOf(id: string, edits: Record<number, string[]> = {}): SearchSpace {
  const space = SPACES[id];
  if (!space) throw new WorkerRequestError(`Unknown search space "${id}"`, 'bad-request');
  return resolveSpace(space, edits);
}

/** The space a table was made for: its layers' candidate lists are the edits. */
function spaceOfTable(table: LatencyTable): SearchSpace {
  const edits: Record<number, string[]> = {};
  for (const l of table.layers) edits[l.layer] = l.candidates;
  const space = spaceOf(table.space, edits);
  const why = tableMismatch(table, space, table.inputSize);
  if (why) throw new WorkerRequestError(`The table does not fit its space: ${why}`, 'bad-request');
  return space;
}

export class LatencySession {
  private controller: AbortController | null = null;

  constructor(
    private readonly emit: (event: WorkerEvent) => void,
    private readonly store = new LatencyTableStore(),
  ) {}

  private begin(): AbortController {
    if (this.controller) throw new WorkerRequestError('A latency measurement is already running.', 'busy');
    this.controller = new AbortController();
    return this.controller;
  }

  private progress(label: string, done: number, total: number): void {
    this.emit({ type: 'latency-progress', label, done, total });
  }

  async profile(args: ProfileLatencyArgs, adapter: string): Promise<LatencyTableSummary> {
    const space = spaceOf(args.space, args.edits);
    const controller = this.begin();
    const total = profileRuns(space, args.warmup, args.repeats);
    try {
      this.progress('starting', 0, total);
      const table = await profileSpace(space, {
        inputSize: args.inputSize,
        batch: args.batch,
        warmup: args.warmup,
        repeats: args.repeats,
        seed: args.seed ?? 1,
        signal: controller.signal,
        adapter,
        onProgress: (done, n, label) => this.progress(label, Math.min(done, n - 1), n),
      });
      await this.store.saveTable(table);
      return summarizeTable(table);
    } catch (err) {
      if (isAbortError(err)) throw new WorkerRequestError((err as Error).message, 'cancelled');
      throw err;
    } finally {
      this.progress('done', total, total);
      this.controller = null;
    }
  }

  cancel(): { cancelled: boolean } {
    if (!this.controller) return { cancelled: false };
    this.controller.abort();
    return { cancelled: true };
  }

  list(): Promise<LatencyTableSummary[]> {
    return this.store.listTables();
  }

  async get(key: string): Promise<LatencyTable> {
    const table = await this.store.loadTable(key);
    if (!table) throw new WorkerRequestError(`No latency table "${key}" is stored`, 'not-found');
    return table;
  }

  async remove(key: string): Promise<{ deleted: string }> {
    await this.store.deleteTable(key);
    return { deleted: key };
  }

  async exportJson(key: string): Promise<{ key: string; json: string }> {
    return { key, json: await this.store.exportTable(key) };
  }

  async import(args: LatencyImportArgs): Promise<LatencyImportReport> {
    if (args.text.trimStart().startsWith('{')) {
      const table = await this.store.importTable(args.text);
      return { summary: summarizeTable(table), format: 'json', unmapped: [] };
    }
    const parsed = parsePaddleSlimTable(args.text);
    if (parsed.entries.length === 0) {
      throw new WorkerRequestError(
        'Neither a latency table JSON nor a PaddleSlim latency table: no op lines could be read.',
        'bad-request',
      );
    }
    const mapping = mapPaddleSlimToSpace(parsed.entries, spaceOf(args.space, args.edits), args.inputSize, {
      header: parsed.header,
    });
    await this.store.saveTable(mapping.table);
    return {
      summary: summarizeTable(mapping.table),
      format: 'paddleslim',
      unmapped: [...parsed.problems.map((p) => `line ${p.line}: ${p.reason}`), ...mapping.unmapped],
    };
  }

  /**
   * `samples` subnets with seeded random choices: the table's predicted latency next to the measured
   * end-to-end forward time (median of `repeats`).
   */
  async check(args: {
    key: string;
    samples: number;
    warmup: number;
    repeats: number;
    seed?: number;
  }): Promise<LatencyCheckResult> {
    const table = await this.get(args.key);
    const space = spaceOfTable(table);
    if (!Number.isInteger(args.samples) || args.samples < 2) {
      throw new WorkerRequestError('The check needs at least 2 subnets to rank.', 'bad-request');
    }
    const controller = this.begin();
    const rng = new Rng(args.seed ?? 7);
    const points: LatencyCheckPoint[] = [];
    try {
      for (let s = 0; s < args.samples; s++) {
        this.progress(`subnet ${s + 1} of ${args.samples}`, s, args.samples);
        const choices = table.layers.map((l) => rng.int(l.candidates.length));
        const arch = archFromChoices(space, choices, `check-${s}`);
        const timing = await measureArch(arch, {
          batch: table.batch,
          warmup: args.warmup,
          repeats: args.repeats,
          seed: rng.seed(),
          inputSize: table.inputSize,
          signal: controller.signal,
        });
        points.push({ choices, predicted: predictLatency(table, choices), measured: timing.median });
      }
    } catch (err) {
      if (isAbortError(err)) throw new WorkerRequestError((err as Error).message, 'cancelled');
      throw err;
    } finally {
      this.progress('done', args.samples, args.samples);
      this.controller = null;
    }
    const rho = spearman(
      points.map((p) => p.predicted),
      points.map((p) => p.measured),
    );
    return { key: args.key, points, spearman: rho };
  }
}
