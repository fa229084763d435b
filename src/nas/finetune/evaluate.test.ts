import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, type NasModel } from '../model/model.ts';
import { archFromChoices } from '../spaces/derive.ts';
import { CLASSROOM } from '../spaces/classroom.ts';
import { failureRate, meanNme, nmePerImage } from '../data/metrics.ts';
import { INTER_OCULAR } from '../data/landmarks106.ts';
import type { LandmarkSource } from '../data/landmark-source.ts';
import { evaluateModel, worstFirst } from './evaluate.ts';
import { measureLatency } from './latency.ts';
import { modelSizeBytes } from './model-size.ts';
import { randomizeParams, tinyFaces } from './testing.ts';

let faces: LandmarkSource;
let model: NasModel;
beforeAll(async () => {
  await tf.setBackend('cpu');
  faces = tinyFaces(14, 16, 5); // 5 val faces
  model = createModel(
    archFromChoices({ ...CLASSROOM, input: { size: 16, channels: 3 } }, [1, 0, 2, 0, 1], 't'),
    {
      seed: 4,
    },
  );
  randomizeParams(model.params(), 2);
});
afterAll(() => model.dispose());

/** The same model on the whole val split in one batch: the reference predictions. */
function reference(): { pred: Float32Array; gt: Float32Array } {
  const n = faces.count('val');
  const batch = faces.batchAt('val', [...Array(n).keys()]);
  const p = model.predict(batch.x);
  const out = { pred: new Float32Array(p.dataSync()), gt: new Float32Array(batch.y.dataSync()) };
  tf.dispose([p, batch.x, batch.y]);
  return out;
}

describe('evaluateModel', () => {
  it('NME matches a reference computation by metrics.ts on the same predictions', async () => {
    const before = tf.memory().numTensors;
    const r = await evaluateModel(model, faces, { batchSize: 2 }); // 3 batches: 2 + 2 + 1
    expect(tf.memory().numTensors).toBe(before);
    const { pred, gt } = reference();
    expect(r.count).toBe(5);
    expect(r.normaliser).toBe('inter-ocular');
    expect(r.nme).toBeGreaterThan(0);
    expect(Math.abs(r.nme - meanNme(pred, gt, 'inter-ocular'))).toBeLessThan(1e-6);
    const per = nmePerImage(pred, gt);
    r.perImage.forEach((v, i) => expect(v).toBeCloseTo(per[i], 6));
    expect(r.failureRate).toBe(failureRate(per, 0.1));
    for (let i = 0; i < pred.length; i++) expect(r.predictions[i]).toBeCloseTo(pred[i], 6);
    expect(Array.from(r.targets)).toEqual(Array.from(gt));
    // CED: non-decreasing, and its last point is the share of images at or under the failure threshold
    r.ced.y.slice(1).forEach((y, i) => expect(y).toBeGreaterThanOrEqual(r.ced.y[i]));
    expect(r.ced.y.at(-1)).toBeCloseTo(1 - r.failureRate, 12);
  });

  it('scores a constant prediction as computed by hand', async () => {
    // a "model" predicting the image centre for every point
    const centre: NasModel = {
      ...model,
      predict: (x) => tf.fill([x.shape[0], 212], 0.5) as tf.Tensor2D,
    };
    const r = await evaluateModel(centre, faces, { batchSize: 4 });
    const { gt } = reference();
    const [a, b] = INTER_OCULAR;
    r.perImage.forEach((v, n) => {
      const o = n * 212;
      const d = Math.hypot(gt[o + 2 * a] - gt[o + 2 * b], gt[o + 2 * a + 1] - gt[o + 2 * b + 1]);
      let sum = 0;
      for (let i = 0; i < 106; i++) sum += Math.hypot(gt[o + 2 * i] - 0.5, gt[o + 2 * i + 1] - 0.5);
      expect(v).toBeCloseTo(sum / 106 / d, 6);
    });
  });

  it('orders images worst first', () => {
    expect(worstFirst([0.05, NaN, 0.2, 0.05, 0.1])).toEqual([2, 4, 0, 3, 1]);
  });
});

describe('measureLatency and size', () => {
  it('reports the median of the timed runs, after untimed warm-up runs', async () => {
    const ticks = [0, 5, 10, 12, 20, 29]; // three timed runs: 5, 2, 9 ms
    let k = 0;
    const before = tf.memory().numTensors;
    const r = await measureLatency(model, 16, 3, { warmup: 2, now: () => ticks[k++] });
    expect(r.samples).toEqual([5, 2, 9]);
    expect(r.medianMs).toBe(5);
    expect(k).toBe(6);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('counts 4 bytes per parameter', () => {
    expect(modelSizeBytes(model)).toBe(4 * model.paramCount());
  });
});
