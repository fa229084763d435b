import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  cedAuc,
  cedCurve,
  failureRate,
  landmarkLoss,
  landmarkScores,
  meanNme,
  nmePerImage,
  wingLoss,
} from './metrics.ts';
import { NUM_COORDS } from './landmarks106.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A face whose outer eye corners (66, 79) are 0.4 apart; every other point at (0.5, 0.5). */
function face(): Float32Array {
  const f = new Float32Array(NUM_COORDS).fill(0.5);
  f.set([0.3, 0.5], 2 * 66);
  f.set([0.7, 0.5], 2 * 79);
  f.set([0.35, 0.45], 2 * 104);
  f.set([0.65, 0.45], 2 * 105);
  return f;
}

describe('landmark metrics', () => {
  test('NME by hand: uniform shift and a single displaced point', () => {
    const gt = face();
    const shifted = gt.map((v, i) => (i % 2 === 0 ? v + 0.04 : v));
    expect(nmePerImage(shifted, gt)[0]).toBeCloseTo(0.04 / 0.4, 6); // 0.1
    const one = gt.slice();
    one[2 * 10] += 0.03;
    one[2 * 10 + 1] += 0.04; // error 0.05 on one of 106 points
    expect(nmePerImage(one, gt)[0]).toBeCloseTo(0.05 / (106 * 0.4), 7);
    // inter-pupil distance is 0.3
    expect(nmePerImage(shifted, gt, 'inter-pupil')[0]).toBeCloseTo(0.04 / 0.3, 6);
    // two images: mean of 0.1 and 0
    const pred = new Float32Array([...shifted, ...gt]);
    const both = new Float32Array([...gt, ...gt]);
    expect(Array.from(nmePerImage(pred, both)).map((v) => +v.toFixed(6))).toEqual([0.1, 0]);
    expect(meanNme(pred, both)).toBeCloseTo(0.05, 6);
  });

  test('degenerate normaliser gives NaN, skipped by the mean', () => {
    const gt = new Float32Array(NUM_COORDS).fill(0.5);
    expect(Number.isNaN(nmePerImage(gt, gt)[0])).toBe(true);
    const good = face();
    expect(meanNme(new Float32Array([...gt, ...good]), new Float32Array([...gt, ...good]))).toBe(0);
  });

  test('failure rate counts NME strictly above the threshold', () => {
    expect(failureRate([0.05, 0.1, 0.2, 0.3])).toBe(0.5);
    expect(failureRate([0.05, NaN, 0.2])).toBe(0.5);
    expect(failureRate([0.01, 0.2], 0.25)).toBe(0);
  });

  test('CED curve and AUC', () => {
    const c = cedCurve([0.02, 0.06], 0.1, 10);
    expect(Array.from(c.x).map((v) => +v.toFixed(4))).toEqual([
      0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1,
    ]);
    expect(Array.from(c.y)).toEqual([0, 0, 0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1, 1]);
    expect(cedAuc([0, 0, 0])).toBeCloseTo(1, 3);
    expect(cedAuc([0.05, 0.05])).toBeCloseTo(0.5, 2);
    expect(cedAuc([0.02, 0.06])).toBeCloseTo((0.5 * 0.04 + 1 * 0.04) / 0.1, 2); // 0.6
    expect(cedAuc([0.2, 0.3])).toBe(0);
    const s = landmarkScores(face(), face());
    expect(s).toEqual({ nme: 0, failureRate: 0, auc: expect.closeTo(1, 3) });
  });

  test('L2 loss: per-face sum of squares, mean over the batch; wing loss is smaller on large errors', () => {
    const pred = tf.zeros([2, NUM_COORDS]);
    const target = tf.concat([tf.ones([1, NUM_COORDS]), tf.fill([1, NUM_COORDS], 0.5)]);
    const loss = landmarkLoss(pred, target);
    expect(loss.shape).toEqual([]);
    expect(loss.arraySync()).toBeCloseTo((212 * 1 + 212 * 0.25) / 2, 4);
    const wing = wingLoss(pred, target);
    // |x| >= w = 0.1 everywhere: per coordinate |x| - C, C = w - w ln(1 + w / eps)
    const C = 0.1 - 0.1 * Math.log(1 + 0.1 / 0.02);
    expect(wing.arraySync()).toBeCloseTo((212 * (1 - C) + 212 * (0.5 - C)) / 2, 3);
    const small = wingLoss(tf.zeros([1, 2]), tf.tensor2d([[0.01, 0]]));
    expect(small.arraySync()).toBeCloseTo(0.1 * Math.log(1 + 0.01 / 0.02), 5);
    tf.dispose([pred, target, loss, wing, small]);
  });
});
