/**
 * Sum and Mean over any axes for float32 on the cpu backend. tfjs's cpu Sum first transposes the reduced
 * axes to the end, element by element through index arithmetic, then sums rows; batch-norm statistics and
 * their gradients reduce NHWC over N, H, W, the slowest case. Here the input is read once in memory order,
 * accumulated in float64 into the output position (stride 0 along reduced dims).
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { collapse, floatValues, output, stridesOf, type CpuBackend } from './cpu-data.ts';

export function reduceSum(
  shape: number[],
  x: Float32Array,
  axes: number[],
): { outShape: number[]; values: Float64Array; count: number } {
  const reduced = new Set(axes);
  const outShape = shape.filter((_, i) => !reduced.has(i));
  const outSize = outShape.reduce((p, d) => p * d, 1);
  const acc = new Float64Array(outSize);
  const count = axes.reduce((p, i) => p * shape[i], 1);
  if (x.length === 0) return { outShape, values: acc, count };
  // the output's strides laid onto the input's dims, 0 along the reduced ones
  const outStrides = stridesOf(outShape);
  let j = 0;
  const oOnX = shape.map((_, i) => (reduced.has(i) ? 0 : outStrides[j++]));
  const c = collapse(shape, [stridesOf(shape), oOnX]);
  const last = c.shape.length - 1;
  const n = c.shape[last];
  const oS = c.strides[1];
  const idx = new Array<number>(last).fill(0);
  let o = 0;
  for (let xi = 0; xi < x.length; xi += n) {
    if (oS[last] === 0) {
      let s = 0;
      for (let k = 0; k < n; k++) s += x[xi + k];
      acc[o] += s;
    } else {
      for (let k = 0; k < n; k++) acc[o + k] += x[xi + k];
    }
    for (let d = last - 1; d >= 0; d--) {
      o += oS[d];
      if (++idx[d] < c.shape[d]) break;
      o -= oS[d] * c.shape[d];
      idx[d] = 0;
    }
  }
  return { outShape, values: acc, count };
}

export function reduceKernel(mean: boolean) {
  return (
    inputs: { x: TensorInfo },
    backend: CpuBackend,
    attrs: { axis: number | number[]; keepDims: boolean },
  ): TensorInfo | null => {
    const x = floatValues(backend, inputs.x);
    if (!x) return null;
    const axes = tf.util.parseAxisParam(attrs.axis, inputs.x.shape);
    const r = reduceSum(inputs.x.shape, x, axes);
    const scale = mean ? 1 / r.count : 1;
    const values = new Float32Array(r.values.length);
    for (let i = 0; i < values.length; i++) values[i] = r.values[i] * scale;
    const shape = attrs.keepDims ? tf.backend_util.expandShapeToKeepDim(r.outShape, axes) : r.outShape;
    return output(backend, shape, values);
  };
}
