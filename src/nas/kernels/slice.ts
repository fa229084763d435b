/**
 * Slice for float32 on the cpu backend. tfjs copies a slice that is not one contiguous block element by
 * element through TensorBuffer.get/set; the gradient of a spatial pad is such a slice. Here contiguous runs
 * are copied with TypedArray.set.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { collapse, floatValues, output, stridesOf, type CpuBackend } from './cpu-data.ts';

export function sliceValues(shape: number[], x: Float32Array, begin: number[], size: number[]): Float32Array {
  const total = size.reduce((p, d) => p * d, 1);
  const out = new Float32Array(total);
  if (total === 0) return out;
  const xs = stridesOf(shape);
  const c = collapse(size, [xs, stridesOf(size)]);
  const last = c.shape.length - 1;
  const n = c.shape[last];
  const xS = c.strides[0];
  const idx = new Array<number>(last).fill(0);
  let xi = begin.reduce((p, b, i) => p + b * xs[i], 0);
  for (let o = 0; o < total; o += n) {
    if (xS[last] === 1) out.set(x.subarray(xi, xi + n), o);
    else for (let k = 0; k < n; k++) out[o + k] = x[xi + k * xS[last]];
    for (let d = last - 1; d >= 0; d--) {
      xi += xS[d];
      if (++idx[d] < c.shape[d]) break;
      xi -= xS[d] * c.shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

export function sliceKernel(
  inputs: { x: TensorInfo },
  backend: CpuBackend,
  attrs: { begin: number | number[]; size: number | number[] },
): TensorInfo | null {
  const x = floatValues(backend, inputs.x);
  if (!x) return null;
  const [begin, size] = tf.slice_util.parseSliceParams(inputs.x as tf.Tensor, attrs.begin, attrs.size);
  tf.slice_util.assertParamsValid(inputs.x as tf.Tensor, begin, size);
  return output(backend, size, sliceValues(inputs.x.shape, x, begin, size));
}
