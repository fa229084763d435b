/**
 * Accuracy of a plain landmark model on a held-out split, with the reference metrics of data/metrics.ts:
 * per-image NME normalised by the inter-ocular distance (106-point layout), its mean, the failure rate
 * (NME > 0.10) and the cumulative error distribution (CED) with its area. For other point layouts, which
 * have no eye corners to normalise by, the NME is the mean point error over the image side.
 * Inference mode (BatchNorm running statistics); predictions are read with `await data()`.
 */
import * as tf from '@tensorflow/tfjs';
import type { BatchSource, Split } from '../data/source.ts';
import { NUM_COORDS } from '../data/landmarks106.ts';
import { cedAuc, cedCurve, failureRate, landmarkLoss, nmePerImage } from '../data/metrics.ts';
import type { NasModel } from '../model/model.ts';
import { checkInputFits } from './input-fit.ts';

export interface EvaluateOptions {
  /** Default 'val'. */
  split?: Split;
  /** Default 16. */
  batchSize?: number;
  /** NME above this counts as a failure; default 0.10 as in the PFLD evaluation. */
  failureThreshold?: number;
  /** Grid intervals of the returned CED curve; default 100. */
  cedSteps?: number;
  /** Right end of the returned CED curve; default the failure threshold (the AUC always uses the threshold). */
  cedMax?: number;
}

export interface LandmarkEvaluation {
  /** Mean NME over the images that can be scored (fraction, not %). */
  nme: number;
  /** NME of every image of the split, in split order (NaN where the normalising distance is 0). */
  perImage: number[];
  failureRate: number;
  /** CED curve: fraction of images with NME ≤ x. */
  ced: { x: number[]; y: number[] };
  /** Area under the CED curve up to the failure threshold, divided by it. */
  auc: number;
  normaliser: 'inter-ocular' | 'image-side';
  /** Mean landmark L2 loss (the training loss) over the split. */
  loss: number;
  count: number;
  /** Flat predictions and ground truth, `count` rows of `source.outputs` values. */
  predictions: Float32Array;
  targets: Float32Array;
}

/** Mean point distance per image, in units of the image side (coordinates are in [0, 1]). */
function imageSideNme(pred: Float32Array, gt: Float32Array, coords: number): Float32Array {
  const count = gt.length / coords;
  const out = new Float32Array(count);
  for (let n = 0; n < count; n++) {
    let sum = 0;
    for (let i = n * coords; i < (n + 1) * coords; i += 2)
      sum += Math.hypot(pred[i] - gt[i], pred[i + 1] - gt[i + 1]);
    out[n] = sum / (coords / 2);
  }
  return out;
}

export async function evaluateModel(
  model: NasModel,
  source: BatchSource,
  options: EvaluateOptions = {},
): Promise<LandmarkEvaluation> {
  if (source.task !== 'landmarks') throw new Error('evaluateModel scores landmark models only');
  checkInputFits(model.arch, source);
  const split = options.split ?? 'val';
  const bs = Math.max(1, options.batchSize ?? 16);
  const threshold = options.failureThreshold ?? 0.1;
  const n = source.count(split);
  const coords = source.outputs;
  const predictions = new Float32Array(n * coords);
  const targets = new Float32Array(n * coords);
  let lossSum = 0;
  for (let start = 0; start < n; start += bs) {
    const indices = Array.from({ length: Math.min(bs, n - start) }, (_, i) => start + i);
    const batch = source.batchAt(split, indices);
    const [pred, loss] = tf.tidy(() => {
      const p = model.predict(batch.x);
      return [p, landmarkLoss(p, batch.y)];
    });
    const [p, y, l] = await Promise.all([pred.data(), batch.y.data(), loss.data()]);
    tf.dispose([pred, loss, batch.x, batch.y]);
    predictions.set(p, start * coords);
    targets.set(y, start * coords);
    lossSum += l[0] * indices.length;
  }
  const interOcular = coords === NUM_COORDS;
  const per = interOcular
    ? nmePerImage(predictions, targets, 'inter-ocular', coords)
    : imageSideNme(predictions, targets, coords);
  const scored = Array.from(per).filter((v) => !Number.isNaN(v));
  const curve = cedCurve(per, options.cedMax ?? threshold, options.cedSteps ?? 100);
  return {
    nme: scored.length ? scored.reduce((a, b) => a + b, 0) / scored.length : NaN,
    perImage: Array.from(per),
    failureRate: failureRate(per, threshold),
    ced: { x: Array.from(curve.x), y: Array.from(curve.y) },
    auc: cedAuc(per, threshold),
    normaliser: interOcular ? 'inter-ocular' : 'image-side',
    loss: n ? lossSum / n : NaN,
    count: n,
    predictions,
    targets,
  };
}

/** Indices of `perImage` from the worst NME to the best (unscorable NaN images last). */
export function worstFirst(perImage: number[]): number[] {
  return perImage
    .map((v, i) => [Number.isNaN(v) ? -Infinity : v, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .map(([, i]) => i);
}
