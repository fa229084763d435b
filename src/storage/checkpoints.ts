/**
 * Checkpoints of search runs. A run has a manifest (`run:<id>`) listing its checkpoints; each checkpoint's
 * state lives under its own key (`run:<id>:ckpt:<seq>`). Saving writes the new state first and only then
 * the manifest that points to it, with the state's length and checksum, so a crash between the two leaves
 * the previous checkpoint listed and readable; the unreferenced state is swept on the next save. A listed
 * state whose length or checksum does not match (damaged, truncated) is never restored: readers skip it,
 * report it, and fall back to the previous checkpoint. Checkpoints saved before checksums existed have none
 * and are read as before (legacy-valid).
 */
import { isQuotaError, StorageFullError, type KV } from './kv.ts';
import { checksum, CorruptRecordError } from './integrity.ts';

export interface CheckpointInfo {
  seq: number;
  step: number;
  savedAt: number; // ms since epoch
  bytes: number;
  reason: 'auto' | 'pause' | 'stop' | 'finish';
  /** checksum() of the state; absent in checkpoints saved before checksums existed */
  checksum?: number;
}

/** A listed checkpoint that could not be read back intact. */
export interface CheckpointProblem {
  seq: number;
  step: number;
  reason: string;
}

/** A `run:<id>` record that is not a run manifest (garbage bytes, a foreign value). */
export interface DamagedRun {
  key: string;
  reason: string;
}

export interface RunManifest<Config = unknown> {
  runId: string;
  title: string;
  config: Config;
  createdAt: number;
  updatedAt: number;
  /** 'running' survives a reload: the app offers to resume such a run. */
  status: 'running' | 'paused' | 'finished' | 'stopped' | 'diverged';
  checkpoints: CheckpointInfo[];
}

const MANIFEST = (runId: string) => `run:${runId}`;
const MANIFEST_KEY = /^run:[^:]+$/;

/** Why a stored value is not a run manifest, or null when it is one. */
function manifestProblem(v: unknown): string | null {
  if (!v || typeof v !== 'object' || ArrayBuffer.isView(v)) return 'not a run record';
  const m = v as Partial<RunManifest>;
  if (typeof m.runId !== 'string' || typeof m.updatedAt !== 'number' || !Array.isArray(m.checkpoints))
    return 'run record is missing fields';
  if (!m.checkpoints.every((c) => c && typeof c.seq === 'number' && typeof c.step === 'number'))
    return 'checkpoint list is malformed';
  return null;
}

/** Why a read-back state does not match what its manifest entry vouches for, or null when it does. */
export function checkpointProblem(info: CheckpointInfo, state: unknown): string | null {
  if (state === undefined) return 'its data is missing';
  if (info.checksum === undefined) return null; // legacy: saved before checksums
  if (estimateBytes(state) !== info.bytes)
    return `length ${estimateBytes(state)} bytes, expected ${info.bytes}`;
  if (checksum(state) !== info.checksum) return 'checksum mismatch';
  return null;
}
const STATE = (runId: string, seq: number) => `run:${runId}:ckpt:${seq}`;

/** Rough size of a structured-clone value: typed arrays by bytes, the rest by JSON length. */
export function estimateBytes(value: unknown): number {
  let bytes = 0;
  const walk = (v: unknown): void => {
    if (ArrayBuffer.isView(v)) bytes += v.byteLength;
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) ((bytes += k.length), walk(x));
    else bytes += typeof v === 'string' ? v.length : 8;
  };
  walk(value);
  return bytes;
}

export class CheckpointStore<State = unknown, Config = unknown> {
  constructor(
    private kv: KV,
    private keep = 3,
  ) {}

  async createRun(runId: string, title: string, config: Config): Promise<RunManifest<Config>> {
    const now = Date.now();
    const manifest: RunManifest<Config> = {
      runId,
      title,
      config,
      createdAt: now,
      updatedAt: now,
      status: 'running',
      checkpoints: [],
    };
    await this.write(MANIFEST(runId), manifest, 'the run');
    return manifest;
  }

  /** The run's manifest; undefined when there is none or the record is damaged (see listRunsChecked). */
  async manifest(runId: string): Promise<RunManifest<Config> | undefined> {
    const m = await this.kv.get<RunManifest<Config>>(MANIFEST(runId));
    return m === undefined || manifestProblem(m) ? undefined : m;
  }

  async listRuns(): Promise<RunManifest<Config>[]> {
    return (await this.listRunsChecked()).runs;
  }

  /** Every readable run, newest first, and the run records that are damaged (reported, left in place). */
  async listRunsChecked(): Promise<{ runs: RunManifest<Config>[]; damaged: DamagedRun[] }> {
    const ids = (await this.kv.keys()).filter((k) => MANIFEST_KEY.test(k));
    const values = await Promise.all(ids.map((k) => this.kv.get<unknown>(k)));
    const runs: RunManifest<Config>[] = [];
    const damaged: DamagedRun[] = [];
    values.forEach((v, i) => {
      if (v === undefined) return;
      const problem = manifestProblem(v);
      if (problem) damaged.push({ key: ids[i], reason: problem });
      else runs.push(v as RunManifest<Config>);
    });
    return { runs: runs.sort((a, b) => b.updatedAt - a.updatedAt), damaged };
  }

  async save(
    runId: string,
    step: number,
    state: State,
    reason: CheckpointInfo['reason'],
    status?: RunManifest['status'],
  ): Promise<CheckpointInfo> {
    const manifest = await this.manifest(runId);
    if (!manifest) throw new Error(`No run "${runId}" to checkpoint`);
    const seq = (manifest.checkpoints.at(-1)?.seq ?? 0) + 1;
    const info: CheckpointInfo = {
      seq,
      step,
      savedAt: Date.now(),
      bytes: estimateBytes(state),
      reason,
      checksum: checksum(state),
    };
    await this.write(STATE(runId, seq), state, `checkpoint ${seq} (step ${step})`);
    const kept = [...manifest.checkpoints, info].slice(-this.keep);
    const next: RunManifest<Config> = {
      ...manifest,
      checkpoints: kept,
      updatedAt: info.savedAt,
      status: status ?? manifest.status,
    };
    try {
      await this.write(MANIFEST(runId), next, 'the checkpoint list');
    } catch (err) {
      // the state is not listed, so it never reads as a checkpoint; free its space when storage allows
      await this.kv.del(STATE(runId, seq)).catch(() => undefined);
      throw err;
    }
    await this.sweep(runId, kept);
    return info;
  }

  async setStatus(runId: string, status: RunManifest['status']): Promise<void> {
    const manifest = await this.manifest(runId);
    if (!manifest) return;
    await this.write(MANIFEST(runId), { ...manifest, status, updatedAt: Date.now() }, 'the run status');
  }

  /**
   * The newest listed checkpoint that reads back intact (falls back to older ones); `skipped` reports the
   * newer ones that were missing or damaged.
   */
  async latest(
    runId: string,
  ): Promise<{ info: CheckpointInfo; state: State; skipped: CheckpointProblem[] } | undefined> {
    const manifest = await this.manifest(runId);
    const skipped: CheckpointProblem[] = [];
    for (const info of [...(manifest?.checkpoints ?? [])].reverse()) {
      const state = await this.kv.get<State>(STATE(runId, info.seq)).catch(() => undefined);
      const problem = checkpointProblem(info, state);
      if (!problem) return { info, state: state as State, skipped };
      skipped.push({ seq: info.seq, step: info.step, reason: problem });
    }
    return undefined;
  }

  /** Every listed checkpoint of a run with what is wrong with it (null: intact). */
  async verify(runId: string): Promise<{ info: CheckpointInfo; problem: string | null }[]> {
    const manifest = await this.manifest(runId);
    const out: { info: CheckpointInfo; problem: string | null }[] = [];
    for (const info of manifest?.checkpoints ?? []) {
      const state = await this.kv.get<unknown>(STATE(runId, info.seq)).catch(() => undefined);
      out.push({ info, problem: checkpointProblem(info, state) });
    }
    return out;
  }

  /**
   * One checkpoint's state: undefined when it is not stored; a CorruptRecordError when the run lists it and
   * it does not match its length or checksum.
   */
  async load(runId: string, seq: number): Promise<State | undefined> {
    const state = await this.kv.get<State>(STATE(runId, seq));
    if (state === undefined) return undefined;
    const info = (await this.manifest(runId))?.checkpoints.find((c) => c.seq === seq);
    const problem = info && checkpointProblem(info, state);
    if (problem) throw new CorruptRecordError(`Checkpoint ${seq} (step ${info.step})`, problem);
    return state;
  }

  async deleteCheckpoint(runId: string, seq: number): Promise<void> {
    const manifest = await this.manifest(runId);
    if (!manifest) return;
    const kept = manifest.checkpoints.filter((c) => c.seq !== seq);
    await this.write(MANIFEST(runId), { ...manifest, checkpoints: kept }, 'the checkpoint list');
    await this.kv.del(STATE(runId, seq));
  }

  async deleteRun(runId: string): Promise<void> {
    await this.kv.del(MANIFEST(runId));
    for (const k of await this.kv.keys()) if (k.startsWith(`run:${runId}:`)) await this.kv.del(k);
  }

  private async sweep(runId: string, kept: CheckpointInfo[]): Promise<void> {
    const live = new Set(kept.map((c) => STATE(runId, c.seq)));
    for (const k of await this.kv.keys())
      if (k.startsWith(`run:${runId}:ckpt:`) && !live.has(k)) await this.kv.del(k);
  }

  private async write(key: string, value: unknown, what: string): Promise<void> {
    try {
      await this.kv.set(key, value);
    } catch (err) {
      if (isQuotaError(err)) throw new StorageFullError(what);
      throw err;
    }
  }
}
