import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { createModel } from '../model/model.ts';
import { generateDataset } from '../data/synthface.ts';
import { LandmarkSource } from '../data/landmark-source.ts';
import type { Arch } from '../arch/spec.ts';
import { recalibrateBatchNorm } from './recalibrate.ts';

const ARCH: Arch = {
  name: 'tiny',
  input: { size: 16, channels: 3 },
  body: [
    { kind: 'conv', k: 3, out: 8, stride: 2, act: 'relu' },
    { kind: 'ir', k: 3, e: 3, out: 8, stride: 1, act: 'relu' },
  ],
  head: { kind: 'landmarks', points: 106 },
};

describe('BatchNorm recalibration', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  test('running statistics from another distribution are replaced by the data set’s own', async () => {
    const data = generateDataset({ count: 16, size: 16, difficulty: 0.3, seed: 5 });
    // every split holds the same faces, so the training-mode batch statistics are what inference should use
    const source = new LandmarkSource(data, { valFraction: 0, splitSeed: 1, weightsFraction: 1 });
    const model = createModel(ARCH, { seed: 3 });
    const batch = source.batchAt(
      'weights',
      Array.from({ length: 16 }, (_, i) => i),
    );
    // poison the running statistics as a supernet mixture would
    for (const p of model.params())
      if (/\/bn\/mean$/.test(p.name)) p.variable.assign(tf.fill(p.variable.shape, 5));
    const gap = async () => {
      const d = tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(batch.x), model.apply(batch.x, true)))));
      const v = (await d.data())[0];
      d.dispose();
      return v;
    };
    // inference (running stats) vs training mode (batch stats) on the same batch
    const before = await gap();
    const tensors = tf.memory().numTensors;
    await recalibrateBatchNorm(model, source, { batches: 80, batchSize: 16 });
    expect(tf.memory().numTensors).toBe(tensors);
    const after = await gap();
    expect(before).toBeGreaterThan(0.05);
    expect(after).toBeLessThan(before / 20);
    tf.dispose([batch.x, batch.y]);
    model.dispose();
  });
});
