import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MASKING_MAX, maskedVariant, naiveVariant, plainVariant } from './masking-steps.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('masking bench variants', () => {
  it('step with a constant tensor count and free everything on dispose', async () => {
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d([1, 7], 'int32'), 10).asType('float32') as tf.Tensor2D);
    const variants = [plainVariant(3), maskedVariant(4, 3), naiveVariant(4, 3)];
    for (const v of variants) await v.step(x, y);
    const during = tf.memory().numTensors;
    for (const v of variants) await v.step(x, y);
    expect(tf.memory().numTensors).toBe(during);
    expect(variants.map((v) => `${v.label}/${v.k}`)).toEqual(['plain/1', 'masked/4', 'naive/4']);
    variants.forEach((v) => v.dispose());
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
    expect(MASKING_MAX).toBe(32);
  });
});
