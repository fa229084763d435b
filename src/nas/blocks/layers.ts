/**
 * The conv units blocks are assembled from. Each owns its variables and names them under a prefix
 * (naming scheme in module.ts). Forward order of a unit: conv -> BatchNorm (or bias when noBn) -> act.
 */
import * as tf from '@tensorflow/tfjs';
import type { Activation } from '../arch/spec.ts';
import type { Rng } from '../rng.ts';
import type { ParamInfo } from './module.ts';
import { BatchNorm } from './batchnorm.ts';
import { heNormal, makeVariable, normalTensor } from './init.ts';
import { activate, conv2d, depthwiseConv2d } from './ops.ts';

export interface ConvUnitOptions {
  k: number;
  stride?: number; // default 1
  dilation?: number; // default 1
  groups?: number; // default 1
  act: Activation;
  /** No BatchNorm: the conv gets a bias (zeros) instead. */
  noBn?: boolean;
}

/** kxk conv (groups, dilation, stride; kernel [k, k, in/g, out]) -> BN | bias -> act. */
export class ConvUnit {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null;
  readonly bn: BatchNorm | null;
  readonly k: number;
  readonly stride: number;
  readonly dilation: number;
  readonly groups: number;
  readonly act: Activation;

  constructor(
    readonly prefix: string,
    readonly inChannels: number,
    readonly outChannels: number,
    opts: ConvUnitOptions,
    rng: Rng,
  ) {
    this.k = opts.k;
    this.stride = opts.stride ?? 1;
    this.dilation = opts.dilation ?? 1;
    this.groups = opts.groups ?? 1;
    this.act = opts.act;
    const g = this.groups;
    if (inChannels % g !== 0 || outChannels % g !== 0) {
      throw new Error(`${prefix}: channels ${inChannels} -> ${outChannels} not divisible by groups ${g}`);
    }
    const shape = [this.k, this.k, inChannels / g, outChannels];
    this.kernel = makeVariable(heNormal(rng, shape, this.k * this.k * (inChannels / g)));
    this.bias = opts.noBn ? makeVariable(tf.zeros([outChannels])) : null;
    this.bn = opts.noBn ? null : new BatchNorm(prefix, outChannels);
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let y = conv2d(x, this.kernel as tf.Tensor4D, this.stride, this.dilation, this.groups);
      if (this.bias) y = tf.add(y, this.bias);
      // ReLU goes into the batch norm, which fuses it on the cpu backend
      if (this.bn && this.act === 'relu') return this.bn.apply(y, training, true);
      if (this.bn) y = this.bn.apply(y, training);
      return activate(y, this.act);
    });
  }

  params(): ParamInfo[] {
    const out: ParamInfo[] = [{ name: `${this.prefix}/kernel`, variable: this.kernel, trainable: true }];
    if (this.bias) out.push({ name: `${this.prefix}/bias`, variable: this.bias, trainable: true });
    if (this.bn) out.push(...this.bn.params());
    return out;
  }
}

export interface DwUnitOptions {
  k: number;
  stride?: number;
  dilation?: number;
  act: Activation;
  /** No BatchNorm: bias instead (dwpool). */
  noBn?: boolean;
  /** Initial kernel value for every tap instead of He-normal (dwpool: 1 / (k * k)). */
  constantInit?: number;
  /** Padding on every side instead of samePad(k, dilation) (IRSpec.dwPad). */
  pad?: number;
}

/** Depthwise kxk conv (kernel [k, k, C, 1]) -> BN | bias -> act. */
export class DwUnit {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null;
  readonly bn: BatchNorm | null;
  readonly k: number;
  readonly stride: number;
  readonly dilation: number;
  readonly pad: number | undefined;
  readonly act: Activation;

  constructor(
    readonly prefix: string,
    readonly channels: number,
    opts: DwUnitOptions,
    rng: Rng,
  ) {
    this.k = opts.k;
    this.pad = opts.pad;
    this.stride = opts.stride ?? 1;
    this.dilation = opts.dilation ?? 1;
    this.act = opts.act;
    const shape = [this.k, this.k, channels, 1];
    const init =
      opts.constantInit !== undefined
        ? tf.fill(shape, opts.constantInit)
        : heNormal(rng, shape, this.k * this.k);
    this.kernel = makeVariable(init);
    this.bias = opts.noBn ? makeVariable(tf.zeros([channels])) : null;
    this.bn = opts.noBn ? null : new BatchNorm(prefix, channels);
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let y = depthwiseConv2d(x, this.kernel as tf.Tensor4D, this.stride, this.dilation, this.pad);
      if (this.bias) y = tf.add(y, this.bias);
      // ReLU goes into the batch norm, which fuses it on the cpu backend
      if (this.bn && this.act === 'relu') return this.bn.apply(y, training, true);
      if (this.bn) y = this.bn.apply(y, training);
      return activate(y, this.act);
    });
  }

  params(): ParamInfo[] {
    const out: ParamInfo[] = [
      { name: `${this.prefix}/depthwise_kernel`, variable: this.kernel, trainable: true },
    ];
    if (this.bias) out.push({ name: `${this.prefix}/bias`, variable: this.bias, trainable: true });
    if (this.bn) out.push(...this.bn.params());
    return out;
  }
}

/** Fully connected layer: y = x @ kernel + bias, kernel [in, out], weights N(0, std^2), bias constant. */
export class Dense {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    readonly prefix: string,
    readonly inFeatures: number,
    readonly outFeatures: number,
    rng: Rng,
    opts: { std: number; biasInit: number },
  ) {
    this.kernel = makeVariable(normalTensor(rng, [inFeatures, outFeatures], opts.std));
    this.bias = makeVariable(tf.fill([outFeatures], opts.biasInit));
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.matMul(x, this.kernel as tf.Tensor2D), this.bias));
  }

  params(): ParamInfo[] {
    return [
      { name: `${this.prefix}/kernel`, variable: this.kernel, trainable: true },
      { name: `${this.prefix}/bias`, variable: this.bias, trainable: true },
    ];
  }
}
