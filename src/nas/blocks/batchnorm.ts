/**
 * BatchNorm over the channel axis of NHWC tensors, with PyTorch semantics (see BN_MOMENTUM):
 * training -> normalise with the biased batch statistics and fold them into the running statistics
 * (variable.assign: works inside tf.tidy and optimizer.minimize, and disposes what it replaces);
 * inference -> normalise with the running statistics. y = (x - mean) / sqrt(var + eps) * gamma + beta.
 */
import * as tf from '@tensorflow/tfjs';
import { BN_EPSILON, BN_MOMENTUM, type ParamInfo } from './module.ts';
import { makeVariable } from './init.ts';

export class BatchNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly mean: tf.Variable;
  readonly variance: tf.Variable;

  constructor(
    readonly prefix: string,
    readonly channels: number,
  ) {
    this.gamma = makeVariable(tf.ones([channels]));
    this.beta = makeVariable(tf.zeros([channels]));
    this.mean = makeVariable(tf.zeros([channels]), false);
    this.variance = makeVariable(tf.ones([channels]), false);
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const g = this.gamma as tf.Tensor1D;
    const b = this.beta as tf.Tensor1D;
    if (!training)
      return tf.batchNorm(x, this.mean as tf.Tensor1D, this.variance as tf.Tensor1D, b, g, BN_EPSILON);
    return tf.tidy(() => {
      // Statistics stay rank 1 ([C]) throughout: tfjs's cpu kernels broadcast [C] onto NHWC on a fast path
      // but walk every element through index arithmetic for [1, 1, 1, C], which tf.moments (keepDims) and
      // tf.batchNorm's gradient use; that was a fifth of a classroom training step.
      const mean = tf.mean(x, [0, 1, 2]);
      const centered = tf.sub(x, mean);
      const variance = tf.mean(tf.square(centered), [0, 1, 2]);
      const n = x.size / this.channels;
      const unbiased = n > 1 ? n / (n - 1) : 1;
      const m = BN_MOMENTUM;
      const newMean = tf.tidy(() => tf.add(tf.mul(this.mean, 1 - m), tf.mul(mean, m)));
      const newVar = tf.tidy(() => tf.add(tf.mul(this.variance, 1 - m), tf.mul(variance, m * unbiased)));
      this.mean.assign(newMean);
      this.variance.assign(newVar);
      newMean.dispose();
      newVar.dispose();
      return tf.add(tf.mul(centered, tf.mul(g, tf.rsqrt(tf.add(variance, BN_EPSILON)))), b);
    });
  }

  params(): ParamInfo[] {
    const p = `${this.prefix}/bn`;
    return [
      { name: `${p}/gamma`, variable: this.gamma, trainable: true },
      { name: `${p}/beta`, variable: this.beta, trainable: true },
      { name: `${p}/mean`, variable: this.mean, trainable: false },
      { name: `${p}/variance`, variable: this.variance, trainable: false },
    ];
  }
}
