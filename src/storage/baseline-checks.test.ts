import { describe, expect, test } from 'vitest';
import { planBaseline, type BaselineCheckState } from '../nas/index.ts';
import { LANDMARK_SPACE, toyConfig } from '../nas/testing.ts';
import { baselineKey, baselineStateProblem, BaselineCheckStore } from './baseline-checks.ts';
import { CheckpointStore, estimateBytes } from './checkpoints.ts';
import { FaultyKV } from './faulty-kv.ts';
import { memoryKV } from './kv.ts';
import { RunStore, type RunRecord } from './runs.ts';

/** A planned check of the toy landmark space (6 architectures), two units finished, one diverged. */
function state(): BaselineCheckState {
  const plan = planBaseline({
    config: toyConfig(LANDMARK_SPACE),
    space: LANDMARK_SPACE,
    searched: { blocks: [0, 0] },
    settings: { uniform: 2, costMatched: 1, steps: 3, initSeeds: 2 },
  });
  return { plan, results: { searched: [4.25, NaN], u1: [5.5] } };
}

const ID = 'lx3k9-ab12';

describe('BaselineCheckStore', () => {
  test('keeps a check under its run id, NaN results included, and reads none for another run', async () => {
    const kv = memoryKV();
    const store = new BaselineCheckStore(kv);
    const s = state();
    await store.save(ID, s, 1234);
    expect([...kv.map.keys()]).toEqual([baselineKey(ID)]);
    const back = await store.load(ID);
    expect(back.problem).toBeUndefined();
    expect(back.savedAt).toBe(1234);
    expect(back.state).toEqual(s);
    expect(Number.isNaN(back.state!.results.searched[1])).toBe(true);
    expect(await store.load('other-run-1')).toEqual({ state: null });
  });

  test('a damaged or malformed record is reported with a message, never returned or thrown', async () => {
    const kv = memoryKV();
    const store = new BaselineCheckStore(kv);
    await store.save(ID, state());
    const rec = kv.map.get(baselineKey(ID)) as { state: BaselineCheckState };
    rec.state.results.u1[0] = 1.5; // same length, different value: only the checksum notices
    const damaged = await store.load(ID);
    expect(damaged.state).toBeNull();
    expect(damaged.problem).toContain('checksum mismatch');
    expect(damaged.problem).toContain('start a new check to replace it');
    // the record stays (nothing is deleted behind the user's back) until a new check replaces it
    expect(kv.map.has(baselineKey(ID))).toBe(true);

    kv.map.set(baselineKey(ID), 'garbage');
    expect((await store.load(ID)).problem).toContain('not a check record');

    // a record whose checksum matches but whose state is not a check (e.g. written by a future version)
    const future = { ...state(), plan: { ...state().plan, version: 2 } } as unknown as BaselineCheckState;
    await store.save(ID, future);
    expect((await store.load(ID)).problem).toContain('plan version 2, expected 1');
  });

  test('names what is wrong with a malformed state', () => {
    const s = state();
    expect(baselineStateProblem(s)).toBeNull();
    expect(baselineStateProblem(null)).toBe('not a check state');
    expect(baselineStateProblem({ ...s, results: { zz: [1] } })).toBe(
      'results for an unknown candidate "zz"',
    );
    expect(baselineStateProblem({ ...s, results: { u1: [1, 2, 3] } })).toBe(
      'the results of "u1" are malformed',
    );
    expect(baselineStateProblem({ ...s, results: { u1: ['1'] } })).toBe('the results of "u1" are malformed');
    // a unit not trained yet may be a hole (null after a JSON round trip)
    expect(baselineStateProblem({ ...s, results: { u1: [null, 2] } })).toBeNull();
    const twice = { ...s, plan: { ...s.plan, candidates: [...s.plan.candidates, s.plan.candidates[1]] } };
    expect(baselineStateProblem(twice)).toBe(`candidate "${s.plan.candidates[1].id}" appears twice`);
  });

  test('a full disk is reported as such', async () => {
    const kv = new FaultyKV(memoryKV());
    kv.arm({ kind: 'quota', at: 1 });
    await expect(new BaselineCheckStore(kv).save(ID, state())).rejects.toMatchObject({
      name: 'StorageFullError',
    });
  });

  test('deleting a run from the library deletes its check, and only its', async () => {
    const kv = memoryKV();
    const runs = new RunStore(kv, new CheckpointStore(kv));
    const store = new BaselineCheckStore(kv);
    const record = { id: ID, name: 'a', createdAt: 1, history: [] } as unknown as RunRecord;
    await runs.put(record);
    await runs.put({ ...record, id: 'lx3k9-cd34' });
    await store.save(ID, state());
    await store.save('lx3k9-cd34', state());
    // the check is not a run: the library lists records only, and counts the check in the run's size
    expect((await runs.list()).map((r) => r.id).sort()).toEqual([ID, 'lx3k9-cd34']);
    const stored = (await runs.get(ID))!;
    expect(await runs.size(stored)).toBe(estimateBytes(stored) + estimateBytes(kv.map.get(baselineKey(ID))));
    await runs.delete(ID);
    expect(await store.load(ID)).toEqual({ state: null });
    expect((await store.load('lx3k9-cd34')).state).not.toBeNull();
  });

  test('a check still training when its run is deleted is not written back', async () => {
    const kv = memoryKV();
    const runs = new RunStore(kv);
    const store = new BaselineCheckStore(kv, async (id) => !!(await runs.get(id)));
    await runs.put({ id: ID, name: 'a', createdAt: 1, history: [] } as unknown as RunRecord);
    await store.save(ID, state());
    await runs.delete(ID);
    await expect(store.save(ID, state())).rejects.toThrow('no longer in the library');
    expect(await store.load(ID)).toEqual({ state: null });
  });
});
