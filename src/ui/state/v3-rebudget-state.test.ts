/**
 * The re-budgeting state in Node, its worker calls answered by a real V3Session (planted trainer): a typed
 * budget becomes one v3Budgets request, the picks come back with their MACs within it, answers list newest
 * first per search, and bad input is refused before any request.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classroomJointSpace, Rng, type JointSearchState, type TrainRequest } from '../../nas/index.ts';
import { plantedNme } from '../../nas/testing.ts';
import type { BackendInfo, V3BudgetsArgs, WorkerClient } from '../../worker/protocol.ts';
import { WorkerRequestError } from '../../worker/protocol.ts';
import { DEFAULT_V3_SETTINGS, jointConfigOf, V3Session } from '../../worker/v3-session.ts';
import { runtime } from './runtime.svelte.ts';
import { parseBudgetM, reachedFine, REBUDGET_TOP, V3RebudgetState } from './v3-rebudget.svelte.ts';

const settings = { ...DEFAULT_V3_SETTINGS, steps: 9 };
const space = classroomJointSpace(jointConfigOf(settings).space);
const trainings: TrainRequest[] = [];
const session = new V3Session(
  () => undefined,
  () => async (req) => {
    trainings.push(req);
    return { nme: req.logSteps.map(() => plantedNme(space, req.candidate, new Rng(req.seed))) };
  },
);
const calls: { method: string; args: V3BudgetsArgs }[] = [];
let finished: JointSearchState;

beforeAll(async () => {
  await tf.setBackend('cpu');
  finished = (await session.start({ settings })).state;
  trainings.length = 0;
  runtime.client = {
    call: async (method: string, args: V3BudgetsArgs) => {
      calls.push({ method, args });
      try {
        return await session.budgets(args);
      } catch (e) {
        // as the worker's dispatch hands errors back
        throw new WorkerRequestError((e as Error).message, (e as WorkerRequestError).code ?? 'failed');
      }
    },
    onEvent: () => () => undefined,
  } as unknown as WorkerClient;
  runtime.info = { backend: 'cpu' } as BackendInfo;
}, 120_000);
afterAll(() => {
  runtime.client = null;
  runtime.info = null;
});

describe('V3RebudgetState', () => {
  it('parses budgets in millions of MACs and refuses what is not one', () => {
    expect(parseBudgetM(' 2.5 ')).toEqual({ macs: 2_500_000 });
    expect(parseBudgetM('1e-1')).toEqual({ macs: 100_000 });
    for (const bad of ['', 'lots', '0', '-1', 'Infinity', 'NaN', '1,5']) {
      expect(parseBudgetM(bad)).toHaveProperty('error');
    }
  });

  it('searches a typed budget once, lists picks within it newest first, and trains nothing', async () => {
    expect(reachedFine(finished)).toBe(true);
    const s = new V3RebudgetState();
    s.text = 'lots';
    await s.search(finished);
    expect(s.error).toMatch(/not a budget/);
    expect(calls).toHaveLength(0);

    s.text = '2.2';
    await s.search(finished);
    expect(s.error).toBeNull();
    expect(calls).toEqual([{ method: 'v3Budgets', args: { state: finished, budgets: [2_200_000] } }]);
    s.text = '1.5';
    await s.search(finished);
    const list = s.of(finished);
    expect(list.map((r) => r.budget)).toEqual([1_500_000, 2_200_000]);
    for (const r of list) {
      expect(r.picks.length).toBeGreaterThan(0);
      expect(r.picks.length).toBeLessThanOrEqual(REBUDGET_TOP);
      expect(r.ms).toBeGreaterThanOrEqual(0);
      for (const p of r.picks) {
        expect(p.macs).toBeLessThanOrEqual(r.budget);
        expect(p.arch).toMatch(/px, \d+ blocks/);
        expect(p.recipe).toMatch(/steps$/);
      }
    }
    // the search's first budget: its fine stage's own best prediction
    expect(list[0].picks[0].predicted).toBe(finished.fine[0].best[0].score);
    // another search (other measurements) does not show this one's answers
    const other = { ...finished, trained: finished.trained.slice(0, 5) };
    expect(s.of(other)).toEqual([]);
    expect(trainings).toHaveLength(0);
  }, 120_000);

  it("shows the worker's refusal and keeps the list", async () => {
    const s = new V3RebudgetState();
    s.text = '2';
    await s.search(finished);
    s.text = '0.0001';
    await s.search(finished);
    expect(s.error).toMatch(/Searching 0\.0001 M MACs failed: No candidate .* meets the constraint/);
    expect(s.busy).toBe(false);
    expect(s.of(finished)).toHaveLength(1);
    s.clear();
    expect(s.of(finished)).toEqual([]);
    expect(s.error).toBeNull();
  }, 120_000);
});
