/**
 * Channel thumbnails for FBNetV2's explanation view: the full-width network at argmax θ (every layer at its
 * largest width, weights shared with the supernet) run in inference mode on the first validation image;
 * per searchable layer, each output channel average-pooled to at most 6×6, and its mean |activation|.
 * This is b(x) before masking; the UI multiplies it by the step's mask M.
 */
import * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../data/source.ts';
import { argmax } from '../search/gumbel.ts';
import type { V2FeatureSummary } from '../search/trainer-state.ts';
import { deriveModel } from './derive.ts';
import type { MaskedSupernet } from './masked-supernet.ts';

export async function featureSummary(net: MaskedSupernet, source: BatchSource): Promise<V2FeatureSummary[]> {
  const blocks = await Promise.all(net.layers.map(async (l) => argmax(await l.theta.data())));
  const full = {
    blocks,
    widths: net.layers.map((l) => (l.widthSearch ? l.widthSearch.options.length - 1 : undefined)),
    expansions: net.layers.map((l) => (l.expansionSearch ? l.expansionSearch.options.length - 1 : undefined)),
    resolution: 0,
  };
  const { model } = await deriveModel(net, full, 'features');
  const split = source.count('val') > 0 ? 'val' : 'weights';
  const batch = source.batchAt(split, [0]);
  try {
    const searchIdx = new Set(net.layers.map((l) => l.bodyIndex));
    const outs = tf.tidy(() => {
      const kept: { index: number; thumb: tf.Tensor; mean: tf.Tensor }[] = [];
      let h = batch.x;
      model.blocks.forEach((b, i) => {
        h = b.apply(h, false);
        if (!searchIdx.has(i)) return;
        const side = Math.min(6, h.shape[1]);
        const small = tf.image.resizeBilinear(h, [side, side]);
        // [C, side*side]
        const thumb = tf.reshape(tf.transpose(small, [0, 3, 1, 2]), [h.shape[3], side * side]);
        kept.push({ index: i, thumb: tf.keep(thumb), mean: tf.keep(tf.mean(tf.abs(h), [0, 1, 2])) });
      });
      return kept;
    });
    const result: V2FeatureSummary[] = [];
    for (const o of outs) {
      const [t, m] = await Promise.all([o.thumb.data(), o.mean.data()]);
      const [c, n] = o.thumb.shape;
      result.push({
        bodyIndex: o.index,
        side: Math.round(Math.sqrt(n)),
        thumbs: Array.from({ length: c }, (_, k) => Array.from(t.subarray(k * n, (k + 1) * n))),
        means: Array.from(m),
      });
      tf.dispose([o.thumb, o.mean]);
    }
    return result;
  } finally {
    tf.dispose([batch.x, batch.y]);
    model.dispose();
  }
}
