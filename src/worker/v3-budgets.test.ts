import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  candidateCost,
  classroomJointSpace,
  Rng,
  type JointSearchState,
  type TrainRequest,
} from '../nas/index.ts';
import { plantedNme } from '../nas/testing.ts';
import type { V3Settings } from './protocol.ts';
import { DEFAULT_V3_SETTINGS, jointConfigOf, MAX_REBUDGETS, V3Session } from './v3-session.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const settings: V3Settings = { ...DEFAULT_V3_SETTINGS, steps: 9 };
const space = classroomJointSpace(jointConfigOf(settings).space);

/** Planted NME along the logged steps (no network is trained); counts its calls. */
const planted = (calls: TrainRequest[]) => () => async (req: TrainRequest) => {
  calls.push(req);
  const final = plantedNme(space, req.candidate, new Rng(req.seed));
  return { nme: req.logSteps.map((s) => final * (1 + (1 - s / req.recipe.steps) ** 2)) };
};

let finished: JointSearchState;
let paused: JointSearchState;

beforeAll(async () => {
  finished = (await new V3Session(() => undefined, planted([])).start({ settings })).state;
  // a search stopped before the fine stage: round 0 only
  let latest: JointSearchState | null = null;
  const session = new V3Session((e) => {
    if (e.type === 'v3-progress' && e.state.phase === 'round0' && e.state.trained.length === 2) {
      latest = structuredClone(e.state);
      session.pause();
    }
  }, planted([]));
  await session.start({ settings });
  paused = latest!;
}, 120_000);

describe('V3Session.budgets (re-budgeting the fine stage)', () => {
  it('trains nothing and, for the search’s own budget, returns exactly what its fine stage found', async () => {
    expect(finished.phase).toBe('done');
    let factoryCalls = 0;
    const calls: TrainRequest[] = [];
    const session = new V3Session(
      () => undefined,
      () => {
        factoryCalls++;
        return planted(calls)();
      },
    );
    const before = structuredClone(finished);
    const [budget0, budget1] = finished.config.fine.budgets;
    const t0 = performance.now();
    const out = await session.budgets({ state: finished, budgets: [budget0] });
    const ms = performance.now() - t0;
    expect(factoryCalls).toBe(0);
    expect(calls).toHaveLength(0);
    expect(out).toHaveLength(1);
    expect(out[0]).toEqual(finished.fine[0]);
    expect(out[0].best.length).toBeGreaterThan(0);
    // the request does not touch the state it was given
    expect(finished).toEqual(before);
    // a second request on the same measurements reuses the fitted predictor; each budget is searched on
    // its own, so asking for two at once gives the same first result, and every pick fits its budget
    const both = await session.budgets({ state: finished, budgets: [budget1, budget0] });
    expect(both.map((r) => r.budget)).toEqual([budget1, budget0]);
    expect(both[1]).toEqual(finished.fine[0]);
    for (const r of both) {
      for (const b of r.best) expect(candidateCost(space, b.candidate).macs).toBeLessThanOrEqual(r.budget);
      // best first, by predicted NME
      const scores = r.best.map((b) => b.score);
      expect([...scores].sort((a, b) => a - b)).toEqual(scores);
    }
    // a new budget: a fresh session (predictor fitted again from the state) gives the same answer
    const fresh = await new V3Session(() => undefined, planted(calls)).budgets({
      state: finished,
      budgets: [2.2e6],
    });
    const again = await session.budgets({ state: finished, budgets: [2.2e6] });
    expect(fresh).toEqual(again);
    expect(fresh[0].best.every((b) => candidateCost(space, b.candidate).macs <= 2.2e6)).toBe(true);
    expect(calls).toHaveLength(0);
    expect(ms).toBeLessThan(60_000);
  }, 120_000);

  it('refuses bad budgets, a damaged state and a search before its fine stage with bad-request', async () => {
    const session = new V3Session(() => undefined, planted([]));
    const bad = async (args: unknown, re: RegExp) => {
      const p = session.budgets(args as Parameters<V3Session['budgets']>[0]);
      await expect(p).rejects.toThrow(re);
      await expect(p).rejects.toMatchObject({ code: 'bad-request' });
    };
    const many = Array.from({ length: MAX_REBUDGETS + 1 }, (_, i) => (i + 1) * 1e6);
    await bad({ state: finished, budgets: [] }, /1 to 8 MACs budgets/);
    await bad({ state: finished, budgets: many }, /1 to 8 MACs budgets/);
    await bad({ state: finished, budgets: [0] }, /positive finite/);
    await bad({ state: finished, budgets: [-1e6] }, /positive finite/);
    await bad({ state: finished, budgets: [Number.NaN] }, /positive finite/);
    await bad({ state: finished, budgets: [Number.POSITIVE_INFINITY] }, /positive finite/);
    await bad({ state: finished, budgets: ['2e6'] }, /positive finite/);
    await bad({ state: finished }, /1 to 8 MACs budgets/);
    await bad({ state: { version: 2 }, budgets: [2e6] }, /known version/);
    await bad({ state: null, budgets: [2e6] }, /known version/);
    await bad({ state: { ...finished, trained: 'x' }, budgets: [2e6] }, /no trained list/);
    // below the smallest network of the space: no candidate can meet it
    await bad({ state: finished, budgets: [1000] }, /No candidate .* meets the constraint \(≤ 1000 MACs\)/);
    expect(paused.phase).toBe('round0');
    await bad({ state: paused, budgets: [2e6] }, /not reached the fine stage/);
    // after the refusals it still works
    expect(await session.budgets({ state: finished, budgets: [3e6] })).toHaveLength(1);
  }, 120_000);

  it('refuses while the joint search runs (busy), then works once it is paused', async () => {
    let session!: V3Session;
    let refusal: unknown = null;
    session = new V3Session(
      () => undefined,
      () => async (req) => {
        if (refusal === null) {
          refusal = await session.budgets({ state: finished, budgets: [2e6] }).catch((e: unknown) => e);
          session.pause();
        }
        await Promise.resolve();
        if (req.signal?.aborted) throw new DOMException('Training was stopped', 'AbortError');
        return { nme: req.logSteps.map(() => 10) };
      },
    );
    expect((await session.start({ settings })).status).toBe('paused');
    expect(refusal).toMatchObject({ code: 'busy' });
    expect(await session.budgets({ state: finished, budgets: [2e6] })).toHaveLength(1);
  }, 120_000);
});
