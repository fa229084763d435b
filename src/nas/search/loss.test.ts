import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { COST_FLOOR, crossEntropy, fbnetLoss } from './loss.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('fbnetLoss', () => {
  it('is task · α · log(cost)^β', () => {
    const [loss, term] = tf.tidy(() => {
      const r = fbnetLoss(tf.scalar(2), tf.scalar(Math.exp(2)), 0.5, 0.5);
      return [r.loss.arraySync(), r.costTerm.arraySync()];
    });
    expect(term).toBeCloseTo(0.5 * Math.sqrt(2), 5);
    expect(loss).toBeCloseTo(Math.sqrt(2), 5);
  });

  it('ignores the cost when β = 0 (loss = α · task)', () => {
    const loss = tf.tidy(() => fbnetLoss(tf.scalar(3), tf.scalar(0.2), 0.2, 0).loss.arraySync());
    expect(loss).toBeCloseTo(0.6, 6);
  });

  it('has the gradient task · α · β · log(c)^(β-1) / c in the cost', () => {
    const c = 20;
    const g = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => fbnetLoss(tf.scalar(1.5), x as tf.Scalar, 0.2, 0.6).loss)(tf.scalar(c))
        .arraySync(),
    );
    expect(g).toBeCloseTo((1.5 * 0.2 * 0.6 * Math.log(c) ** -0.4) / c, 6);
  });

  it('stays finite for costs at or below 1 (clamped to the floor)', () => {
    const loss = tf.tidy(() => fbnetLoss(tf.scalar(1), tf.scalar(0.5), 1, 0.6).loss.arraySync());
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeCloseTo(Math.log(COST_FLOOR) ** 0.6, 5);
  });
});

describe('crossEntropy', () => {
  it('matches the hand-computed mean of -log softmax at the label', () => {
    const v = tf.tidy(() =>
      crossEntropy(
        tf.tensor2d([
          [1, 2, 0],
          [0, 0, 3],
        ]),
        tf.tensor2d([
          [0, 1, 0],
          [1, 0, 0],
        ]),
      ).arraySync(),
    );
    const lse1 = Math.log(Math.exp(1) + Math.exp(2) + 1);
    const lse2 = Math.log(2 + Math.exp(3));
    expect(v).toBeCloseTo((lse1 - 2 + lse2 - 0) / 2, 5);
  });
});
