/**
 * The checkpoint of an FBNetV3 joint search: the form it runs with and the engine's resumable state as the
 * worker streamed it after the latest trained candidate. One record in its own IndexedDB database, written
 * with its length and checksum (integrity.ts, as strategies-checkpoint.ts) so a damaged or truncated record
 * is refused — with a message — rather than resumed.
 *
 * Beside it, one record per verification training that kept its network's weights (the fine stage's
 * winners, exportable to ONNX after a reload): written once when that candidate finishes, never rewritten
 * with every checkpoint, and cleared with the search.
 */
import { checkState, type JointSearchState, type WeightMap } from '../nas/index.ts';
import type { V3Settings } from '../worker/protocol.ts';
import { checksum } from './integrity.ts';
import { estimateBytes } from './checkpoints.ts';
import { idbKV, isQuotaError, StorageFullError, type KV } from './kv.ts';

export const V3_KEY = 'v3:latest';
/** Prefix of the kept-weights records: `v3:weights:<candidateKey>`. */
export const V3_WEIGHTS_PREFIX = 'v3:weights:';

/** The trained weights of one candidate (by candidateKey), and the budget it was verified for. */
export interface KeptWeights {
  key: string;
  budget: number | null;
  weights: WeightMap;
}

export interface V3WeightsLoadResult {
  /** By candidate key. */
  value: Record<string, KeptWeights>;
  /** Why stored weights were refused (they are then deleted). */
  problem?: string;
}

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

  /** Clears the search and every kept network. */
  async clear(): Promise<void> {
    await this.kv.del(V3_KEY);
    await this.clearWeights();
  }

  async saveWeights(value: KeptWeights): Promise<void> {
    const record = { value, bytes: estimateBytes(value), checksum: checksum(value) };
    try {
      await this.kv.set(V3_WEIGHTS_PREFIX + value.key, record);
    } catch (err) {
      if (isQuotaError(err)) throw new StorageFullError('the trained FBNetV3 network');
      throw err;
    }
  }

  /** Every kept network that is intact; a damaged one is deleted and named in `problem`. */
  async loadWeights(): Promise<V3WeightsLoadResult> {
    const value: Record<string, KeptWeights> = {};
    const bad: string[] = [];
    for (const k of await this.kv.keys()) {
      if (!k.startsWith(V3_WEIGHTS_PREFIX)) continue;
      const rec = await this.kv.get<{ value: KeptWeights; bytes: number; checksum: number }>(k);
      const ok =
        !!rec &&
        typeof rec === 'object' &&
        !!rec.value &&
        rec.value.key === k.slice(V3_WEIGHTS_PREFIX.length) &&
        estimateBytes(rec.value) === rec.bytes &&
        checksum(rec.value) === rec.checksum;
      if (ok) value[rec.value.key] = rec.value;
      else {
        bad.push(k.slice(V3_WEIGHTS_PREFIX.length));
        await this.kv.del(k).catch(() => undefined);
      }
    }
    if (!bad.length) return { value };
    return {
      value,
      problem: `The stored weights of ${bad.length} trained FBNetV3 network${bad.length > 1 ? 's were' : ' was'} damaged and discarded; export ${bad.length > 1 ? 'them' : 'it'} again after retraining.`,
    };
  }

  async clearWeights(): Promise<void> {
    for (const k of await this.kv.keys()) if (k.startsWith(V3_WEIGHTS_PREFIX)) await this.kv.del(k);
  }
}

/** The app's store: its own IndexedDB database. */
export function browserV3Store(): V3CheckpointStore {
  return new V3CheckpointStore(idbKV('nas-playground-v3', 'checkpoints'));
}
