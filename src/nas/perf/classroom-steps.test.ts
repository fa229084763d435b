import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLASSROOM_STEPS, type ClassroomStepKind } from './classroom-steps.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tiny = { batch: 2, inputSize: 32 };

describe.each(Object.keys(CLASSROOM_STEPS) as ClassroomStepKind[])('classroom %s step', (kind) => {
  it('is seeded, trains, and frees every tensor it made', async () => {
    const before = tf.memory().numTensors;
    const a = CLASSROOM_STEPS[kind]({ ...tiny, seed: 3 });
    const b = CLASSROOM_STEPS[kind]({ ...tiny, seed: 3 });
    const first = await a.step();
    expect(await b.step()).toBe(first);
    const during = tf.memory().numTensors;
    // the same batch again after an SGD step on it: the loss goes down
    const second = await a.step();
    expect(second).toBeLessThan(first);
    expect(tf.memory().numTensors).toBe(during);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
