/**
 * Latency lookup tables in IndexedDB, one entry per table under `latency:<tableKey>` (space, input size,
 * backend, device), so measuring again on the same device replaces the old table. Tables are validated
 * on the way in (import) and on the way out (load), so a damaged entry cannot reach the search loop.
 * Its own database: idb-keyval creates a store only together with its database.
 */
import {
  keyOfTable,
  tableFromJson,
  tableToJson,
  validateTable,
  type LatencySource,
  type LatencyTable,
} from '../nas/index.ts';
import { idbKV, isQuotaError, StorageFullError, type KV } from './kv.ts';

export interface LatencyTableSummary {
  /** tableKey(space, inputSize, backend, adapter): what ExperimentConfig.loss.latencyTable holds. */
  key: string;
  space: string;
  inputSize: number;
  batch: number;
  backend: string;
  adapter: string;
  createdAt: number;
  source: LatencySource;
  layers: number;
  candidates: number;
  fixedMs: number;
  /** fixedMs + the fastest candidate of every layer, and the slowest: the range the search can reach. */
  fastestMs: number;
  slowestMs: number;
}

const PREFIX = 'latency:';

export function summarizeTable(table: LatencyTable): LatencyTableSummary {
  const sum = (pick: (ms: number[]) => number) =>
    table.layers.reduce((s, l) => s + pick(l.ms), table.fixedMs);
  return {
    key: keyOfTable(table),
    space: table.space,
    inputSize: table.inputSize,
    batch: table.batch,
    backend: table.backend,
    adapter: table.adapter,
    createdAt: table.createdAt,
    source: table.source,
    layers: table.layers.length,
    candidates: table.layers.reduce((n, l) => n + l.candidates.length, 0),
    fixedMs: table.fixedMs,
    fastestMs: sum((ms) => Math.min(...ms)),
    slowestMs: sum((ms) => Math.max(...ms)),
  };
}

export class LatencyTableStore {
  constructor(private readonly kv: KV = idbKV('nas-playground-latency', 'tables')) {}

  /** Saves (or replaces) a table; returns its key. */
  async saveTable(table: LatencyTable): Promise<string> {
    const clean = validateTable(table);
    const key = keyOfTable(clean);
    try {
      await this.kv.set(PREFIX + key, clean);
    } catch (err) {
      if (isQuotaError(err)) throw new StorageFullError(`the latency table for ${clean.space}`);
      throw err;
    }
    return key;
  }

  /** Summaries of every readable table, newest first. */
  async listTables(): Promise<LatencyTableSummary[]> {
    const keys = (await this.kv.keys()).filter((k) => k.startsWith(PREFIX));
    const out: LatencyTableSummary[] = [];
    for (const k of keys) {
      const table = await this.read(k);
      if (table) out.push(summarizeTable(table));
    }
    return out.sort((a, b) => b.createdAt - a.createdAt);
  }

  /** The table, or undefined when there is none under `key`; throws when the stored value is damaged. */
  async loadTable(key: string): Promise<LatencyTable | undefined> {
    const value = await this.kv.get<unknown>(PREFIX + key);
    if (value === undefined) return undefined;
    try {
      return validateTable(value);
    } catch (err) {
      throw new Error(`Stored latency table "${key}" is damaged: ${(err as Error).message}`);
    }
  }

  async deleteTable(key: string): Promise<void> {
    await this.kv.del(PREFIX + key);
  }

  /** The table as a JSON file's text. */
  async exportTable(key: string): Promise<string> {
    const table = await this.loadTable(key);
    if (!table) throw new Error(`No latency table "${key}" to export`);
    return tableToJson(table);
  }

  /**
   * Validates and saves a table exported from this app (possibly on another device); a measured table
   * becomes 'imported-json'. Returns the saved table.
   */
  async importTable(json: string): Promise<LatencyTable> {
    const table = tableFromJson(json);
    const imported: LatencyTable = {
      ...table,
      source: table.source === 'measured' ? 'imported-json' : table.source,
    };
    await this.saveTable(imported);
    return imported;
  }

  private async read(storageKey: string): Promise<LatencyTable | undefined> {
    try {
      return validateTable(await this.kv.get<unknown>(storageKey));
    } catch {
      return undefined; // damaged entries are left out of the list; loadTable says why
    }
  }
}
