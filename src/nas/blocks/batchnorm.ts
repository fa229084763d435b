/**
 * BatchNorm over the channel axis of NHWC tensors, with PyTorch semantics (see BN_MOMENTUM):
 * training -> normalise with the biased batch statistics and fold them into the running statistics
 * (variable.assign: works inside tf.tidy and optimizer.minimize, and disposes what it replaces);
 * inference -> normalise with the running statistics. y = (x - mean) / sqrt(var + eps) * gamma + beta.
 */
import * as tf from '@tensorflow/tfjs';
import { BN_EPSILON, BN_MOMENTUM, type ParamInfo } from './module.ts';
import { makeVariable } from './init.ts';
import { BN_TRAIN_GRAD_KERNEL, BN_TRAIN_KERNEL } from '../kernels/batchnorm.ts';

/** Running statistics a training pass folds its batch statistics into. */
interface RunningStats {
  readonly mean: tf.Variable;
  readonly variance: tf.Variable;
}

/**
 * Training-mode normalisation as one differentiable unit with a hand-written gradient (tf.customGrad):
 * with x̂ = (x − μ)·r, r = 1/√(σ² + ε), over the M = N·H·W values of a channel,
 *   ∂L/∂β = Σ dy,  ∂L/∂γ = Σ dy·x̂,  ∂L/∂x = γ·r · (dy − ∂L/∂β / M − x̂ · ∂L/∂γ / M)
 * (Ioffe & Szegedy 2015, section 3). Autodiff of the same forward took about twice the ops, each a full
 * pass over the activations, through mean's and sum's broadcasting gradients. The forward is the ops it
 * always was, so its values are unchanged; the running statistics are updated here too.
 */
const normalizeTrainingFn = (stats: RunningStats) =>
  tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, gamma, beta] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const channels = x.shape[3]!;
    // Statistics stay rank 1 ([C]) throughout: tfjs's cpu kernels broadcast [C] onto NHWC on a fast path
    // but walk every element through index arithmetic for [1, 1, 1, C], which tf.moments (keepDims) uses.
    const mean = tf.mean(x, [0, 1, 2]);
    const centered = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centered), [0, 1, 2]);
    const n = x.size / channels;
    updateRunning(stats, mean, variance, n);
    const r = tf.rsqrt(tf.add(variance, BN_EPSILON));
    save([centered, r, gamma]);
    return {
      value: tf.add(tf.mul(centered, tf.mul(gamma, r)), beta),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [c, rs, g] = saved;
        const xhat = tf.mul(c, rs);
        const dBeta = tf.sum(dy, [0, 1, 2]);
        const dGamma = tf.sum(tf.mul(dy, xhat), [0, 1, 2]);
        const dx = tf.mul(
          tf.sub(tf.sub(dy, tf.div(dBeta, n)), tf.mul(xhat, tf.div(dGamma, n))),
          tf.mul(g, rs),
        );
        return [dx, dGamma, dBeta];
      },
    };
  });

/** Folds a batch's statistics into the running ones (PyTorch: unbiased variance, momentum BN_MOMENTUM). */
function updateRunning(stats: RunningStats, mean: tf.Tensor, variance: tf.Tensor, n: number): void {
  const unbiased = n > 1 ? n / (n - 1) : 1;
  const m = BN_MOMENTUM;
  const newMean = tf.tidy(() => tf.add(tf.mul(stats.mean, 1 - m), tf.mul(mean, m)));
  const newVar = tf.tidy(() => tf.add(tf.mul(stats.variance, 1 - m), tf.mul(variance, m * unbiased)));
  stats.mean.assign(newMean);
  stats.variance.assign(newVar);
  newMean.dispose();
  newVar.dispose();
}

/**
 * The same normalisation (and an optional ReLU) as two kernels of src/nas/kernels/batchnorm.ts, forward and
 * backward, each a few passes over the activations: used on the cpu backend when those are registered.
 */
const fusedTrainingFn = (stats: RunningStats, relu: boolean) =>
  tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, gamma, beta] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const [y, mean, variance, invStd] = tf
      .engine()
      .runKernel(BN_TRAIN_KERNEL, { x, gamma, beta }, { epsilon: BN_EPSILON, relu }) as tf.Tensor[];
    updateRunning(stats, mean, variance, x.size / x.shape[3]!);
    save([x, y, mean, invStd, gamma]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sy, sm, sr, sg] = saved;
        return tf
          .engine()
          .runKernel(
            BN_TRAIN_GRAD_KERNEL,
            { dy, x: sx, y: sy, mean: sm, invStd: sr, gamma: sg },
            { relu },
          ) as tf.Tensor[];
      },
    };
  });

const fusedAvailable = () => tf.getBackend() === 'cpu' && tf.getKernel(BN_TRAIN_KERNEL, 'cpu') !== undefined;

/**
 * The same forward left to autodiff. GPU backends take this path: on WebGPU (SwiftShader) a classroom subnet
 * step ran 2.3x slower with the hand-written gradient above (3.8 s vs 1.6 s median, 32 px, batch 8,
 * `BENCH_BROWSER_BACKENDS=webgpu npm run bench:browser`), its first step 2x slower; the launch count it saves
 * matters on the cpu backend, not where each op is one shader dispatch.
 */
function normalizeAutodiff(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, stats: RunningStats) {
  const mean = tf.mean(x, [0, 1, 2]);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), [0, 1, 2]);
  updateRunning(stats, mean, variance, x.size / x.shape[3]!);
  return tf.add(tf.mul(centered, tf.mul(gamma, tf.rsqrt(tf.add(variance, BN_EPSILON)))), beta) as tf.Tensor4D;
}

function normalizeTraining(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  stats: RunningStats,
  relu: boolean,
): tf.Tensor4D {
  if (fusedAvailable()) return fusedTrainingFn(stats, relu)(x, gamma, beta) as tf.Tensor4D;
  const y =
    tf.getBackend() === 'cpu'
      ? (normalizeTrainingFn(stats)(x, gamma, beta) as tf.Tensor4D)
      : normalizeAutodiff(x, gamma, beta, stats);
  return relu ? tf.relu(y) : y;
}

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

  /** With `relu`, ReLU follows (in training on the cpu backend, inside the same two kernels). */
  apply(x: tf.Tensor4D, training: boolean, relu = false): tf.Tensor4D {
    const g = this.gamma as tf.Tensor1D;
    const b = this.beta as tf.Tensor1D;
    if (!training)
      return tf.tidy(() => {
        const y = tf.batchNorm(x, this.mean as tf.Tensor1D, this.variance as tf.Tensor1D, b, g, BN_EPSILON);
        return relu ? tf.relu(y) : y;
      });
    return tf.tidy(() => normalizeTraining(x, g, b, this, relu));
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
