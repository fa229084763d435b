/**
 * The "Better than random?" check of a run (the searched network and random architectures of its space,
 * trained from scratch): kept in the library of runs next to the run's record, under the same run id, so it
 * survives a reload, resumes from its last finished unit and goes when the run is deleted (RunStore.delete).
 *
 * Written with its length and checksum (integrity.ts) like the other resumable states: a damaged or
 * hand-edited record is reported with a message and never resumed from; it stays until a new check of the
 * run replaces it (nothing is deleted behind the user's back).
 */
import type { BaselineCheckState } from '../nas/index.ts';
import { estimateBytes } from './checkpoints.ts';
import { checksum } from './integrity.ts';
import { isQuotaError, StorageFullError, type KV } from './kv.ts';

/** The check's key in the runs library store (RunStore keeps `record:<id>` there). */
export const baselineKey = (runId: string) => `baseline:${runId}`;

interface StoredCheck {
  runId: string;
  state: BaselineCheckState;
  savedAt: number;
  bytes: number;
  checksum: number;
}

export interface LoadedCheck {
  state: BaselineCheckState | null;
  savedAt?: number;
  /** Why a stored check could not be read (then state is null). */
  problem?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object';
const isNumberList = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');

/**
 * Why `v` is not a check state this version can show and resume, or null when it is. Checks what the UI and
 * the engine read: the plan's candidates (ids, kinds, costs, architectures), recipe seeds, and results as
 * lists of numbers under known candidate ids.
 */
export function baselineStateProblem(v: unknown): string | null {
  if (!isObject(v) || !isObject(v.plan) || !isObject(v.results)) return 'not a check state';
  const plan = v.plan;
  if (plan.version !== 1) return `plan version ${String(plan.version)}, expected 1`;
  if (!isObject(plan.recipe) || !isNumberList(plan.recipe.initSeeds) || plan.recipe.initSeeds.length < 1)
    return 'no training recipe';
  if (!isObject(plan.settings)) return 'no settings';
  if (!isObject(plan.band) || typeof plan.band.low !== 'number' || typeof plan.band.high !== 'number')
    return 'no cost band';
  if (!Array.isArray(plan.candidates) || plan.candidates.length < 1) return 'no candidates';
  const ids = new Set<string>();
  for (const c of plan.candidates as unknown[]) {
    if (
      !isObject(c) ||
      typeof c.id !== 'string' ||
      !['searched', 'uniform', 'cost-matched'].includes(c.kind as string) ||
      typeof c.macs !== 'number' ||
      typeof c.params !== 'number' ||
      typeof c.label !== 'string' ||
      !isObject(c.arch) ||
      !isObject(c.choices)
    )
      return 'a candidate is malformed';
    if (ids.has(c.id)) return `candidate "${c.id}" appears twice`;
    ids.add(c.id);
  }
  if (!isObject(plan.searched) || !ids.has(plan.searched.id as string)) return 'no searched network';
  const seeds = plan.recipe.initSeeds.length;
  for (const [id, nmes] of Object.entries(v.results)) {
    if (!ids.has(id)) return `results for an unknown candidate "${id}"`;
    // a unit not yet trained may be a hole (undefined, or null after JSON); NaN is a diverged unit
    const ok = Array.isArray(nmes) && nmes.every((x) => typeof x === 'number' || x == null);
    if (!ok || nmes.length > seeds) return `the results of "${id}" are malformed`;
  }
  return null;
}

export class BaselineCheckStore {
  /**
   * `runExists`: whether the run is still in the library; a check whose run was deleted while it trained
   * is then not written back (it would outlive its run).
   */
  constructor(
    private readonly kv: KV,
    private readonly runExists?: (runId: string) => Promise<boolean>,
  ) {}

  async save(runId: string, state: BaselineCheckState, now = Date.now()): Promise<void> {
    if (this.runExists && !(await this.runExists(runId)))
      throw new Error('its run is no longer in the library of runs');
    const record: StoredCheck = {
      runId,
      state,
      savedAt: now,
      bytes: estimateBytes(state),
      checksum: checksum(state),
    };
    try {
      await this.kv.set(baselineKey(runId), record);
    } catch (err) {
      if (isQuotaError(err)) throw new StorageFullError('the random-baseline check');
      throw err;
    }
  }

  /** The run's stored check; `{ state: null }` when it has none, with `problem` when it is unreadable. */
  async load(runId: string): Promise<LoadedCheck> {
    const rec = await this.kv.get<StoredCheck>(baselineKey(runId));
    if (rec === undefined) return { state: null };
    const refuse = (why: string): LoadedCheck => ({
      state: null,
      problem: `The stored "Better than random?" check of this run cannot be read (${why}); start a new check to replace it.`,
    });
    if (!isObject(rec) || !('state' in rec) || typeof rec.bytes !== 'number')
      return refuse('not a check record');
    if (rec.runId !== runId) return refuse('it belongs to another run');
    const bytes = estimateBytes(rec.state);
    if (bytes !== rec.bytes) return refuse(`length ${bytes}, expected ${rec.bytes}`);
    if (checksum(rec.state) !== rec.checksum) return refuse('checksum mismatch');
    const problem = baselineStateProblem(rec.state);
    if (problem) return refuse(problem);
    return { state: rec.state, savedAt: rec.savedAt };
  }

  async delete(runId: string): Promise<void> {
    await this.kv.del(baselineKey(runId));
  }
}
