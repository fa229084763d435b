/** The validation faces the landmark viewer shows, worst first, with their stored images. */
import * as tf from '@tensorflow/tfjs';
import { LandmarkSource } from '../data/landmark-source.ts';
import type { BatchSource } from '../data/source.ts';
import { worstFirst, type LandmarkEvaluation } from '../finetune/evaluate.ts';
import type { ViewerSample } from './types.ts';

/** Faces the viewer receives at most. */
export const WORST_LIMIT = 24;

/**
 * One validation face: the stored RGB image for a landmark source, else the network input itself at the
 * input size (mapped from [0, 1] to bytes).
 */
export async function viewerSample(
  source: BatchSource,
  position: number,
  nme: number,
  predictions: Float32Array,
  targets: Float32Array,
): Promise<ViewerSample> {
  const k = source.outputs;
  // slice, not subarray: a view would structured-clone its whole buffer
  const pred = predictions.slice(position * k, (position + 1) * k);
  const gt = targets.slice(position * k, (position + 1) * k);
  if (source instanceof LandmarkSource) {
    const image = source.sample('val', position).image.slice();
    return { position, nme, size: Math.round(Math.sqrt(image.length / 3)), image, gt, pred };
  }
  const batch = source.batchAt('val', [position]);
  const data = await batch.x.data();
  tf.dispose([batch.x, batch.y]);
  const image = Uint8Array.from(data, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
  return { position, nme, size: source.inputSize, image, gt, pred };
}

/** The `limit` worst-scored faces of an evaluation on `source`'s 'val' split, worst first. */
export async function worstSamples(
  source: BatchSource,
  r: LandmarkEvaluation,
  limit = WORST_LIMIT,
): Promise<ViewerSample[]> {
  const out: ViewerSample[] = [];
  for (const pos of worstFirst(r.perImage).slice(0, limit)) {
    out.push(await viewerSample(source, pos, r.perImage[pos], r.predictions, r.targets));
  }
  return out;
}
