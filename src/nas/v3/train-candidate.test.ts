import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../data/synthface.ts';
import { Rng } from '../rng.ts';
import { classroomJointSpace, decodeArch, decodeRecipe, randomCandidate } from './joint-space.ts';
import { scaledAugment, standaloneTrainer } from './train-candidate.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('standalone training of a joint-space candidate', () => {
  it('trains through the shared Finetuner and reports NME at each logged step, leaking nothing', async () => {
    const space = classroomJointSpace({ resolutions: [32], recipe: { dropout: [0, 0], steps: [6] } });
    const data = generateDataset({ count: 24, size: 32, difficulty: 0.2, seed: 2 });
    const train = standaloneTrainer({ data, batchSize: 4, splitSeed: 1 });
    const c = randomCandidate(space, new Rng(3));
    const before = tf.memory().numTensors;
    for (const ema of [0, 0.9]) {
      const recipe = { ...decodeRecipe(space, c), ema };
      const arch = decodeArch(space, c);
      const a = await train({ candidate: c, arch, recipe, logSteps: [2, 4, 6], seed: 5, stage: 'round0' });
      const b = await train({ candidate: c, arch, recipe, logSteps: [2, 4], seed: 5, stage: 'round' });
      expect(a.nme).toHaveLength(3);
      expect(a.nme.every((v) => v > 0 && Number.isFinite(v))).toBe(true);
      // an early-stopped run is the first part of the full one (same schedule, same seed)
      expect(b.nme).toEqual(a.nme.slice(0, 2));
    }
    expect(tf.memory().numTensors).toBe(before);
    const recipe = { ...decodeRecipe(space, c), dropout: 0.1 };
    await expect(
      train({ candidate: c, arch: decodeArch(space, c), recipe, logSteps: [1], seed: 1, stage: 'round0' }),
    ).rejects.toThrow(/Dropout/);
  });

  it('augmentation strength scales the default jitter (0: none, 1: the default)', () => {
    expect(scaledAugment(0)).toEqual({
      flip: 0,
      rotateDeg: 0,
      scale: [1, 1],
      translate: 0,
      brightness: 0,
      contrast: 0,
    });
    const full = scaledAugment(1);
    expect(full.rotateDeg).toBe(15);
    expect(full.scale![0]).toBeCloseTo(0.9, 12);
    expect(full.scale![1]).toBeCloseTo(1.1, 12);
  });
});
