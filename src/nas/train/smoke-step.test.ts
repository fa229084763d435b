import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { runSmokeStep } from './smoke-step.ts';

describe('backend smoke step', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  test('trains one step with a finite loss and frees every tensor it made', async () => {
    const first = await runSmokeStep({ size: 8, batch: 2, seed: 1 });
    expect(Number.isFinite(first.loss)).toBe(true);
    expect(first.tensorsAfter).toBe(first.tensorsBefore);
    const again = await runSmokeStep({ size: 8, batch: 2, seed: 1 });
    expect(again.loss).toBe(first.loss); // seeded: identical data and weights
    expect(again.tensorsAfter).toBe(first.tensorsBefore);
  });
});
