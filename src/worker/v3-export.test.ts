import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  candidateKey,
  classroomJointSpace,
  createModel,
  getWeights,
  PARITY_TOLERANCE,
  Rng,
  type TrainRequest,
  type WeightMap,
} from '../nas/index.ts';
import { plantedNme } from '../nas/testing.ts';
import type { V3Settings, WorkerEvent } from './protocol.ts';
import { DEFAULT_V3_SETTINGS, jointConfigOf, V3Session } from './v3-session.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const settings: V3Settings = { ...DEFAULT_V3_SETTINGS, steps: 9 };
const space = classroomJointSpace(jointConfigOf(settings).space);

/** Planted NMEs; verification trainings also hand back weights (the initial ones of the candidate's net). */
const planted = (calls: TrainRequest[]) => () => async (req: TrainRequest) => {
  calls.push(req);
  const nme = req.logSteps.map(() => plantedNme(space, req.candidate, new Rng(req.seed)));
  if (req.stage !== 'verify') return { nme };
  const model = createModel(req.arch, { seed: req.seed });
  const weights = await getWeights(model.params());
  model.dispose();
  return { nme, weights };
};

describe('V3Session: the verified winners are exportable', () => {
  it('streams the weights of every verification training (and no other) just before the progress that records it; they export with the parity check', async () => {
    const events: WorkerEvent[] = [];
    const calls: TrainRequest[] = [];
    const session = new V3Session(
      (e) => events.push(structuredClone(e)),
      planted(calls),
      async () => undefined,
    );
    const out = await session.start({ settings });
    expect(out.status).toBe('finished');
    const verified = out.state.trained.filter((t) => t.stage === 'verify');
    expect(verified.length).toBeGreaterThanOrEqual(1);
    const kept = events.filter((e) => e.type === 'v3-weights');
    expect(kept.map((e) => e.key)).toEqual(verified.map((t) => candidateKey(t.candidate)));
    expect(kept.map((e) => e.budget)).toEqual(verified.map((t) => t.budget));
    // each arrives right before the progress event whose state first holds its candidate
    for (const k of kept) {
      const i = events.indexOf(k);
      const next = events[i + 1];
      expect(next.type === 'v3-progress' && next.event === 'trained').toBe(true);
      if (next.type !== 'v3-progress' || next.event !== 'trained') continue;
      expect(candidateKey(next.state.trained.at(-1)!.candidate)).toBe(k.key);
    }

    const first = kept[0] as Extract<WorkerEvent, { type: 'v3-weights' }>;
    const record = verified[0];
    const before = tf.memory().numTensors;
    const r = await session.export({
      settings,
      state: out.state,
      candidate: record.candidate,
      weights: first.weights,
      name: 'fbnet-v3-winner',
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.fileName).toBe('fbnet-v3-winner.onnx');
    expect(r.maxAbsDiff).toBeLessThan(PARITY_TOLERANCE);
    expect(r.checkedImages).toBeGreaterThan(0);

    // weights of another network: a clear refusal, not a crash
    const wrong: WeightMap = { x: { shape: [1], data: new Float32Array(1) } };
    await expect(
      session.export({ settings, state: out.state, candidate: record.candidate, weights: wrong, name: 'w' }),
    ).rejects.toMatchObject({ code: 'bad-request', message: expect.stringContaining('no weights for') });
  });
});
