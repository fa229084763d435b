/**
 * Training-mode batch normalisation (optionally followed by ReLU) as two cpu kernels, forward and backward,
 * each a few passes over NHWC activations in place of the ~13 element-wise kernels and reductions the
 * composite ops take (blocks/batchnorm.ts uses them on the cpu backend once registered; other backends run
 * the composite). The arithmetic follows the composite op for op, rounding to float32 where a tensor
 * would be stored, so the values match it.
 *
 * Forward  inputs x [N, H, W, C], gamma [C], beta [C]; attrs epsilon, relu
 *          outputs y, batch mean [C], biased batch variance [C], 1/√(variance + ε) [C]
 * Backward inputs dy, x, y, mean, invStd, gamma; attrs relu   outputs dx, dgamma, dbeta
 *          (Ioffe & Szegedy 2015, section 3; ReLU's gradient passes dy where y > 0)
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { floatValues, output, type CpuBackend } from './cpu-data.ts';

export const BN_TRAIN_KERNEL = 'NasBatchNormTrain';
export const BN_TRAIN_GRAD_KERNEL = 'NasBatchNormTrainGrad';

const f32 = Math.fround;

export function bnTrainKernel(
  inputs: { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo },
  backend: CpuBackend,
  attrs: { epsilon: number; relu: boolean },
): TensorInfo[] {
  const x = floatValues(backend, inputs.x)!;
  const gamma = floatValues(backend, inputs.gamma)!;
  const beta = floatValues(backend, inputs.beta)!;
  const C = inputs.x.shape[inputs.x.shape.length - 1];
  const n = x.length / C;
  const inv = 1 / n;
  const sum = new Float64Array(C);
  for (let i = 0; i < x.length; i += C) for (let c = 0; c < C; c++) sum[c] += x[i + c];
  const mean = new Float32Array(C);
  for (let c = 0; c < C; c++) mean[c] = sum[c] * inv;
  sum.fill(0);
  for (let i = 0; i < x.length; i += C)
    for (let c = 0; c < C; c++) {
      const d = f32(x[i + c] - mean[c]);
      sum[c] += f32(d * d);
    }
  const variance = new Float32Array(C);
  const invStd = new Float32Array(C);
  const scale = new Float32Array(C);
  const eps = f32(attrs.epsilon);
  for (let c = 0; c < C; c++) {
    variance[c] = sum[c] * inv;
    invStd[c] = 1 / Math.sqrt(f32(variance[c] + eps));
    scale[c] = gamma[c] * invStd[c];
  }
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i += C)
    for (let c = 0; c < C; c++) {
      const v = f32(f32(f32(x[i + c] - mean[c]) * scale[c]) + beta[c]);
      y[i + c] = attrs.relu && v <= 0 ? 0 : v;
    }
  return [
    output(backend, inputs.x.shape, y),
    output(backend, [C], mean),
    output(backend, [C], variance),
    output(backend, [C], invStd),
  ];
}

export function bnTrainGradKernel(
  inputs: {
    dy: TensorInfo;
    x: TensorInfo;
    y: TensorInfo;
    mean: TensorInfo;
    invStd: TensorInfo;
    gamma: TensorInfo;
  },
  backend: CpuBackend,
  attrs: { relu: boolean },
): TensorInfo[] {
  const dy = floatValues(backend, inputs.dy)!;
  const x = floatValues(backend, inputs.x)!;
  const y = floatValues(backend, inputs.y)!;
  const mean = floatValues(backend, inputs.mean)!;
  const invStd = floatValues(backend, inputs.invStd)!;
  const gamma = floatValues(backend, inputs.gamma)!;
  const C = mean.length;
  const n = x.length / C;
  const relu = attrs.relu;
  // ReLU's gradient dy · step(y) is applied where dy is read (NaN stays NaN, as tfjs's Step keeps it)
  const grad = (i: number) => {
    if (!relu) return dy[i];
    const v = y[i];
    return v > 0 ? dy[i] : v !== v ? NaN : 0;
  };
  const sumDy = new Float64Array(C);
  const sumDyXhat = new Float64Array(C);
  for (let i = 0; i < x.length; i += C)
    for (let c = 0; c < C; c++) {
      const xhat = f32(f32(x[i + c] - mean[c]) * invStd[c]);
      const g = grad(i + c);
      sumDy[c] += g;
      sumDyXhat[c] += f32(g * xhat);
    }
  const dGamma = new Float32Array(C);
  const dBeta = new Float32Array(C);
  const dBetaN = new Float32Array(C);
  const dGammaN = new Float32Array(C);
  const gr = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    dBeta[c] = sumDy[c];
    dGamma[c] = sumDyXhat[c];
    dBetaN[c] = dBeta[c] / n;
    dGammaN[c] = dGamma[c] / n;
    gr[c] = gamma[c] * invStd[c];
  }
  const dx = new Float32Array(x.length);
  for (let i = 0; i < x.length; i += C)
    for (let c = 0; c < C; c++) {
      const xhat = f32(f32(x[i + c] - mean[c]) * invStd[c]);
      dx[i + c] = f32(f32(grad(i + c) - dBetaN[c]) - f32(xhat * dGammaN[c])) * gr[c];
    }
  return [output(backend, inputs.x.shape, dx), output(backend, [C], dGamma), output(backend, [C], dBeta)];
}
