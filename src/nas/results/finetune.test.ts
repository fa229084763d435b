import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tinyFaces } from '../finetune/testing.ts';
import { createModel } from '../model/model.ts';
import { CLASSROOM } from '../spaces/classroom.ts';
import { archFromChoices } from '../spaces/derive.ts';
import { finalLoss, finetuneSeed, trainModel } from './finetune.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('finalLoss', () => {
  it('is the mean of the last five losses (fewer when fewer ran), NaN for none', () => {
    expect(finalLoss([9, 9, 1, 2, 3, 4, 5])).toBe(3);
    expect(finalLoss([2, 4])).toBe(3);
    expect(finalLoss([1, 2, 3], 2)).toBe(2.5);
    expect(finalLoss([])).toBeNaN();
  });
});

describe('finetuneSeed', () => {
  it('moves on with the steps already trained, as an unsigned 32-bit integer', () => {
    expect(finetuneSeed(7, 0)).toBe(7);
    expect(finetuneSeed(7, 30)).toBe(37);
    expect(finetuneSeed(2 ** 32 - 1, 2)).toBe(1);
  });
});

describe('trainModel', () => {
  it('reports every step, keeps every loss, stops on abort and leaves no tensors behind', async () => {
    const faces = tinyFaces(12, 16, 3);
    const arch = archFromChoices({ ...CLASSROOM, input: { size: 16, channels: 3 } }, [0, 1, 0, 5, 0], 'tiny');
    const model = createModel(arch, { seed: 1 });
    const before = tf.memory().numTensors;
    const opts = { steps: 3, lr: 0.001, batchSize: 4, seed: 2 };
    const steps: number[] = [];
    const r = await trainModel(model, faces, opts, (s) => steps.push(s.step));
    expect(r.outcome).toBe('finished');
    expect(steps).toEqual([0, 1, 2]);
    expect(r.losses).toHaveLength(3);
    expect(r.losses.every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    const abort = new AbortController();
    const cut = await trainModel(model, faces, { ...opts, steps: 50 }, () => abort.abort(), abort.signal);
    expect(cut.outcome).toBe('aborted');
    expect(cut.losses.length).toBeLessThan(50);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
