import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { packStep, type PackedStep, type StepTensors } from './step-record.ts';

/** packStep inside a tidy, as the trainer's tape runs it: only the packed tensor survives. */
function pack(make: () => StepTensors): PackedStep {
  let p: PackedStep | undefined;
  tf.tidy(() => {
    p = packStep(make());
  });
  return p!;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('packStep', () => {
  it('packs a step into one tensor and decodes every named field back', async () => {
    const before = tf.memory().numTensors;
    const packed = pack(() => ({
      task: tf.scalar(1.5),
      costTerm: tf.scalar(0.25),
      cost: tf.scalar(3),
      loss: tf.scalar(0.375),
      blockWeights: [tf.tensor1d([0.5, 0.5]), tf.tensor1d([1, 0, 0])],
      extras: { widths: [tf.tensor1d([0.75, 0.25])], effective: [tf.tensor1d([100, 20])], none: [] },
    }));
    expect(packed.tensor.shape).toEqual([4 + 5 + 4]);
    const v = packed.decode((await packed.tensor.data()) as Float32Array);
    packed.tensor.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(v).toEqual({
      taskLoss: 1.5,
      costTerm: 0.25,
      cost: 3,
      loss: 0.375,
      blockWeights: [
        [0.5, 0.5],
        [1, 0, 0],
      ],
      extras: { widths: [[0.75, 0.25]], effective: [[100, 20]], none: [] },
      finite: true,
    });
  });

  it('flags a non-finite value anywhere in the record', async () => {
    const before = tf.memory().numTensors;
    const packed = pack(() => ({
      task: tf.scalar(1),
      costTerm: tf.scalar(1),
      cost: tf.scalar(1),
      loss: tf.scalar(1),
      blockWeights: [tf.tensor1d([NaN, 1])],
      extras: {},
    }));
    const v = packed.decode((await packed.tensor.data()) as Float32Array);
    packed.tensor.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(v.finite).toBe(false);
  });
});
