import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng.ts';
import { LandmarkSource } from './landmark-source.ts';
import { generateDataset } from './synthface.ts';
import { NUM_COORDS } from './landmarks106.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const data = generateDataset({ count: 50, size: 32, difficulty: 0.3, seed: 4 });

describe('LandmarkSource', () => {
  test('seeded split: val fraction, then 80/20 weights/arch, disjoint and covering', () => {
    const src = new LandmarkSource(data, { valFraction: 0.2, splitSeed: 7 });
    expect([src.count('val'), src.count('weights'), src.count('arch')]).toEqual([10, 32, 8]);
    const all = (['val', 'weights', 'arch'] as const).flatMap((s) =>
      Array.from({ length: src.count(s) }, (_, i) => src.sampleIndex(s, i)),
    );
    expect(new Set(all).size).toBe(50);
    const again = new LandmarkSource(data, { valFraction: 0.2, splitSeed: 7 });
    const other = new LandmarkSource(data, { valFraction: 0.2, splitSeed: 8 });
    expect(again.sampleIndex('val', 3)).toBe(src.sampleIndex('val', 3));
    const vals = (s: LandmarkSource) => Array.from({ length: 10 }, (_, i) => s.sampleIndex('val', i));
    expect(vals(other)).not.toEqual(vals(src));
  });

  test('batches are NHWC float32 in [0, 1] with the stored landmarks; resized to inputSize', () => {
    const src = new LandmarkSource(data, { inputSize: 24, splitSeed: 1 });
    const before = tf.memory().numTensors;
    const { x, y } = src.batchAt('weights', [0, 2, 5]);
    expect(x.shape).toEqual([3, 24, 24, 3]);
    expect(y.shape).toEqual([3, NUM_COORDS]);
    const xv = x.dataSync();
    expect(Math.min(...xv)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xv)).toBeLessThanOrEqual(1);
    const idx = src.sampleIndex('weights', 2);
    expect(Array.from(y.arraySync()[1])).toEqual(
      Array.from(data.landmarks.subarray(idx * NUM_COORDS, (idx + 1) * NUM_COORDS)),
    );
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
    expect(src.outputs).toBe(212);
    expect(src.task).toBe('landmarks');
  });

  test('same-size batch equals the stored bytes / 255; augmentation is seeded', () => {
    const src = new LandmarkSource(data, { splitSeed: 1 });
    const { x, y } = src.batchAt('val', [1]);
    const stored = src.sample('val', 1).image;
    const xv = x.dataSync();
    expect(xv[100]).toBeCloseTo(stored[100] / 255, 6);
    const a = src.batchAt('val', [1], new Rng(5));
    const b = src.batchAt('val', [1], new Rng(5));
    expect(Array.from(a.x.dataSync())).toEqual(Array.from(b.x.dataSync()));
    expect(Array.from(a.y.dataSync())).not.toEqual(Array.from(y.dataSync()));
    tf.dispose([x, y, a.x, a.y, b.x, b.y]);
    expect(() => src.batchAt('val', [src.count('val')])).toThrow(/outside split/);
  });
});
