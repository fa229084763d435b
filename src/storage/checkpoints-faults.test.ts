/**
 * Faults injected into the checkpoint store at every write it makes: a tab closed mid-write, a full disk,
 * damaged records. Each test counts the injections and how many ended with every acknowledged checkpoint
 * (a save whose promise resolved) still readable, and fails unless all did.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CheckpointStore, type CheckpointInfo } from './checkpoints.ts';
import { memoryKV, StorageFullError } from './kv.ts';
import { FaultyKV } from './faulty-kv.ts';
import { CorruptRecordError } from './integrity.ts';
import { logFault } from '../../scripts/fault-log.ts';
import { fromJsonState } from '../compat/state-json.ts';

const state = (step: number) => ({
  step,
  weights: new Float32Array(64).map((_, i) => step + i / 64),
  theta: [new Float32Array([step, -step, 0.5])],
  meta: { note: `s${step}` },
});
type State = ReturnType<typeof state>;

const SAVES = 4;
/** Writes one save makes: its state, then the manifest. */
const WRITES_PER_SAVE = 2;

/** Runs SAVES saves through a faulty KV; returns the steps whose save resolved. */
async function saveAll(kv: FaultyKV): Promise<number[]> {
  const store = new CheckpointStore<State>(kv, 3);
  const acked: number[] = [];
  for (let i = 1; i <= SAVES; i++) {
    try {
      await store.save('r', i * 10, state(i * 10), 'auto');
      acked.push(i * 10);
    } catch {
      break;
    }
  }
  return acked;
}

const stateKeys = (kv: ReturnType<typeof memoryKV>) => [...kv.map.keys()].filter((k) => k.includes(':ckpt:'));

/** Every listed checkpoint intact, the newest acknowledged one restored exactly. */
async function intact(store: CheckpointStore<State>, acked: number[]): Promise<boolean> {
  const latest = await store.latest('r');
  const want = acked.at(-1);
  if (want === undefined) return latest === undefined;
  if (!latest || latest.info.step !== want || latest.skipped.length) return false;
  const ref = state(want);
  const sameWeights = latest.state.weights.every((v, i) => v === ref.weights[i]);
  const problems = (await store.verify('r')).filter((c) => c.problem);
  return sameWeights && latest.state.meta.note === ref.meta.note && problems.length === 0;
}

describe('checkpoint store under injected faults', () => {
  test('fault: reload mid checkpoint write — the last complete checkpoint survives, the partial one is never read', async () => {
    let runs = 0;
    let survived = 0;
    for (let at = 1; at <= SAVES * WRITES_PER_SAVE; at++) {
      const disk = memoryKV();
      await new CheckpointStore<State>(disk).createRun('r', 'demo', {});
      const tab = new FaultyKV(disk);
      tab.arm({ kind: 'crash', at });
      const acked = await saveAll(tab);
      runs++;
      // a new tab on the same database
      const fresh = new CheckpointStore<State>(disk, 3);
      let ok = tab.fired && (await intact(fresh, acked));
      // the next save in the new tab works and sweeps whatever the closed tab left unlisted
      await fresh.save('r', 999, state(999), 'auto');
      const listed = (await fresh.manifest('r'))!.checkpoints.map((c) => `run:r:ckpt:${c.seq}`);
      ok &&= stateKeys(disk).every((k) => listed.includes(k));
      ok &&= (await fresh.latest('r'))!.info.step === 999;
      if (ok) survived++;
    }
    logFault('reload mid checkpoint write', runs, survived);
    expect(survived).toBe(runs);
  });

  test('fault: quota exceeded while checkpointing — StorageFullError with advice, nothing half-written left', async () => {
    let runs = 0;
    let survived = 0;
    for (let at = 1; at <= SAVES * WRITES_PER_SAVE; at++) {
      const disk = memoryKV();
      const kv = new FaultyKV(disk);
      const store = new CheckpointStore<State>(kv, 3);
      await store.createRun('r', 'demo', {});
      kv.arm({ kind: 'quota', at });
      const acked: number[] = [];
      let error: unknown = null;
      for (let i = 1; i <= SAVES && !error; i++) {
        await store.save('r', i * 10, state(i * 10), 'auto').then(
          () => acked.push(i * 10),
          (e) => (error = e),
        );
      }
      runs++;
      let ok =
        error instanceof StorageFullError && /storage is full.*Delete old checkpoints/i.test(error.message);
      ok &&= await intact(store, acked);
      // nothing unlisted remains that a later reader could mistake for a checkpoint
      const listed = ((await store.manifest('r'))?.checkpoints ?? []).map((c) => `run:r:ckpt:${c.seq}`);
      ok &&= stateKeys(disk).every((k) => listed.includes(k));
      // space freed: saving works again
      kv.clear();
      ok &&= (await store.save('r', 500, state(500), 'pause')).step === 500;
      if (ok) survived++;
    }
    logFault('quota exceeded while checkpointing', runs, survived);
    expect(survived).toBe(runs);
  });

  test('fault: corrupted checkpoint record — detected by length or checksum, reported, the rest usable', async () => {
    type Damage = (kv: ReturnType<typeof memoryKV>, seq: number) => void;
    const damages: [string, Damage, RegExp][] = [
      [
        'garbage bytes',
        (kv, seq) => kv.map.set(`run:r:ckpt:${seq}`, new Uint8Array([7, 1, 255, 3])),
        /length|checksum/,
      ],
      [
        'truncated tensor',
        (kv, seq) => {
          const s = kv.map.get(`run:r:ckpt:${seq}`) as State;
          s.weights = s.weights.slice(0, 40);
        },
        /length/,
      ],
      [
        'one flipped bit',
        (kv, seq) => {
          const s = kv.map.get(`run:r:ckpt:${seq}`) as State;
          new Uint32Array(s.weights.buffer)[5] ^= 1 << 9;
        },
        /checksum mismatch/,
      ],
      ['manifest points at a missing record', (kv, seq) => kv.map.delete(`run:r:ckpt:${seq}`), /missing/],
    ];
    let runs = 0;
    let survived = 0;
    for (const [, damage, reason] of damages) {
      const kv = memoryKV();
      const store = new CheckpointStore<State>(kv, 3);
      await store.createRun('r', 'demo', {});
      await store.createRun('other', 'untouched', {});
      await store.save('r', 10, state(10), 'auto');
      const second = await store.save('r', 20, state(20), 'auto');
      await store.save('other', 7, state(7), 'auto');
      damage(kv, second.seq);
      runs++;
      const latest = await store.latest('r');
      let ok = latest?.info.step === 10 && latest.state.weights[3] === state(10).weights[3];
      ok &&= latest?.skipped.length === 1 && reason.test(latest.skipped[0].reason);
      const report = await store.verify('r');
      ok &&=
        report
          .filter((c) => c.problem)
          .map((c) => c.info.seq)
          .join() === String(second.seq);
      const loaded = await store.load('r', second.seq).catch((e) => e);
      ok &&= loaded === undefined || loaded instanceof CorruptRecordError;
      // the rest of the store: another run, and new checkpoints of this one
      ok &&= (await store.latest('other'))?.info.step === 7;
      await store.save('r', 30, state(30), 'auto');
      ok &&= (await store.latest('r'))?.info.step === 30;
      if (ok) survived++;
    }
    // a run record itself full of garbage: reported, every other run still listed and readable
    {
      const kv = memoryKV();
      const store = new CheckpointStore<State>(kv, 3);
      await store.createRun('good', 'fine', {});
      await store.save('good', 3, state(3), 'auto');
      kv.map.set('run:bad', new Uint8Array([1, 2, 3]));
      kv.map.set('run:worse', { runId: 'worse', checkpoints: 'nope', updatedAt: 1 });
      runs++;
      const { runs: listed, damaged } = await store.listRunsChecked();
      let ok = listed.map((r) => r.runId).join() === 'good';
      ok &&= damaged.map((d) => d.key).join() === 'run:bad,run:worse';
      ok &&= (await store.latest('bad')) === undefined && (await store.latest('good'))?.info.step === 3;
      await store.deleteRun('bad');
      ok &&= !kv.map.has('run:bad');
      if (ok) survived++;
    }
    logFault('corrupted checkpoint record', runs, survived);
    expect(survived).toBe(runs);
  });

  test('a checkpoint saved before checksums existed reads as legacy-valid', async () => {
    const fixture = JSON.parse(
      readFileSync(new URL('../compat/fixtures/checkpoint-fbnet-v1.json', import.meta.url), 'utf8'),
    );
    const legacy = fromJsonState<Record<string, unknown>>(fixture.state);
    const kv = memoryKV();
    const info: CheckpointInfo = { seq: 1, step: 4, savedAt: 1, bytes: 123, reason: 'auto' };
    kv.map.set('run:old', {
      runId: 'old',
      title: 'old',
      config: {},
      createdAt: 1,
      updatedAt: 1,
      status: 'paused',
      checkpoints: [info],
    });
    kv.map.set('run:old:ckpt:1', legacy);
    const store = new CheckpointStore(kv);
    const latest = await store.latest('old');
    expect(latest?.info.seq).toBe(1);
    expect(latest?.skipped).toEqual([]);
    expect(latest!.state).toEqual(legacy);
    expect(await store.load('old', 1)).toBeDefined();
  });
});
