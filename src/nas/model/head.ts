/**
 * Output heads (HeadSpec), shared by plain models and the supernet.
 *   classifier: [conv 1x1 -> BN -> act to `features`] -> GAP -> FC to `classes` (logits).
 *   landmarks:  [conv 1x1 -> BN -> act to `features`] -> pool over a `grid`×`grid` grid (GAP when 1, the
 *               default; channel-major flatten, model/grid-pool.ts), and PFLD multi-scale fusion: the body
 *               outputs at `taps` are each GAP-ed; FC input = concat([GAP(tap_0), ..., GAP(tap_n),
 *               gridPool(final)]) (taps in the given order, then the final features) -> FC to 2 * points.
 * act defaults to 'relu'. FC weights N(0, 0.01^2); FC bias 0 for logits and 0.5 for landmarks (the middle
 * of the [0, 1] coordinate range, so an untrained model predicts the image centre).
 * Params: `${name}/conv/kernel`, `${name}/conv/bn/*` (when features is set), `${name}/fc/kernel` [in, out],
 * `${name}/fc/bias`.
 */
import * as tf from '@tensorflow/tfjs';
import { headGrid, type HeadSpec } from '../arch/spec.ts';
import { Rng } from '../rng.ts';
import type { ParamInfo } from '../blocks/module.ts';
import { ConvUnit, Dense } from '../blocks/layers.ts';
import { gridPool } from './grid-pool.ts';

export interface Head {
  readonly name: string;
  readonly spec: HeadSpec;
  readonly inChannels: number;
  readonly tapChannels: number[];
  /** FC input width: sum(tapChannels) + (features ?? inChannels) · grid². */
  readonly fcInFeatures: number;
  /** classes, or 2 * points. */
  readonly outFeatures: number;
  /** final: the last body output; taps: the body outputs at spec.taps, in that order. */
  apply(final: tf.Tensor4D, taps: tf.Tensor4D[], training: boolean): tf.Tensor2D;
  params(): ParamInfo[];
}

export const FC_INIT_STD = 0.01;
export const LANDMARK_BIAS_INIT = 0.5;

export function headOutputs(head: HeadSpec): number {
  return head.kind === 'classifier' ? head.classes : 2 * head.points;
}

export function buildHead(
  head: HeadSpec,
  finalChannels: number,
  tapChannels: number[],
  name: string,
  rng: Rng,
): Head {
  const r = new Rng(rng.seed());
  const expectedTaps = head.kind === 'landmarks' ? (head.taps?.length ?? 0) : 0;
  if (tapChannels.length !== expectedTaps) {
    throw new Error(
      `${name}: head expects ${expectedTaps} tap(s), got channel counts for ${tapChannels.length}`,
    );
  }
  const conv =
    head.features !== undefined
      ? new ConvUnit(`${name}/conv`, finalChannels, head.features, { k: 1, act: head.act ?? 'relu' }, r)
      : null;
  const grid = headGrid(head);
  const fcIn = tapChannels.reduce((a, b) => a + b, 0) + (head.features ?? finalChannels) * grid * grid;
  const outputs = headOutputs(head);
  const fc = new Dense(`${name}/fc`, fcIn, outputs, r, {
    std: FC_INIT_STD,
    biasInit: head.kind === 'landmarks' ? LANDMARK_BIAS_INIT : 0,
  });
  const pool = (t: tf.Tensor4D): tf.Tensor2D => tf.mean(t, [1, 2]);
  return {
    name,
    spec: head,
    inChannels: finalChannels,
    tapChannels: [...tapChannels],
    fcInFeatures: fcIn,
    outFeatures: outputs,
    apply(final, taps, training) {
      if (taps.length !== tapChannels.length) throw new Error(`${name}: expected ${tapChannels.length} taps`);
      return tf.tidy(() => {
        const f = conv ? conv.apply(final, training) : final;
        const pooled = [...taps.map(pool), gridPool(f, grid)];
        return fc.apply(pooled.length === 1 ? pooled[0] : tf.concat(pooled, 1));
      });
    },
    params() {
      return [...(conv ? conv.params() : []), ...fc.params()];
    },
  };
}
