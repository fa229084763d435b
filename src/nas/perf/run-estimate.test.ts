import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../experiment.ts';
import { totalStepsOf } from '../search/schedule.ts';
import { THREE_LAYER_SPACE, toyConfig } from '../search/toy-spaces.ts';
import { combineEstimate, measureRunEstimate, stepCounts } from './run-estimate.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('run estimate', () => {
  it('counts weight and arch steps as the schedule runs them', () => {
    const train = { ...DEFAULT_EXPERIMENT.train, epochs: 5, warmupEpochs: 2, stepsPerEpoch: 10 };
    // 2 warm-up epochs of weight steps, then 3 epochs of weight + arch iterations
    expect(stepCounts(train)).toEqual({ weightSteps: 50, archSteps: 30 });
    expect(50 + 30).toBe(totalStepsOf(train));
  });

  it('multiplies each kind by its measured time and adds the warm-up once', () => {
    const train = { ...DEFAULT_EXPERIMENT.train, epochs: 3, warmupEpochs: 1, stepsPerEpoch: 4 };
    const e = combineEstimate(train, 100, 250, 5000);
    expect(e).toEqual({
      weightSteps: 12,
      archSteps: 8,
      weightMs: 100,
      batchMs: 0,
      archMs: 250,
      warmupMs: 5000,
      evaluations: 4,
      evalMs: 0,
      totalMs: 5000 + 1200 + 2000,
    });
    // one validation per epoch and one at the finish
    expect(combineEstimate(train, 100, 250, 5000, 300).totalMs).toBe(5000 + 1200 + 2000 + 4 * 300);
    // making an augmented batch is paid once per weight step
    const withBatch = combineEstimate(train, 100, 250, 5000, 300, 40);
    expect(withBatch).toMatchObject({ weightMs: 140, batchMs: 40 });
    expect(withBatch.totalMs).toBe(5000 + 12 * 140 + 2000 + 4 * 300);
  });

  it('has no arch time when every epoch is a warm-up epoch', () => {
    const train = { ...DEFAULT_EXPERIMENT.train, epochs: 2, warmupEpochs: 2, stepsPerEpoch: 4 };
    expect(combineEstimate(train, 100, 250, 0)).toMatchObject({ archSteps: 0, archMs: 0, totalMs: 800 });
  });
});

describe('measureRunEstimate', () => {
  it('times a weight and an arch step of the experiment on the active backend, and can be cancelled', async () => {
    const toy = toyConfig(THREE_LAYER_SPACE, {
      train: { batchSize: 2, epochs: 2, warmupEpochs: 1, stepsPerEpoch: 3 },
    });
    const before = tf.memory().numTensors;
    // a clock that advances 5 ms per reading: every timed step measures 5 ms, compilation included
    let t = 0;
    const e = await measureRunEstimate(toy, { now: () => (t += 5), space: THREE_LAYER_SPACE });
    expect(e).not.toBeNull();
    expect(e!.weightSteps).toBe(6);
    expect(e!.archSteps).toBe(3);
    // each timed interval reads the clock twice: 5 ms per step on this clock
    expect(e!.weightMs).toBe(5);
    expect(e!.archMs).toBe(5);
    expect(e!.totalMs).toBe(9 * 5);
    expect(await measureRunEstimate(toy, { cancelled: () => true, space: THREE_LAYER_SPACE })).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('adds a timed validation per epoch and at the finish, and an augmented batch per weight step, for a landmark search', async () => {
    const config = structuredClone(DEFAULT_EXPERIMENT);
    config.inputSize = 32;
    config.dataset = { kind: 'synthface', count: 20, size: 32, difficulty: 0.5, seed: 1 };
    config.train = { ...config.train, batchSize: 2, epochs: 2, warmupEpochs: 1, stepsPerEpoch: 3 };
    const before = tf.memory().numTensors;
    let t = 0;
    const e = await measureRunEstimate(config, { now: () => (t += 5) });
    expect(e!.evaluations).toBe(3);
    expect(e!.evalMs).toBe(5);
    // a weight step: its 5 ms plus 5 ms to make its augmented batch
    expect(e!.batchMs).toBe(5);
    expect(e!.weightMs).toBe(10);
    expect(e!.totalMs).toBe(6 * 10 + 3 * 5 + 3 * 5);
    expect(tf.memory().numTensors).toBe(before);
  });
});
