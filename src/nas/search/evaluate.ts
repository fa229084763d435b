/**
 * Evaluation of a search network's current argmax architecture on the 'val' split, inside the supernet
 * (shared weights, BatchNorm in inference mode): mean task loss, and accuracy or landmark NME.
 */
import * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../data/source.ts';
import { meanNme } from '../data/metrics.ts';
import { NUM_COORDS } from '../data/landmarks106.ts';
import { argmax } from './gumbel.ts';
import { taskLoss } from './loss.ts';
import type { SearchNet } from './search-net.ts';

export interface EvalResult {
  /** Mean task loss over the 'val' split, with every layer at argmax θ and BatchNorm in inference mode. */
  valLoss: number;
  /** Classification only. */
  valAcc?: number;
  /** Landmarks only: inter-ocular NME (fraction) for 106 points, else mean point error / image side. */
  valNme?: number;
}

export async function evaluateArgmax(net: SearchNet, source: BatchSource, bs: number): Promise<EvalResult> {
  const n = source.count('val');
  if (n === 0) return { valLoss: NaN };
  const choices = await net.argmaxChoices();
  const task = net.task;
  const outputs = source.outputs;
  const preds = new Float32Array(n * outputs);
  const targets = new Float32Array(n * outputs);
  let lossSum = 0;
  for (let start = 0; start < n; start += bs) {
    const indices = Array.from({ length: Math.min(bs, n - start) }, (_, i) => start + i);
    const batch = source.batchAt('val', indices);
    const [pred, loss] = tf.tidy(() => {
      const p = net.forwardChoices(batch.x, false, choices);
      return [p, taskLoss(task, p, batch.y)];
    });
    const [p, y, l] = await Promise.all([pred.data(), batch.y.data(), loss.data()]);
    tf.dispose([pred, loss, batch.x, batch.y]);
    preds.set(p, start * outputs);
    targets.set(y, start * outputs);
    lossSum += l[0] * indices.length;
  }
  const valLoss = lossSum / n;
  if (task === 'classification') {
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const o = i * outputs;
      if (argmax(preds.subarray(o, o + outputs)) === argmax(targets.subarray(o, o + outputs))) correct++;
    }
    return { valLoss, valAcc: correct / n };
  }
  return { valLoss, valNme: landmarkNme(preds, targets, outputs) };
}

/**
 * NME of landmark predictions: for the 106-point layout the reference inter-ocular NME (data/metrics.ts);
 * for other layouts the mean point error over the image side (coordinates are in [0, 1]).
 */
function landmarkNme(pred: Float32Array, gt: Float32Array, coords: number): number {
  if (coords === NUM_COORDS) return meanNme(pred, gt, 'inter-ocular', coords);
  let sum = 0;
  for (let i = 0; i < pred.length; i += 2) sum += Math.hypot(pred[i] - gt[i], pred[i + 1] - gt[i + 1]);
  return sum / (pred.length / 2);
}
