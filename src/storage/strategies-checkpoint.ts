/**
 * The checkpoint of a sample-strategies run (SANAS / aging evolution / random search side by side): the
 * latest resumable state the worker streamed, under the search run whose supernet scores it. One record in
 * IndexedDB, written with its length and checksum (integrity.ts) so a damaged or truncated record is
 * refused rather than resumed. Earlier versions kept it in localStorage: the first load moves that entry
 * here once and removes it.
 */
import { checksum } from './integrity.ts';
import { estimateBytes } from './checkpoints.ts';
import { idbKV, isQuotaError, StorageFullError, type KV } from './kv.ts';

export const STRATEGIES_KEY = 'strategies:latest';
/** Where earlier versions kept the checkpoint. */
export const LEGACY_STRATEGIES_KEY = 'nas-playground:strategies';

export interface StoredStrategies<State = unknown> {
  runId: string;
  state: State;
}

interface StoredRecord {
  value: StoredStrategies;
  bytes: number;
  checksum: number;
}

/** The part of localStorage this store touches (absent in workers and Node). */
export type LegacyStorage = Pick<Storage, 'getItem' | 'removeItem'>;

export interface LoadResult<State> {
  value: StoredStrategies<State> | null;
  /** Why a stored checkpoint was refused (it is then deleted). */
  problem?: string;
}

/** Shape check of a stored value; `isState` checks the strategies state itself. */
function isStored(v: unknown, isState: (s: unknown) => boolean): v is StoredStrategies {
  return (
    !!v &&
    typeof v === 'object' &&
    typeof (v as StoredStrategies).runId === 'string' &&
    isState((v as StoredStrategies).state)
  );
}

export class StrategiesCheckpointStore<State = unknown> {
  private migrated = false;

  constructor(
    private readonly kv: KV,
    private readonly isState: (s: unknown) => s is State,
    private readonly legacy: LegacyStorage | null = null,
  ) {}

  async save(value: StoredStrategies<State>): Promise<void> {
    const record: StoredRecord = { value, bytes: estimateBytes(value), checksum: checksum(value) };
    try {
      await this.kv.set(STRATEGIES_KEY, record);
    } catch (err) {
      if (isQuotaError(err)) throw new StorageFullError('the strategies checkpoint');
      throw err;
    }
  }

  /** Moves a localStorage checkpoint of an earlier version here, once, unless a newer one is stored. */
  private async migrate(): Promise<void> {
    if (this.migrated || !this.legacy) return;
    this.migrated = true;
    let raw: string | null = null;
    try {
      raw = this.legacy.getItem(LEGACY_STRATEGIES_KEY);
    } catch {
      return; // localStorage unavailable: nothing to move
    }
    if (raw === null) return;
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined; // unreadable: dropped below
    }
    if (isStored(parsed, this.isState) && (await this.kv.get(STRATEGIES_KEY)) === undefined) {
      await this.save(parsed as StoredStrategies<State>);
    }
    try {
      this.legacy.removeItem(LEGACY_STRATEGIES_KEY);
    } catch {
      // cannot remove: the IndexedDB record, now present, wins on the next load anyway
    }
  }

  async load(): Promise<LoadResult<State>> {
    await this.migrate();
    const rec = await this.kv.get<StoredRecord>(STRATEGIES_KEY);
    if (rec === undefined) return { value: null };
    const refuse = async (problem: string): Promise<LoadResult<State>> => {
      await this.kv.del(STRATEGIES_KEY).catch(() => undefined);
      return {
        value: null,
        problem: `The stored strategies checkpoint is damaged (${problem}); it was discarded.`,
      };
    };
    if (!rec || typeof rec !== 'object' || !('value' in rec)) return refuse('not a checkpoint record');
    if (estimateBytes(rec.value) !== rec.bytes)
      return refuse(`length ${estimateBytes(rec.value)}, expected ${rec.bytes}`);
    if (checksum(rec.value) !== rec.checksum) return refuse('checksum mismatch');
    if (!isStored(rec.value, this.isState)) return refuse('not a strategies state');
    return { value: rec.value as StoredStrategies<State> };
  }

  async clear(): Promise<void> {
    await this.kv.del(STRATEGIES_KEY);
  }
}

/** The app's store: its own IndexedDB database, migrating from the page's localStorage. */
export function browserStrategiesStore<State>(
  isState: (s: unknown) => s is State,
): StrategiesCheckpointStore<State> {
  let legacy: LegacyStorage | null = null;
  try {
    legacy = typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    legacy = null; // a sandboxed page may not touch localStorage at all
  }
  return new StrategiesCheckpointStore(idbKV('nas-playground-strategies', 'checkpoints'), isState, legacy);
}
