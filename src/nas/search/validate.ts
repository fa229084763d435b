/**
 * Validation of a search network's current argmax architecture on the 'val' split, scored with the
 * 106-point benchmark's NME (inter-ocular), next to the trivial baseline of always predicting the mean
 * training shape.
 */
import * as tf from '@tensorflow/tfjs';
import type { BatchSource, Split } from '../data/source.ts';
import { meanNme } from '../data/metrics.ts';
import type { SearchNet } from './search-net.ts';

async function labels(source: BatchSource, split: Split, batch: number): Promise<Float32Array> {
  const n = source.count(split);
  const out = new Float32Array(n * source.outputs);
  for (let start = 0; start < n; start += batch) {
    const idx = Array.from({ length: Math.min(batch, n - start) }, (_, i) => start + i);
    const b = source.batchAt(split, idx);
    out.set(await b.y.data(), start * source.outputs);
    tf.dispose([b.x, b.y]);
  }
  return out;
}

/** NME (%) of predicting the mean landmark vector of the training splits for every validation face. */
export async function meanShapeNme(source: BatchSource, batch: number): Promise<number | null> {
  if (source.task !== 'landmarks' || source.count('val') === 0) return null;
  const k = source.outputs;
  const mean = new Float64Array(k);
  let n = 0;
  for (const split of ['weights', 'arch'] as const) {
    const y = await labels(source, split, batch);
    for (let i = 0; i < y.length; i++) mean[i % k] += y[i];
    n += y.length / k;
  }
  const gt = await labels(source, 'val', batch);
  const pred = new Float32Array(gt.length);
  for (let i = 0; i < pred.length; i++) pred[i] = mean[i % k] / n;
  return 100 * meanNme(pred, gt);
}

/**
 * Validation NME (%) of the argmax architecture in inference mode, as the strategy predicts it
 * (SearchNet.argmaxPredictor: V1 copies the path out and recalibrates its BatchNorm statistics).
 */
export async function validateArgmax(
  net: Pick<SearchNet, 'argmaxPredictor'>,
  source: BatchSource,
  batch: number,
): Promise<{ nme: number | null; n: number }> {
  const n = source.count('val');
  if (n === 0 || source.task !== 'landmarks') return { nme: null, n };
  const predictor = await net.argmaxPredictor(source, batch);
  try {
    const pred = new Float32Array(n * source.outputs);
    const gt = new Float32Array(n * source.outputs);
    for (let start = 0; start < n; start += batch) {
      const idx = Array.from({ length: Math.min(batch, n - start) }, (_, i) => start + i);
      const b = source.batchAt('val', idx);
      const y = tf.tidy(() => predictor.predict(b.x));
      pred.set(await y.data(), start * source.outputs);
      gt.set(await b.y.data(), start * source.outputs);
      tf.dispose([y, b.x, b.y]);
    }
    return { nme: 100 * meanNme(pred, gt), n };
  } finally {
    predictor.dispose();
  }
}
