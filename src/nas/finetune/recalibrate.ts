/**
 * BatchNorm recalibration of a subnet taken out of a supernet. The supernet's running statistics were
 * collected on the *mixture* Σ m_i·b_i(x) of all candidates, so a single path evaluated with them in
 * inference mode sees the wrong means and variances (validation errors of several hundred percent). The
 * usual fix in one-shot NAS: re-estimate the statistics on training images with the chosen path alone,
 * here by running forward passes in training mode (each pass moves the running stats by BN_MOMENTUM).
 */
import * as tf from '@tensorflow/tfjs';
import type { NasModel } from '../model/model.ts';
import type { BatchSource, Split } from '../data/source.ts';
import { checkInputFits } from './input-fit.ts';

export async function recalibrateBatchNorm(
  model: NasModel,
  source: BatchSource,
  { batches = 20, batchSize = 16, split = 'weights' as Split } = {},
): Promise<void> {
  checkInputFits(model.arch, source);
  const n = source.count(split);
  if (n === 0) return;
  for (let b = 0; b < batches; b++) {
    // a fixed walk over the split (no randomness needed: the order only affects the average slightly)
    const idx = Array.from({ length: Math.min(batchSize, n) }, (_, i) => (b * batchSize + i) % n);
    const batch = source.batchAt(split, idx);
    tf.tidy(() => {
      model.apply(batch.x, true);
    });
    tf.dispose([batch.x, batch.y]);
    if (b % 4 === 3) await new Promise<void>((r) => setTimeout(r, 0)); // keep the worker responsive
  }
}
