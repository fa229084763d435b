/**
 * Transpose for float32 on the cpu backend: the output written in memory order, the input read through
 * the permuted strides, neighbouring dims that stay together merged first (collapse). tfjs's cpu kernel
 * computes every element's coordinates through index arithmetic and took ~15 % of a subnet step (the grid
 * pooling's pixels-last transpose and its gradient, tf.profile).
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { collapse, floatValues, output, stridesOf, type CpuBackend } from './cpu-data.ts';

export function transposeValues(x: Float32Array, shape: number[], perm: number[]): Float32Array {
  const out = new Float32Array(x.length);
  if (x.length === 0) return out;
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  const c = collapse(outShape, [stridesOf(outShape), perm.map((p) => inStrides[p])]);
  copyStrided(x, out, c.shape, c.strides[1]);
  return out;
}

/** out (in memory order over `shape`) = x read with `strides`; an odometer over all but the last dim. */
function copyStrided(x: Float32Array, out: Float32Array, shape: number[], strides: number[]): void {
  const rank = shape.length;
  const inner = shape[rank - 1];
  const step = strides[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o += inner) {
    for (let t = 0, q = src; t < inner; t++, q += step) out[o + t] = x[q];
    for (let d = rank - 2; d >= 0; d--) {
      src += strides[d];
      if (++idx[d] < shape[d]) break;
      src -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

export function transposeKernel(
  inputs: { x: TensorInfo },
  backend: CpuBackend,
  attrs: { perm: number[] },
): TensorInfo | null {
  const x = floatValues(backend, inputs.x);
  if (!x) return null;
  const shape = inputs.x.shape;
  return output(
    backend,
    attrs.perm.map((p) => shape[p]),
    transposeValues(x, shape, attrs.perm),
  );
}
