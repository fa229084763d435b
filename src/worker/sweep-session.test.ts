import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_EXPERIMENT,
  generateDataset,
  LandmarkSource,
  SearchTrainer,
  type ExperimentConfig,
} from '../nas/index.ts';
import type { WorkerEvent } from './protocol.ts';
import { SweepSession } from './sweep-session.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The classroom space at 32 px on 12 SynthFace faces, one iteration without warm-up. */
function tinyConfig(): ExperimentConfig {
  const config = structuredClone(DEFAULT_EXPERIMENT);
  config.dataset = { kind: 'synthface', count: 12, size: 32, difficulty: 0.5, seed: 1 };
  config.inputSize = 32;
  config.train = { ...config.train, batchSize: 4, epochs: 1, stepsPerEpoch: 1, warmupEpochs: 0 };
  return config;
}

// the sweep and the check themselves are tested in src/nas/sweep; here: the adapter
describe('SweepSession', () => {
  let t: SearchTrainer | null = null;
  const events: WorkerEvent[] = [];
  const session = new SweepSession(
    (e) => events.push(e),
    () => t,
  );
  afterAll(() => t?.dispose());

  it('asks for a search before checking the estimate, and for sane settings', async () => {
    await expect(session.checkEstimate({})).rejects.toMatchObject({ code: 'no-search' });
    await expect(session.checkEstimate({ finetuneSteps: 0 })).rejects.toMatchObject({ code: 'bad-request' });
    const config = structuredClone(DEFAULT_EXPERIMENT);
    await expect(session.run({ config, betas: [] })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(session.run({ config, betas: [0, -1] })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(session.run({ config, betas: [0], finetuneSteps: 1.5 })).rejects.toMatchObject({
      code: 'bad-request',
    });
    expect(session.cancel()).toEqual({ cancelled: false });
  });

  it('checks the estimate of the search’s trainer, one task at a time, with progress', async () => {
    const cfg = tinyConfig();
    const data = generateDataset({ count: 12, size: 32, difficulty: 0.5, seed: 1 });
    const source = new LandmarkSource(data, { valFraction: 0.2, splitSeed: 1, inputSize: 32 });
    t = new SearchTrainer(cfg, source);
    const first = session.checkEstimate({ finetuneSteps: 3 });
    await expect(session.checkEstimate({ finetuneSteps: 3 })).rejects.toMatchObject({ code: 'busy' });
    const r = await first;
    expect(r.outcome).toBe('finished');
    expect(r.steps).toBe(3);
    expect(r.estimateBasis).toContain('BatchNorm statistics recalibrated');
    expect(Number.isFinite(r.standaloneNme)).toBe(true);
    expect(events.filter((e) => e.type === 'estimate-progress').at(-1)).toEqual({
      type: 'estimate-progress',
      step: 3,
      total: 3,
    });
  });

  it('runs a sweep of the experiment on its own data and streams its points and progress', async () => {
    events.length = 0;
    const r = await session.run({ config: tinyConfig(), betas: [0, 8], finetuneSteps: 1 });
    expect(r.outcome).toBe('finished');
    expect(r.points.map((p) => p.beta)).toEqual([0, 8]);
    expect(r.baseline?.steps).toBe(1);
    expect(events.filter((e) => e.type === 'sweep-point')).toHaveLength(2);
    // 2 × (2 search + 1 finetune) + 1 baseline step; the last progress event is always posted
    expect(events.filter((e) => e.type === 'sweep-progress').at(-1)).toMatchObject({ done: 7, total: 7 });
  }, 60_000);
});
