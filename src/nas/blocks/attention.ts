/**
 * Channel attention applied after a block's depthwise conv.
 *   SE  (MobileNetV3 style): s = GAP(x) [N,1,1,C] -> 1x1 conv C->R (+bias) -> ReLU -> 1x1 conv R->C (+bias)
 *       -> hard-sigmoid -> x * s, with R = seChannels(C) = makeDivisible(C / 4, 8) (>= 8). An inverted
 *       residual may set R and the activation (IRSpec.seReduce / seAct: FBNetV3's SE, see irSeChannels).
 *   eSE (CenterMask): s = GAP(x) -> 1x1 conv C->C (+bias) -> hard-sigmoid -> x * s.
 * hard-sigmoid(x) = relu6(x + 3) / 6 for both; the 1x1 convs are plain ConvUnits with noBn.
 */
import * as tf from '@tensorflow/tfjs';
import type { Activation, Attention } from '../arch/spec.ts';
import type { Rng } from '../rng.ts';
import type { ParamInfo } from './module.ts';
import { ConvUnit } from './layers.ts';
import { globalAvgPool, hardSigmoid } from './ops.ts';
import { seChannels } from './shapes.ts';

/** SE bottleneck width and activation, when a block sets them (default seChannels(C) and ReLU). */
export interface SeOptions {
  width: number;
  act: Activation;
}

export interface AttentionUnit {
  apply(x: tf.Tensor4D): tf.Tensor4D;
  params(): ParamInfo[];
}

export class SqueezeExcite implements AttentionUnit {
  readonly reduce: ConvUnit;
  readonly expand: ConvUnit;

  constructor(prefix: string, channels: number, rng: Rng, se?: SeOptions) {
    const r = se?.width ?? seChannels(channels);
    const act = se?.act ?? 'relu';
    this.reduce = new ConvUnit(`${prefix}/reduce`, channels, r, { k: 1, act, noBn: true }, rng);
    this.expand = new ConvUnit(`${prefix}/expand`, r, channels, { k: 1, act: 'none', noBn: true }, rng);
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const s = this.expand.apply(this.reduce.apply(globalAvgPool(x), false), false);
      return tf.mul(x, hardSigmoid(s));
    });
  }

  params(): ParamInfo[] {
    return [...this.reduce.params(), ...this.expand.params()];
  }
}

export class EffectiveSE implements AttentionUnit {
  readonly fc: ConvUnit;

  constructor(prefix: string, channels: number, rng: Rng) {
    this.fc = new ConvUnit(`${prefix}/fc`, channels, channels, { k: 1, act: 'none', noBn: true }, rng);
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.mul(x, hardSigmoid(this.fc.apply(globalAvgPool(x), false))));
  }

  params(): ParamInfo[] {
    return this.fc.params();
  }
}

/** `${block}/se` or `${block}/ese`; null for 'none'. */
export function buildAttention(
  kind: Attention,
  block: string,
  channels: number,
  rng: Rng,
  se?: SeOptions,
): AttentionUnit | null {
  if (kind === 'se') return new SqueezeExcite(`${block}/se`, channels, rng, se);
  if (kind === 'ese') return new EffectiveSE(`${block}/ese`, channels, rng);
  return null;
}
