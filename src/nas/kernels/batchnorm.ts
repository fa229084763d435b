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
import { heap, simd } from './wasm-simd.ts';

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
  const inv = 1 / (x.length / C);
  const wasm = C % 4 === 0 ? simdForward(x, C) : null;
  const sum = new Float64Array(C);
  if (wasm) wasm.sums(sum);
  else channelSums(x, C, sum);
  const mean = new Float32Array(C);
  for (let c = 0; c < C; c++) mean[c] = sum[c] * inv;
  if (wasm) wasm.squareSums(mean, sum);
  else centeredSquareSums(x, mean, C, sum);
  const variance = new Float32Array(C);
  const invStd = new Float32Array(C);
  const scale = new Float32Array(C);
  const eps = f32(attrs.epsilon);
  for (let c = 0; c < C; c++) {
    variance[c] = sum[c] * inv;
    invStd[c] = 1 / Math.sqrt(f32(variance[c] + eps));
    scale[c] = gamma[c] * invStd[c];
  }
  let y: Float32Array;
  if (wasm) y = wasm.normalize(mean, scale, beta, attrs.relu);
  else normalize(x, mean, scale, beta, attrs.relu, C, (y = new Float32Array(x.length)));
  return [
    output(backend, inputs.x.shape, y),
    output(backend, [C], mean),
    output(backend, [C], variance),
    output(backend, [C], invStd),
  ];
}

/*
 * Each pass over the activations is a function of its own: V8 then optimises it as a whole after a few
 * calls. Written inline in one kernel function, every loop was compiled on-stack mid-call and the code
 * thrown away at the next statement without type feedback (--trace-deopt), so the loops ran mostly
 * unoptimised: 10-50x slower per element.
 */

function channelSums(x: Float32Array, C: number, sum: Float64Array): void {
  sum.fill(0);
  for (let i = 0; i < x.length; i += C) for (let c = 0; c < C; c++) sum[c] += x[i + c];
}

function centeredSquareSums(x: Float32Array, mean: Float32Array, C: number, sum: Float64Array): void {
  sum.fill(0);
  for (let i = 0; i < x.length; i += C)
    for (let c = 0; c < C; c++) {
      const d = f32(x[i + c] - mean[c]);
      sum[c] += f32(d * d);
    }
}

function normalize(
  x: Float32Array,
  mean: Float32Array,
  scale: Float32Array,
  beta: Float32Array,
  relu: boolean,
  C: number,
  y: Float32Array,
): void {
  for (let i = 0; i < x.length; i += C)
    for (let c = 0; c < C; c++) {
      const v = f32(f32(f32(x[i + c] - mean[c]) * scale[c]) + beta[c]);
      y[i + c] = relu && v <= 0 ? 0 : v;
    }
}

/** ReLU's gradient dy · step(y), applied where dy is read (NaN stays NaN, as tfjs's Step keeps it). */
function reluGrad(dy: number, y: number): number {
  return y > 0 ? dy : y !== y ? NaN : 0;
}

function gradSums(
  dy: Float32Array,
  x: Float32Array,
  y: Float32Array,
  mean: Float32Array,
  invStd: Float32Array,
  relu: boolean,
  C: number,
  sumDy: Float64Array,
  sumDyXhat: Float64Array,
): void {
  for (let i = 0; i < x.length; i += C)
    for (let c = 0; c < C; c++) {
      const xhat = f32(f32(x[i + c] - mean[c]) * invStd[c]);
      const g = relu ? reluGrad(dy[i + c], y[i + c]) : dy[i + c];
      sumDy[c] += g;
      sumDyXhat[c] += f32(g * xhat);
    }
}

function inputGrad(
  dy: Float32Array,
  x: Float32Array,
  y: Float32Array,
  mean: Float32Array,
  invStd: Float32Array,
  dBetaN: Float32Array,
  dGammaN: Float32Array,
  gr: Float32Array,
  relu: boolean,
  C: number,
  dx: Float32Array,
): void {
  for (let i = 0; i < x.length; i += C)
    for (let c = 0; c < C; c++) {
      const xhat = f32(f32(x[i + c] - mean[c]) * invStd[c]);
      const g = relu ? reluGrad(dy[i + c], y[i + c]) : dy[i + c];
      dx[i + c] = f32(f32(g - dBetaN[c]) - f32(xhat * dGammaN[c])) * gr[c];
    }
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
  const sumDy = new Float64Array(C);
  const sumDyXhat = new Float64Array(C);
  const wasm = C % 4 === 0 ? simdBackward(dy, x, relu ? y : null, mean, invStd) : null;
  if (wasm) wasm.sums(sumDy, sumDyXhat);
  else gradSums(dy, x, y, mean, invStd, relu, C, sumDy, sumDyXhat);
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
  let dx: Float32Array;
  if (wasm) dx = wasm.inputGrad(dBetaN, dGammaN, gr);
  else inputGrad(dy, x, y, mean, invStd, dBetaN, dGammaN, gr, relu, C, (dx = new Float32Array(x.length)));
  return [output(backend, inputs.x.shape, dx), output(backend, [C], dGamma), output(backend, [C], dBeta)];
}

/*
 * The same passes in WebAssembly SIMD (wasm-simd.ts), four channels at a time, for C a multiple of 4: each
 * lane rounds to float32 where the JS loops call Math.fround, and the float64 sums add in the same order,
 * so the results are the same bits. The operands are copied into the module's memory once per kernel.
 */

function simdForward(x: Float32Array, C: number) {
  const e = simd();
  if (!e) return null;
  const len = x.length;
  const [X, Y, M, S, B, SUM] = [0, len, 2 * len, 2 * len + C, 2 * len + 2 * C, 2 * len + 3 * C];
  const mem = heap(e, SUM + 2 * C);
  mem.set(x, X);
  const sum64 = new Float64Array(mem.buffer, SUM * 4, C);
  const lenB = len * 4;
  const Cb = C * 4;
  return {
    sums(out: Float64Array) {
      sum64.fill(0);
      e.bnSums(X * 4, lenB, Cb, SUM * 4);
      out.set(sum64);
    },
    squareSums(mean: Float32Array, out: Float64Array) {
      mem.set(mean, M);
      sum64.fill(0);
      e.bnSqSums(X * 4, lenB, Cb, M * 4, SUM * 4);
      out.set(sum64);
    },
    normalize(mean: Float32Array, scale: Float32Array, beta: Float32Array, relu: boolean): Float32Array {
      mem.set(mean, M);
      mem.set(scale, S);
      mem.set(beta, B);
      e.bnNorm(X * 4, lenB, Cb, M * 4, S * 4, B * 4, Y * 4, relu ? 1 : 0);
      return mem.slice(Y, Y + len);
    },
  };
}

function simdBackward(
  dy: Float32Array,
  x: Float32Array,
  y: Float32Array | null,
  mean: Float32Array,
  invStd: Float32Array,
) {
  const e = simd();
  if (!e) return null;
  const len = x.length;
  const C = mean.length;
  const [DY, X, Y, DX] = [0, len, 2 * len, 3 * len];
  const [M, IS, DBN, DGN, GR] = [0, 1, 2, 3, 4].map((i) => 4 * len + i * C);
  const [SDY, SDX] = [4 * len + 5 * C, 4 * len + 7 * C];
  const mem = heap(e, SDX + 2 * C);
  mem.set(dy, DY);
  mem.set(x, X);
  if (y) mem.set(y, Y);
  mem.set(mean, M);
  mem.set(invStd, IS);
  const lenB = len * 4;
  const Cb = C * 4;
  const relu = y ? 1 : 0;
  return {
    sums(sumDy: Float64Array, sumDyXhat: Float64Array) {
      const a = new Float64Array(mem.buffer, SDY * 4, C);
      const b = new Float64Array(mem.buffer, SDX * 4, C);
      a.fill(0);
      b.fill(0);
      e.bnGradSums(DY * 4, X * 4, Y * 4, lenB, Cb, M * 4, IS * 4, relu, SDY * 4, SDX * 4);
      sumDy.set(a);
      sumDyXhat.set(b);
    },
    inputGrad(dBetaN: Float32Array, dGammaN: Float32Array, gr: Float32Array): Float32Array {
      mem.set(dBetaN, DBN);
      mem.set(dGammaN, DGN);
      mem.set(gr, GR);
      e.bnGradInput(DY * 4, X * 4, Y * 4, lenB, Cb, M * 4, IS * 4, relu, DBN * 4, DGN * 4, GR * 4, DX * 4);
      return mem.slice(DX, DX + len);
    },
  };
}
