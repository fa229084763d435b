/**
 * NHWC convolutions for float32 on the cpu backend, written as plain loops over typed arrays with the
 * channel loop innermost (contiguous in NHWC). tfjs's cpu DepthwiseConv2dNativeBackpropFilter and
 * Conv2DBackpropFilter read every element through TensorBuffer.get, which took over a third of a
 * classroom training step. Filter gradients sum over batch and pixels in float64.
 *
 * Geometry (padding, strides, dilations, output size) comes from tfjs's own computeConv2DInfo, so every
 * padding mode tfjs accepts ('same', 'valid', a number, explicit) means here what it means there.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { floatValues, output, type CpuBackend } from './cpu-data.ts';
import { heap, simd, simdMatMul, simdMatMulTA } from './wasm-simd.ts';

type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

interface ConvAttrs {
  strides: number | [number, number];
  pad: Parameters<typeof tf.backend_util.computeConv2DInfo>[4];
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: 'NHWC' | 'NCHW';
}

function info(xShape: number[], filterShape: number[], a: ConvAttrs, depthwise: boolean): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    depthwise,
  );
}

/**
 * Calls f(xBase, yBase, wBase) for every (batch, output pixel, filter tap) whose input pixel lies inside
 * the image: xBase/yBase index channel 0 of that input/output pixel, wBase = tap index (fh · FW + fw).
 */
function forEachTap(c: Conv2DInfo, f: (xBase: number, yBase: number, tap: number) => void): void {
  const { inHeight: IH, inWidth: IW, inChannels: C, outHeight: OH, outWidth: OW, outChannels: OC } = c;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = c;
  const { filterHeight: FH, filterWidth: FW } = c;
  const top = c.padInfo.top;
  const left = c.padInfo.left;
  for (let b = 0; b < c.batchSize; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const yBase = ((b * OH + oh) * OW + ow) * OC;
        for (let fh = 0; fh < FH; fh++) {
          const ih = oh * sh - top + fh * dh;
          if (ih < 0 || ih >= IH) continue;
          for (let fw = 0; fw < FW; fw++) {
            const iw = ow * sw - left + fw * dw;
            if (iw < 0 || iw >= IW) continue;
            f(((b * IH + ih) * IW + iw) * C, yBase, fh * FW + fw);
          }
        }
      }
    }
  }
}

// ---- depthwise: filter [FH, FW, C, M], output channel c · M + m -----------------------------------------

/**
 * The multiplier-1 depthwise loops (every depthwise conv the blocks build), written out without the
 * per-tap callback of forEachTap so the channel loop is inlined: `op` 0 = forward (y += x·w), 1 = filter
 * gradient (acc += x·dy), 2 = input gradient (dx += dy·w).
 */
function depthwiseLoops(
  c: Conv2DInfo,
  op: 0 | 1 | 2,
  x: Float32Array,
  y: Float32Array,
  w: Float32Array | Float64Array,
): void {
  const { inHeight: IH, inWidth: IW, inChannels: C, outHeight: OH, outWidth: OW } = c;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = c;
  const { filterHeight: FH, filterWidth: FW } = c;
  const top = c.padInfo.top;
  const left = c.padInfo.left;
  for (let b = 0; b < c.batchSize; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let fh = 0; fh < FH; fh++) {
        const ih = oh * sh - top + fh * dh;
        if (ih < 0 || ih >= IH) continue;
        const xRow = (b * IH + ih) * IW;
        const yRow = (b * OH + oh) * OW;
        for (let fw = 0; fw < FW; fw++) {
          const wb = (fh * FW + fw) * C;
          // output columns whose input column lies inside the image: no bounds test in the loop
          const shift = left - fw * dw;
          const owLo = Math.max(0, Math.ceil(shift / sw));
          const owHi = Math.min(OW, Math.floor((IW - 1 + shift) / sw) + 1);
          const xStep = sw * C;
          let xb = (xRow + owLo * sw - shift) * C;
          let yb = (yRow + owLo) * C;
          for (let ow = owLo; ow < owHi; ow++, xb += xStep, yb += C) {
            if (op === 0) for (let ch = 0; ch < C; ch++) y[yb + ch] += x[xb + ch] * w[wb + ch];
            else if (op === 1) for (let ch = 0; ch < C; ch++) w[wb + ch] += x[xb + ch] * y[yb + ch];
            else for (let ch = 0; ch < C; ch++) x[xb + ch] += y[yb + ch] * w[wb + ch];
          }
        }
      }
    }
  }
}

/**
 * depthwiseLoops with the channel loop in WebAssembly SIMD (wasm-simd.ts dwAxpy for the forward, op 0,
 * and the input gradient, op 2; dwAcc for the filter gradient, op 1, into float64 w), one call per output
 * row and filter tap, for C a multiple of 4; false where the module is unavailable. In dwAxpy each product
 * is rounded to float32 before it is added (the JS loop adds it unrounded): a difference in the last bit,
 * within what the tests against tfjs allow; dwAcc sums exactly as the JS loop does.
 */
function depthwiseLoopsSimd(
  c: Conv2DInfo,
  op: 0 | 1 | 2,
  x: Float32Array,
  y: Float32Array,
  w: Float32Array | Float64Array,
): boolean {
  const { inHeight: IH, inWidth: IW, inChannels: C, outHeight: OH, outWidth: OW } = c;
  if (C % 4 !== 0) return false;
  const e = simd();
  if (!e) return false;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = c;
  const { filterHeight: FH, filterWidth: FW } = c;
  const top = c.padInfo.top;
  const left = c.padInfo.left;
  const X = 0;
  const Y = x.length;
  const W = Y + y.length;
  // op 1 accumulates the filter gradient in float64 (w a Float64Array): twice the room
  const wFloats = op === 1 ? 2 : 1;
  const mem = heap(e, W + wFloats * w.length);
  mem.set(x, X);
  mem.set(y, Y);
  const acc = op === 1 ? new Float64Array(mem.buffer, W * 4, w.length) : null;
  if (acc) acc.set(w);
  else mem.set(w, W);
  const xStepB = sw * C * 4;
  const Cb = C * 4;
  for (let b = 0; b < c.batchSize; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let fh = 0; fh < FH; fh++) {
        const ih = oh * sh - top + fh * dh;
        if (ih < 0 || ih >= IH) continue;
        const xRow = (b * IH + ih) * IW;
        const yRow = (b * OH + oh) * OW;
        for (let fw = 0; fw < FW; fw++) {
          const wb = W + wFloats * (fh * FW + fw) * C;
          const shift = left - fw * dw;
          const owLo = Math.max(0, Math.ceil(shift / sw));
          const owHi = Math.min(OW, Math.floor((IW - 1 + shift) / sw) + 1);
          if (owHi <= owLo) continue;
          const xb = (X + (xRow + owLo * sw - shift) * C) * 4;
          const yb = (Y + (yRow + owLo) * C) * 4;
          if (op === 0) e.dwAxpy(yb, Cb, xb, xStepB, wb * 4, owHi - owLo, Cb);
          else if (op === 1) e.dwAcc(xb, xStepB, yb, wb * 4, owHi - owLo, Cb);
          else e.dwAxpy(xb, xStepB, yb, Cb, wb * 4, owHi - owLo, Cb);
        }
      }
    }
  }
  if (op === 0) y.set(mem.subarray(Y, Y + y.length));
  else if (acc) w.set(acc);
  else x.set(mem.subarray(X, X + x.length));
  return true;
}

export function depthwiseForward(c: Conv2DInfo, x: Float32Array, w: Float32Array): Float32Array {
  const C = c.inChannels;
  const M = c.outChannels / C;
  const y = new Float32Array(c.batchSize * c.outHeight * c.outWidth * c.outChannels);
  if (M === 1) {
    if (!depthwiseLoopsSimd(c, 0, x, y, w)) depthwiseLoops(c, 0, x, y, w);
    return y;
  }
  forEachTap(c, (xb, yb, tap) => {
    const wb = tap * C * M;
    for (let ch = 0; ch < C; ch++) {
      const v = x[xb + ch];
      for (let m = 0; m < M; m++) y[yb + ch * M + m] += v * w[wb + ch * M + m];
    }
  });
  return y;
}

export function depthwiseFilterGrad(c: Conv2DInfo, x: Float32Array, dy: Float32Array): Float32Array {
  const C = c.inChannels;
  const M = c.outChannels / C;
  const acc = new Float64Array(c.filterHeight * c.filterWidth * C * M);
  if (M === 1) {
    if (!depthwiseLoopsSimd(c, 1, x, dy, acc)) depthwiseLoops(c, 1, x, dy, acc);
    return Float32Array.from(acc);
  }
  forEachTap(c, (xb, yb, tap) => {
    const wb = tap * C * M;
    for (let ch = 0; ch < C; ch++) {
      const v = x[xb + ch];
      for (let m = 0; m < M; m++) acc[wb + ch * M + m] += v * dy[yb + ch * M + m];
    }
  });
  return Float32Array.from(acc);
}

export function depthwiseInputGrad(c: Conv2DInfo, dy: Float32Array, w: Float32Array): Float32Array {
  const C = c.inChannels;
  const M = c.outChannels / C;
  const dx = new Float32Array(c.batchSize * c.inHeight * c.inWidth * C);
  if (M === 1) {
    if (!depthwiseLoopsSimd(c, 2, dx, dy, w)) depthwiseLoops(c, 2, dx, dy, w);
    return dx;
  }
  forEachTap(c, (xb, yb, tap) => {
    const wb = tap * C * M;
    for (let ch = 0; ch < C; ch++) {
      let s = 0;
      for (let m = 0; m < M; m++) s += dy[yb + ch * M + m] * w[wb + ch * M + m];
      dx[xb + ch] += s;
    }
  });
  return dx;
}

// ---- dense conv: filter [FH, FW, CI, CO] ------------------------------------------------------------------

/**
 * The input patches as rows of a [pixels, FH·FW·CI] matrix (zeros where a tap falls in the padding), in
 * the filter's [FH, FW, CI] order: a dense conv is then one MatMul with the filter viewed as [FH·FW·CI, CO]
 * and its filter gradient one patchesᵀ · dy, both in WebAssembly SIMD (the stem conv: CI = 3, too few
 * channels for the per-tap loops to run fast).
 */
function im2col(c: Conv2DInfo, x: Float32Array): Float32Array {
  const CI = c.inChannels;
  const CO = c.outChannels;
  const K = c.filterHeight * c.filterWidth * CI;
  const cols = new Float32Array(c.batchSize * c.outHeight * c.outWidth * K);
  forEachTap(c, (xb, yb, tap) => {
    const base = (yb / CO) * K + tap * CI;
    for (let ci = 0; ci < CI; ci++) cols[base + ci] = x[xb + ci];
  });
  return cols;
}

/** im2col only for short patches (float32 sums over K, as matmul.ts allows) and a bounded patch matrix. */
const IM2COL_MAX_K = 64;
const IM2COL_MAX_VALUES = 1 << 24;
function im2colSuits(c: Conv2DInfo, maxK: number): boolean {
  const K = c.filterHeight * c.filterWidth * c.inChannels;
  const pixels = c.batchSize * c.outHeight * c.outWidth;
  return c.outChannels % 4 === 0 && K <= maxK && pixels * K <= IM2COL_MAX_VALUES && simd() !== null;
}

export function convForward(c: Conv2DInfo, x: Float32Array, w: Float32Array): Float32Array {
  const CI = c.inChannels;
  const CO = c.outChannels;
  if (im2colSuits(c, IM2COL_MAX_K)) {
    const y = simdMatMul(
      im2col(c, x),
      w,
      c.batchSize * c.outHeight * c.outWidth,
      c.filterHeight * c.filterWidth * CI,
      CO,
    );
    if (y) return y;
  }
  const y = new Float32Array(c.batchSize * c.outHeight * c.outWidth * CO);
  forEachTap(c, (xb, yb, tap) => {
    for (let ci = 0; ci < CI; ci++) {
      const v = x[xb + ci];
      const wb = (tap * CI + ci) * CO;
      for (let co = 0; co < CO; co++) y[yb + co] += v * w[wb + co];
    }
  });
  return y;
}

export function convFilterGrad(c: Conv2DInfo, x: Float32Array, dy: Float32Array): Float32Array {
  const CI = c.inChannels;
  const CO = c.outChannels;
  // float64 sums over the pixels: any K
  if (im2colSuits(c, Infinity)) {
    const K = c.filterHeight * c.filterWidth * CI;
    const dw = simdMatMulTA(im2col(c, x), dy, K, c.batchSize * c.outHeight * c.outWidth, CO);
    if (dw) return dw;
  }
  const acc = new Float64Array(c.filterHeight * c.filterWidth * CI * CO);
  forEachTap(c, (xb, yb, tap) => {
    for (let ci = 0; ci < CI; ci++) {
      const v = x[xb + ci];
      const wb = (tap * CI + ci) * CO;
      for (let co = 0; co < CO; co++) acc[wb + co] += v * dy[yb + co];
    }
  });
  return Float32Array.from(acc);
}

export function convInputGrad(c: Conv2DInfo, dy: Float32Array, w: Float32Array): Float32Array {
  const CI = c.inChannels;
  const CO = c.outChannels;
  const dx = new Float32Array(c.batchSize * c.inHeight * c.inWidth * CI);
  forEachTap(c, (xb, yb, tap) => {
    for (let ci = 0; ci < CI; ci++) {
      const wb = (tap * CI + ci) * CO;
      let s = 0;
      for (let co = 0; co < CO; co++) s += dy[yb + co] * w[wb + co];
      dx[xb + ci] += s;
    }
  });
  return dx;
}

// ---- kernel functions (null: leave it to tfjs's kernel) ------------------------------------------------

const nhwc = (a: ConvAttrs) => a.dataFormat === undefined || a.dataFormat === 'NHWC';

export function depthwiseKernel(
  inputs: { x: TensorInfo; filter: TensorInfo },
  backend: CpuBackend,
  attrs: ConvAttrs,
): TensorInfo | null {
  const x = floatValues(backend, inputs.x);
  const w = floatValues(backend, inputs.filter);
  if (!x || !w) return null;
  const c = info(inputs.x.shape, inputs.filter.shape, attrs, true);
  return output(backend, c.outShape, depthwiseForward(c, x, w));
}

export function depthwiseFilterKernel(
  inputs: { x: TensorInfo; dy: TensorInfo },
  backend: CpuBackend,
  attrs: ConvAttrs & { filterShape: number[] },
): TensorInfo | null {
  const x = floatValues(backend, inputs.x);
  const dy = floatValues(backend, inputs.dy);
  if (!x || !dy) return null;
  const c = info(inputs.x.shape, attrs.filterShape, attrs, true);
  return output(backend, attrs.filterShape, depthwiseFilterGrad(c, x, dy));
}

export function depthwiseInputKernel(
  inputs: { dy: TensorInfo; filter: TensorInfo },
  backend: CpuBackend,
  attrs: ConvAttrs & { inputShape: number[] },
): TensorInfo | null {
  const dy = floatValues(backend, inputs.dy);
  const w = floatValues(backend, inputs.filter);
  if (!dy || !w) return null;
  const c = info(attrs.inputShape, inputs.filter.shape, attrs, true);
  return output(backend, attrs.inputShape, depthwiseInputGrad(c, dy, w));
}

export function convKernel(
  inputs: { x: TensorInfo; filter: TensorInfo },
  backend: CpuBackend,
  attrs: ConvAttrs,
): TensorInfo | null {
  const x = floatValues(backend, inputs.x);
  const w = floatValues(backend, inputs.filter);
  if (!x || !w || !nhwc(attrs)) return null;
  const c = info(inputs.x.shape, inputs.filter.shape, attrs, false);
  return output(backend, c.outShape, convForward(c, x, w));
}

export function convFilterKernel(
  inputs: { x: TensorInfo; dy: TensorInfo },
  backend: CpuBackend,
  attrs: ConvAttrs & { filterShape: number[] },
): TensorInfo | null {
  const x = floatValues(backend, inputs.x);
  const dy = floatValues(backend, inputs.dy);
  if (!x || !dy || !nhwc(attrs)) return null;
  const c = info(inputs.x.shape, attrs.filterShape, attrs, false);
  return output(backend, attrs.filterShape, convFilterGrad(c, x, dy));
}

export function convInputKernel(
  inputs: { dy: TensorInfo; filter: TensorInfo },
  backend: CpuBackend,
  attrs: ConvAttrs & { inputShape: number[] },
): TensorInfo | null {
  const dy = floatValues(backend, inputs.dy);
  const w = floatValues(backend, inputs.filter);
  if (!dy || !w || !nhwc(attrs)) return null;
  const c = info(attrs.inputShape, inputs.filter.shape, attrs, false);
  return output(backend, attrs.inputShape, convInputGrad(c, dy, w));
}
