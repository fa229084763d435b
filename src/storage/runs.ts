/**
 * The library of runs: one record per search (any strategy), kept after the tab closes so a run can be
 * reopened, compared, exported or deleted without training it again. A record holds what a person looks at
 * afterwards (experiment as it was run, status, metric history, derived architectures and their results);
 * the weights stay in the checkpoint store under the same run id, which `deleteRun` also clears.
 *
 * The experiment is stored as given: the record never interprets strategy-specific fields.
 */
import type { Arch, ExperimentConfig } from '../nas/index.ts';
import { baselineKey } from './baseline-checks.ts';
import { estimateBytes, type CheckpointInfo, type CheckpointStore } from './checkpoints.ts';
import { isQuotaError, StorageFullError, type KV } from './kv.ts';

export type RunStatus = 'running' | 'paused' | 'finished' | 'diverged' | 'interrupted';

/**
 * Allowed changes of status. A finished or diverged run is over: reopening it in Results restores its
 * weights but does not make it run again (a new search is a new run). `interrupted` is what a `running`
 * record becomes when the page that ran it went away; resuming it pauses (restored) then runs.
 */
const NEXT: Record<RunStatus, readonly RunStatus[]> = {
  running: ['paused', 'finished', 'diverged', 'interrupted'],
  paused: ['running', 'finished', 'diverged', 'interrupted'],
  interrupted: ['running', 'paused'],
  finished: [],
  diverged: [],
};

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return from === to || NEXT[from].includes(to);
}

/** One point of a run's curves; step-level numbers only, so any strategy can fill it. */
export interface RunPoint {
  step: number;
  loss: number;
  taskLoss: number;
  expectedCost: number;
  /** Mean entropy (nats) of the architecture distribution over searchable layers. */
  entropy: number;
}

export interface RunEval {
  step: number;
  valNme: number | null;
}

/** An architecture derived from the run, with what was done with it afterwards. */
export interface RunArch {
  /** How it was derived ('argmax', 'sample', 'manual' …). */
  mode: string;
  arch: Arch;
  choices: number[];
  macs: number;
  params: number;
  finetune?: { steps: number; finalLoss: number; outcome: string };
  evaluation?: { nme: number; failureRate: number; auc: number };
  export?: { fileName: string; bytes: number; maxAbsDiff: number };
}

export interface RunRecord {
  id: string;
  name: string;
  experiment: ExperimentConfig;
  status: RunStatus;
  createdAt: number;
  updatedAt: number;
  finishedAt?: number;
  backend: string;
  device: string;
  step: number;
  totalSteps: number;
  history: RunPoint[];
  evals: RunEval[];
  derived: RunArch[];
  /** Where it came from: searched here, or imported from a run file. */
  origin: 'local' | 'imported';
}

/** History is thinned to at most this many points (every other point dropped, newest kept). */
export const MAX_HISTORY = 2000;

const KEY = (id: string) => `record:${id}`;
const ID = /^[a-z0-9][a-z0-9-]{2,63}$/;

/** A fresh run id: time (base 36) and a random tail; the same form the training worker uses. */
export function newRunId(now = Date.now(), rand = Math.random): string {
  return `${now.toString(36)}-${Math.floor(rand() * 1e6).toString(36)}`;
}

export function isRunId(id: unknown): id is string {
  return typeof id === 'string' && ID.test(id);
}

/** Halves a too-long history by dropping every other point, keeping the first and the newest. */
export function thinHistory(points: RunPoint[], max = MAX_HISTORY): RunPoint[] {
  let out = points;
  while (out.length > max) {
    const last = out[out.length - 1];
    out = out.filter((_, i) => i % 2 === 0);
    if (out[out.length - 1] !== last) out.push(last);
  }
  return out;
}

/** The last finite validation NME of a run, or null. */
export function finalNme(r: Pick<RunRecord, 'evals'>): number | null {
  for (let i = r.evals.length - 1; i >= 0; i--) {
    const v = r.evals[i].valNme;
    if (v !== null && Number.isFinite(v)) return v;
  }
  return null;
}

/**
 * The pruning policy shown to the user: a finished run keeps only its last checkpoint (what "open in
 * Results" restores). Running, paused, interrupted and diverged runs keep all theirs: they may be resumed, and
 * a diverged run's last checkpoint is its last good one. Returns the checkpoint seqs to delete.
 */
export function checkpointsToPrune(status: RunStatus, checkpoints: readonly CheckpointInfo[]): number[] {
  if (status !== 'finished' || checkpoints.length <= 1) return [];
  const last = Math.max(...checkpoints.map((c) => c.seq));
  return checkpoints.filter((c) => c.seq !== last).map((c) => c.seq);
}

export const PRUNE_POLICY =
  'When a run finishes, only its last checkpoint is kept; running, paused, interrupted and diverged runs keep all of theirs.';

export class RunStore {
  constructor(
    private kv: KV,
    private checkpoints?: CheckpointStore,
  ) {}

  async get(id: string): Promise<RunRecord | undefined> {
    return this.kv.get<RunRecord>(KEY(id));
  }

  /** All runs, newest first. */
  async list(): Promise<RunRecord[]> {
    const keys = (await this.kv.keys()).filter((k) => k.startsWith('record:'));
    const all = await Promise.all(keys.map((k) => this.kv.get<RunRecord>(k)));
    return all.filter((r): r is RunRecord => !!r).sort((a, b) => b.createdAt - a.createdAt);
  }

  async put(record: RunRecord): Promise<RunRecord> {
    if (!isRunId(record.id)) throw new Error(`"${record.id}" is not a run id.`);
    const r = { ...record, history: thinHistory(record.history) };
    try {
      await this.kv.set(KEY(r.id), r);
    } catch (err) {
      if (isQuotaError(err)) throw new StorageFullError(`the run "${r.name}"`);
      throw err;
    }
    return r;
  }

  /** Changes a stored run; undefined when there is no such run. */
  async update(id: string, change: (r: RunRecord) => RunRecord): Promise<RunRecord | undefined> {
    const r = await this.get(id);
    if (!r) return undefined;
    return this.put({ ...change(r), id, updatedAt: Date.now() });
  }

  /** Moves a run to `status`; throws on a change the lifecycle does not allow (see NEXT). */
  async setStatus(id: string, status: RunStatus): Promise<RunRecord | undefined> {
    return this.update(id, (r) => {
      if (!canTransition(r.status, status)) throw new Error(`A ${r.status} run cannot become ${status}.`);
      const done = status === 'finished' || status === 'diverged';
      return { ...r, status, ...(done && r.status !== status ? { finishedAt: Date.now() } : {}) };
    });
  }

  async rename(id: string, name: string): Promise<RunRecord | undefined> {
    const clean = name.trim().slice(0, 120);
    if (!clean) throw new Error('A run needs a name.');
    return this.update(id, (r) => ({ ...r, name: clean }));
  }

  /**
   * Runs that were running when their page went away: no worker trains them any more. Their checkpoints are
   * written before the page learns of the end, so a run whose last checkpoint says it finished (or diverged)
   * ended that way and only its record's last write was lost (a reload right at the end): it takes that
   * status and step instead. Returns the ids marked interrupted.
   */
  async markInterrupted(): Promise<string[]> {
    const ids: string[] = [];
    for (const r of await this.list()) {
      if (r.status !== 'running') continue;
      const m = await this.checkpoints?.manifest(r.id).catch(() => undefined);
      const last = m?.checkpoints.at(-1);
      if (last && (m!.status === 'finished' || m!.status === 'diverged')) {
        const step = Math.max(r.step, last.step);
        await this.put({ ...r, status: m!.status, step, finishedAt: last.savedAt, updatedAt: Date.now() });
        continue;
      }
      await this.put({ ...r, status: 'interrupted', updatedAt: Date.now() });
      ids.push(r.id);
    }
    return ids;
  }

  /** Deletes the run, its "Better than random?" check (baseline-checks.ts) and its checkpoints. */
  async delete(id: string): Promise<void> {
    await this.kv.del(KEY(id));
    await this.kv.del(baselineKey(id));
    await this.checkpoints?.deleteRun(id);
  }

  /**
   * Stores an imported run (see run-file.ts) under a fresh id when its own is taken here, with its weights
   * as the run's one checkpoint when the file has them. Returns the stored record.
   */
  async importRun(file: {
    run: RunRecord;
    weights?: { info: CheckpointInfo; state: unknown };
  }): Promise<RunRecord> {
    const id = (await this.get(file.run.id)) ? newRunId() : file.run.id;
    const record = await this.put({ ...file.run, id, origin: 'imported', updatedAt: Date.now() });
    if (file.weights && this.checkpoints) {
      const { info, state } = file.weights;
      await this.checkpoints.createRun(id, record.name, record.experiment);
      const status = record.status === 'finished' || record.status === 'diverged' ? record.status : 'paused';
      await this.checkpoints.save(id, info.step, state, info.reason, status);
    }
    return record;
  }

  /** The weights of a run's newest readable checkpoint, for a run file. */
  async weights(id: string): Promise<{ info: CheckpointInfo; state: unknown } | undefined> {
    return this.checkpoints?.latest(id);
  }

  /** Bytes a run takes: its record, its "Better than random?" check and its checkpoints. */
  async size(r: RunRecord): Promise<number> {
    const m = await this.checkpoints?.manifest(r.id);
    const check = await this.kv.get(baselineKey(r.id));
    return (
      estimateBytes(r) +
      (check === undefined ? 0 : estimateBytes(check)) +
      (m?.checkpoints.reduce((s, c) => s + c.bytes, 0) ?? 0)
    );
  }

  /** Applies the pruning policy to every run; returns how many checkpoints were deleted. */
  async prune(): Promise<number> {
    let n = 0;
    for (const r of await this.list()) n += await this.pruneRun(r.id);
    return n;
  }

  /** Applies the pruning policy to one run (called when a run finishes). */
  async pruneRun(id: string): Promise<number> {
    const r = await this.get(id);
    const m = r && (await this.checkpoints?.manifest(id));
    if (!r || !m || !this.checkpoints) return 0;
    const seqs = checkpointsToPrune(r.status, m.checkpoints);
    for (const seq of seqs) await this.checkpoints.deleteCheckpoint(id, seq);
    return seqs.length;
  }
}
