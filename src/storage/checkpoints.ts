/**
 * Checkpoints of search runs. A run has a manifest (`run:<id>`) listing its checkpoints; each checkpoint's
 * state lives under its own key (`run:<id>:ckpt:<seq>`). Saving writes the new state first and only then
 * the manifest that points to it, so a crash between the two leaves the previous checkpoint listed and
 * readable; the unreferenced state is swept on the next save.
 */
import { isQuotaError, StorageFullError, type KV } from './kv.ts';

export interface CheckpointInfo {
  seq: number;
  step: number;
  savedAt: number; // ms since epoch
  bytes: number;
  reason: 'auto' | 'pause' | 'stop' | 'finish';
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

  async manifest(runId: string): Promise<RunManifest<Config> | undefined> {
    return this.kv.get<RunManifest<Config>>(MANIFEST(runId));
  }

  async listRuns(): Promise<RunManifest<Config>[]> {
    const ids = (await this.kv.keys()).filter((k) => /^run:[^:]+$/.test(k));
    const runs = await Promise.all(ids.map((k) => this.kv.get<RunManifest<Config>>(k)));
    return runs.filter((r): r is RunManifest<Config> => !!r).sort((a, b) => b.updatedAt - a.updatedAt);
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
    const info: CheckpointInfo = { seq, step, savedAt: Date.now(), bytes: estimateBytes(state), reason };
    await this.write(STATE(runId, seq), state, `checkpoint ${seq} (step ${step})`);
    const kept = [...manifest.checkpoints, info].slice(-this.keep);
    const next: RunManifest<Config> = {
      ...manifest,
      checkpoints: kept,
      updatedAt: info.savedAt,
      status: status ?? manifest.status,
    };
    await this.write(MANIFEST(runId), next, 'the checkpoint list');
    await this.sweep(runId, kept);
    return info;
  }

  async setStatus(runId: string, status: RunManifest['status']): Promise<void> {
    const manifest = await this.manifest(runId);
    if (!manifest) return;
    await this.write(MANIFEST(runId), { ...manifest, status, updatedAt: Date.now() }, 'the run status');
  }

  /** The newest listed checkpoint that can actually be read (falls back to older ones). */
  async latest(runId: string): Promise<{ info: CheckpointInfo; state: State } | undefined> {
    const manifest = await this.manifest(runId);
    for (const info of [...(manifest?.checkpoints ?? [])].reverse()) {
      const state = await this.kv.get<State>(STATE(runId, info.seq));
      if (state !== undefined) return { info, state };
    }
    return undefined;
  }

  async load(runId: string, seq: number): Promise<State | undefined> {
    return this.kv.get<State>(STATE(runId, seq));
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
