import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { classroomJointSpace, Rng, type JointSearchState, type TrainRequest } from '../nas/index.ts';
import { plantedNme } from '../nas/testing.ts';
import type { V3Settings, WorkerEvent } from './protocol.ts';
import { DEFAULT_V3_SETTINGS, jointConfigOf, plannedCandidates, V3Session } from './v3-session.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const settings: V3Settings = { ...DEFAULT_V3_SETTINGS, steps: 9 };
const space = classroomJointSpace(jointConfigOf(settings).space);

/** Planted NME with a candidate-dependent decay along the logged steps (no network is trained). */
function planted(calls: TrainRequest[], onCall?: (n: number) => void) {
  return () => async (req: TrainRequest) => {
    calls.push(req);
    onCall?.(calls.length);
    // like the real trainer: a stop request ends the candidate in flight
    await Promise.resolve();
    if (req.signal?.aborted) throw new DOMException('Training was stopped', 'AbortError');
    const final = plantedNme(space, req.candidate, new Rng(req.seed));
    const gap = 2 * new Rng(req.seed ^ 0x5eed).next();
    return { nme: req.logSteps.map((s) => final * (1 + gap * (1 - s / req.recipe.steps) ** 2)) };
  };
}

type Progress = Extract<WorkerEvent, { type: 'v3-progress' }>;

describe('V3Session', () => {
  it('runs a tiny joint search to the end, streaming progress and the state after every candidate', async () => {
    const events: Progress[] = [];
    const calls: TrainRequest[] = [];
    const session = new V3Session((e) => {
      if (e.type === 'v3-progress') events.push(structuredClone(e));
    }, planted(calls));
    const out = await session.start({ settings });
    expect(out.status).toBe('finished');
    const s = out.state;
    expect(s.phase).toBe('done');
    // round 0 (4) + 2 rounds of 2 + per budget a verification and the default recipe (≤ 4, deduplicated)
    expect(calls.length).toBe(s.trained.length);
    expect(s.trained.filter((t) => t.stage === 'round0')).toHaveLength(4);
    expect(s.trained.filter((t) => t.stage === 'round')).toHaveLength(4);
    expect(s.rounds).toHaveLength(2);
    expect(s.fine.map((f) => f.budget)).toEqual([1.5e6, 3e6]);
    const trained = events.filter((e) => e.event === 'trained');
    expect(trained).toHaveLength(s.trained.length);
    // the streamed state after the k-th candidate holds exactly k trained candidates
    trained.forEach((e, k) => {
      expect(e.trained).toBe(k + 1);
      expect(e.state.trained).toHaveLength(k + 1);
    });
    expect(events.map((e) => e.event)).toContain('early-stop');
    expect(events.map((e) => e.event)).toContain('fine');
    expect(events.at(-1)!.event).toBe('done');
    expect(events.at(-1)!.total).toBe(s.trained.length);
    expect(events.at(-1)!.etaMs).toBe(0);
    // the ETA is known after the first candidate, and never negative
    expect(trained.every((e) => e.etaMs !== null && e.etaMs >= 0)).toBe(true);
  });

  it('pauses mid-run and resumes from the streamed state without retraining finished candidates', async () => {
    let latest: JointSearchState | null = null;
    const calls: TrainRequest[] = [];
    let session!: V3Session;
    const emit = (e: WorkerEvent) => {
      if (e.type === 'v3-progress') latest = structuredClone(e.state);
    };
    // pause while the 3rd candidate trains: it is dropped, the first two are kept
    session = new V3Session(
      emit,
      planted(calls, (n) => n === 3 && session.pause()),
    );
    const first = await session.start({ settings });
    expect(first.status).toBe('paused');
    expect(first.state.trained).toHaveLength(2);
    expect(latest!.trained).toHaveLength(2);
    const keys = latest!.trained.map((t) => t.candidate.join(','));

    const resumedCalls: TrainRequest[] = [];
    const again = new V3Session(emit, planted(resumedCalls));
    const out = await again.start({ settings, resume: latest! });
    expect(out.status).toBe('finished');
    // the two finished candidates were not trained again
    expect(resumedCalls.length).toBe(out.state.trained.length - 2);
    expect(out.state.trained.slice(0, 2).map((t) => t.candidate.join(','))).toEqual(keys);
    expect(resumedCalls.slice(0, 2).map((r) => r.candidate.join(','))).not.toContain(keys[0]);

    // the same search uninterrupted trains the same candidates
    const whole = await new V3Session(() => undefined, planted([])).start({ settings });
    expect(out.state.trained.map((t) => t.candidate.join(','))).toEqual(
      whole.state.trained.map((t) => t.candidate.join(',')),
    );
    expect(plannedCandidates(out.state)).toBe(out.state.trained.length);
  });

  it('refuses bad settings with a message and is not left busy', async () => {
    const session = new V3Session(() => undefined, planted([]));
    await expect(session.start({ settings: { ...settings, poolSize: 3 } })).rejects.toThrow(/pool/);
    await expect(session.start({ settings: { ...settings, budgets: [] } })).rejects.toThrow(/budget/);
    await expect(
      session.start({ settings, resume: { version: 2 } as unknown as JointSearchState }),
    ).rejects.toThrow(/known version/);
    expect((await session.start({ settings })).status).toBe('finished');
  });

  it('recipe sensitivity from the form: 2k more trainings, counted in the plan; and the ablation per round', async () => {
    const events: WorkerEvent[] = [];
    const calls: TrainRequest[] = [];
    const session = new V3Session((e) => events.push(structuredClone(e)), planted(calls));
    const out = await session.start({ settings: { ...settings, sensitivity: 2 } });
    const first = events.find((e) => e.type === 'v3-progress');
    const sens = out.state.trained.filter((t) => t.stage === 'sensitivity');
    expect(sens).toHaveLength(4);
    // the plan known from the start already holds them (no verification was deduplicated here)
    expect(first?.type === 'v3-progress' && first.total).toBe(out.state.trained.length);
    expect(jointConfigOf(DEFAULT_V3_SETTINGS).sensitivity).toEqual({ architectures: 0 });
    await expect(session.start({ settings: { ...settings, sensitivity: -1 } })).rejects.toThrow(
      /Sensitivity/,
    );

    events.length = 0;
    const rows = await session.ablation(out.state);
    expect(rows.map((r) => r.round)).toEqual([1, 2]);
    expect(rows.map((r) => r.tauWith)).toEqual(out.state.rounds.map((r) => r.tau));
    expect(events).toEqual([
      { type: 'v3-ablation-progress', done: 1, total: 2 },
      { type: 'v3-ablation-progress', done: 2, total: 2 },
    ]);
    await expect(session.ablation({ version: 1 } as unknown as JointSearchState)).rejects.toThrow(/no pool/);
  });
});
