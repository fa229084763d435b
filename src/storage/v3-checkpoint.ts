/**
 * The checkpoint of an FBNetV3 joint search: the form it runs with and the engine's resumable state as the
 * worker streamed it after the latest trained candidate. One record in its own IndexedDB database, written
 * with its length and checksum (integrity.ts, as strategies-checkpoint.ts) so a damaged or truncated record
 * is refused — with a message — rather than resumed.
 */
import { checkState, type JointSearchState } from '../nas/index.ts';
import type { V3Settings } from '../worker/protocol.ts';
import { checksum } from './integrity.ts';
import { estimateBytes } from './checkpoints.ts';
import { idbKV, isQuotaError, StorageFullError, type KV } from './kv.ts';

export const V3_KEY = 'v3:latest';

export interface StoredV3 {
  settings: V3Settings;
  state: JointSearchState;
}

interface StoredRecord {
  value: StoredV3;
  bytes: number;
  checksum: number;
}

export interface V3LoadResult {
  value: StoredV3 | null;
  /** Why a stored checkpoint was refused (it is then deleted). */
  problem?: string;
}

/** The engine's own shape check of the state, plus the form's numbers. */
function shapeProblem(v: unknown): string | null {
  const s = v as Partial<StoredV3> | null;
  if (!s || typeof s !== 'object' || !s.settings || typeof s.settings !== 'object') return 'no settings';
  if (!Array.isArray(s.settings.budgets)) return 'no fine-stage budgets';
  try {
    checkState(s.state);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  return null;
}

export class V3CheckpointStore {
  constructor(private readonly kv: KV) {}

  async save(value: StoredV3): Promise<void> {
    const record: StoredRecord = { value, bytes: estimateBytes(value), checksum: checksum(value) };
    try {
      await this.kv.set(V3_KEY, record);
    } catch (err) {
      if (isQuotaError(err)) throw new StorageFullError('the FBNetV3 search checkpoint');
      throw err;
    }
  }

  async load(): Promise<V3LoadResult> {
    const rec = await this.kv.get<StoredRecord>(V3_KEY);
    if (rec === undefined) return { value: null };
    const refuse = async (problem: string): Promise<V3LoadResult> => {
      await this.kv.del(V3_KEY).catch(() => undefined);
      return {
        value: null,
        problem: `The stored FBNetV3 search checkpoint is damaged (${problem}); it was discarded.`,
      };
    };
    if (!rec || typeof rec !== 'object' || !('value' in rec)) return refuse('not a checkpoint record');
    if (estimateBytes(rec.value) !== rec.bytes)
      return refuse(`length ${estimateBytes(rec.value)}, expected ${rec.bytes}`);
    if (checksum(rec.value) !== rec.checksum) return refuse('checksum mismatch');
    const problem = shapeProblem(rec.value);
    if (problem) return refuse(problem);
    return { value: rec.value };
  }

  async clear(): Promise<void> {
    await this.kv.del(V3_KEY);
  }
}

/** The app's store: its own IndexedDB database. */
export function browserV3Store(): V3CheckpointStore {
  return new V3CheckpointStore(idbKV('nas-playground-v3', 'checkpoints'));
}
