import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SearchTrainer, type BaselineCheckState } from '../nas/index.ts';
import { blobLandmarkTask, LANDMARK_SPACE, searchAtFactor, toyConfig } from '../nas/testing.ts';
import { BaselineCheckStore } from '../storage/baseline-checks.ts';
import { FaultyKV } from '../storage/faulty-kv.ts';
import { memoryKV } from '../storage/kv.ts';
import type { WorkerEvent } from './protocol.ts';
import { BaselineSession } from './baseline-session.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// planning, training and the verdict are tested in src/nas/random-baseline; here: the adapter, what it
// stores after every unit, and resuming from what it stored
const RUN = 'lx3k9-ab12';
/** 2 uniform + 2 cost-matched + the searched network, 2 init seeds: 10 units of 2 steps. */
const SETTINGS = { uniform: 2, costMatched: 2, steps: 2, initSeeds: 2, lr: 0.05 };

type BaselineState = Extract<WorkerEvent, { type: 'baseline-state' }>;

describe('BaselineSession', () => {
  let t: SearchTrainer | null = null;
  const kv = new FaultyKV(memoryKV());
  const store = new BaselineCheckStore(kv);
  const events: WorkerEvent[] = [];
  let listener: ((e: WorkerEvent) => void) | null = null;
  const session = new BaselineSession(
    (e) => {
      events.push(e);
      listener?.(e);
    },
    () => t,
    store,
  );
  const states = () => events.filter((e): e is BaselineState => e.type === 'baseline-state');
  /** Units whose training started, as "id/seedIndex". */
  const started = () =>
    events.flatMap((e) =>
      e.type === 'baseline-progress' && e.step === 0 ? [`${e.candidate}/${e.seedIndex}`] : [],
    );
  let full: BaselineCheckState;

  afterAll(() => t?.dispose());

  it('asks for a search, a run id and sane settings', async () => {
    await expect(session.start({ runId: RUN })).rejects.toMatchObject({ code: 'no-search' });
    t = new SearchTrainer(
      toyConfig(LANDMARK_SPACE, { train: { epochs: 1, stepsPerEpoch: 1, batchSize: 4 } }),
      blobLandmarkTask(8, { weights: 12, arch: 6, val: 4 }, 3),
      { space: LANDMARK_SPACE },
    );
    await expect(session.start({ runId: 'NOT A RUN' })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(session.start({ runId: RUN, settings: { steps: 0 } })).rejects.toMatchObject({
      code: 'bad-settings',
    });
    await expect(
      session.start({ runId: RUN, resume: { plan: {}, results: {} } as unknown as BaselineCheckState }),
    ).rejects.toMatchObject({ code: 'bad-request', message: expect.stringContaining('cannot be resumed') });
    expect(session.stop()).toEqual({ stopped: false });
    expect(await store.load(RUN)).toEqual({ state: null });
  });

  it('trains every unit once, storing the state after planning and after every unit', async () => {
    events.length = 0;
    const first = session.start({ runId: RUN, settings: SETTINGS });
    await expect(session.start({ runId: RUN })).rejects.toMatchObject({ code: 'busy' });
    const out = await first;
    expect(out.outcome).toBe('finished');
    const ids = out.state.plan.candidates.map((c) => c.id);
    expect(ids).toEqual(['searched', 'u1', 'u2', 'c1', 'c2'].slice(0, ids.length));
    const units = ids.length * 2;
    expect(started()).toHaveLength(units);
    // one stored state after planning (no results), then one per unit with one more result each
    const counts = states().map((e) => Object.values(e.state.results).flat().length);
    expect(counts).toEqual(Array.from({ length: units + 1 }, (_, i) => i));
    expect(states().every((e) => e.runId === RUN && e.storageError === undefined)).toBe(true);
    expect((await store.load(RUN)).state).toEqual(out.state);
    const last = events.filter((e) => e.type === 'baseline-progress').at(-1);
    expect(last).toMatchObject({ done: units - 1, total: units, step: 2, steps: 2 });
    full = out.state;
  }, 60_000);

  it('a stopped check resumes from what it stored: finished units are not retrained, results match', async () => {
    events.length = 0;
    // stop as the third unit starts: two units are stored, the third records nothing
    listener = (e) => {
      if (e.type === 'baseline-progress' && e.done === 2 && e.step === 0) session.stop();
    };
    const stopped = await session.start({ runId: RUN, settings: SETTINGS });
    listener = null;
    expect(stopped.outcome).toBe('aborted');
    const stored = (await store.load(RUN)).state!;
    expect(Object.values(stored.results).flat()).toHaveLength(2);
    expect(stored.plan).toEqual(full.plan);

    events.length = 0;
    const resumed = await session.start({ runId: RUN, resume: stored });
    expect(resumed.outcome).toBe('finished');
    const units = full.plan.candidates.length * 2;
    // the interrupted third unit is trained again, the first two are not
    expect(started()).toHaveLength(units - 2);
    expect(started()).not.toContain('searched/0');
    expect(started()).not.toContain('searched/1');
    // each unit is seeded, so the pieced-together check equals the uninterrupted one
    expect(resumed.state.results).toEqual(full.results);
    expect((await store.load(RUN)).state).toEqual(full);
  }, 60_000);

  it('a full disk is reported with each state and the check goes on', async () => {
    events.length = 0;
    kv.arm({ kind: 'quota', at: 1 });
    const out = await session.start({
      runId: 'lx3k9-cd34',
      settings: { ...SETTINGS, uniform: 1, costMatched: 0, initSeeds: 1 },
    });
    kv.clear();
    expect(out.outcome).toBe('finished');
    expect(states()).toHaveLength(3);
    expect(states().every((e) => e.storageError?.includes('Browser storage is full'))).toBe(true);
  }, 60_000);

  it('checks an FBNetV2 run at its searched resolution', async () => {
    const v2 = await searchAtFactor(2);
    const own = new BaselineSession(
      () => undefined,
      () => v2,
      new BaselineCheckStore(memoryKV()),
    );
    try {
      const out = await own.start({
        runId: RUN,
        settings: { uniform: 1, costMatched: 1, steps: 1, initSeeds: 1 },
      });
      expect(out.outcome).toBe('finished');
      const { searched } = out.state.plan;
      expect(searched.factor).toBe(2);
      expect(searched.choices.factor).toBe(2);
      expect(searched.arch.input.size).toBe(16);
      for (const c of out.state.plan.candidates) expect(out.state.results[c.id]).toHaveLength(1);
    } finally {
      v2.dispose();
    }
  }, 60_000);
});
