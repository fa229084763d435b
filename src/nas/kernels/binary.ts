/**
 * Element-wise Add, Sub, Multiply and RealDiv with broadcasting for float32 on the cpu backend. tfjs's cpu
 * kernels take a fast path only when no dim is broadcast ([C] onto NHWC is fine, [1, 1, 1, C] is not) and
 * otherwise compute every output element's coordinates with indexToLoc/locToIndex; the gradients of mean
 * and sum broadcast exactly that way. Here the shapes are collapsed to the fewest dims (cpu-data.ts) and the
 * innermost dim runs as one tight loop with a stride of 0 or 1 per operand.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { collapse, floatValues, output, stridesOf, type CpuBackend } from './cpu-data.ts';

/** out[o + k] = a[ai + k·as] ∘ b[bi + k·bs] for k < n. */
type Row = (
  out: Float32Array,
  o: number,
  a: Float32Array,
  ai: number,
  as: number,
  b: Float32Array,
  bi: number,
  bs: number,
  n: number,
) => void;

// one function per operation (not one taking the operation), so each inner loop stays monomorphic; the
// stride cases are written out because V8 does not hoist a k·0 or k·1 out of the index
const rows: Record<string, Row> = {
  Add: (out, o, a, ai, as, b, bi, bs, n) => {
    if (as === 1 && bs === 1) for (let k = 0; k < n; k++) out[o + k] = a[ai + k] + b[bi + k];
    else if (as === 0) {
      const v = a[ai];
      for (let k = 0; k < n; k++) out[o + k] = v + b[bi + k * bs];
    } else if (bs === 0) {
      const v = b[bi];
      for (let k = 0; k < n; k++) out[o + k] = a[ai + k * as] + v;
    } else for (let k = 0; k < n; k++) out[o + k] = a[ai + k * as] + b[bi + k * bs];
  },
  Sub: (out, o, a, ai, as, b, bi, bs, n) => {
    if (as === 1 && bs === 1) for (let k = 0; k < n; k++) out[o + k] = a[ai + k] - b[bi + k];
    else if (as === 0) {
      const v = a[ai];
      for (let k = 0; k < n; k++) out[o + k] = v - b[bi + k * bs];
    } else if (bs === 0) {
      const v = b[bi];
      for (let k = 0; k < n; k++) out[o + k] = a[ai + k * as] - v;
    } else for (let k = 0; k < n; k++) out[o + k] = a[ai + k * as] - b[bi + k * bs];
  },
  Multiply: (out, o, a, ai, as, b, bi, bs, n) => {
    if (as === 1 && bs === 1) for (let k = 0; k < n; k++) out[o + k] = a[ai + k] * b[bi + k];
    else if (as === 0) {
      const v = a[ai];
      for (let k = 0; k < n; k++) out[o + k] = v * b[bi + k * bs];
    } else if (bs === 0) {
      const v = b[bi];
      for (let k = 0; k < n; k++) out[o + k] = a[ai + k * as] * v;
    } else for (let k = 0; k < n; k++) out[o + k] = a[ai + k * as] * b[bi + k * bs];
  },
  RealDiv: (out, o, a, ai, as, b, bi, bs, n) => {
    if (as === 1 && bs === 1) for (let k = 0; k < n; k++) out[o + k] = a[ai + k] / b[bi + k];
    else if (as === 0) {
      const v = a[ai];
      for (let k = 0; k < n; k++) out[o + k] = v / b[bi + k * bs];
    } else if (bs === 0) {
      const v = b[bi];
      for (let k = 0; k < n; k++) out[o + k] = a[ai + k * as] / v;
    } else for (let k = 0; k < n; k++) out[o + k] = a[ai + k * as] / b[bi + k * bs];
  },
};

export const BINARY_KERNELS = Object.keys(rows);

/** Strides of `shape` read as the broadcast shape `out` (leading 1s added; broadcast dims get stride 0). */
function broadcastStrides(shape: number[], out: number[]): number[] {
  const padded = [...new Array<number>(out.length - shape.length).fill(1), ...shape];
  return stridesOf(padded).map((s, i) => (padded[i] === 1 ? 0 : s));
}

export function broadcastBinary(
  row: Row,
  aShape: number[],
  a: Float32Array,
  bShape: number[],
  b: Float32Array,
): { shape: number[]; values: Float32Array } {
  const shape = tf.backend_util.assertAndGetBroadcastShape(aShape, bShape);
  const size = shape.reduce((p, d) => p * d, 1);
  const values = new Float32Array(size);
  if (size === 0) return { shape, values };
  const c = collapse(shape, [
    stridesOf(shape),
    broadcastStrides(aShape, shape),
    broadcastStrides(bShape, shape),
  ]);
  const last = c.shape.length - 1;
  const n = c.shape[last];
  const [, aS, bS] = c.strides;
  const idx = new Array<number>(last).fill(0);
  let ai = 0;
  let bi = 0;
  for (let o = 0; o < size; o += n) {
    row(values, o, a, ai, aS[last], b, bi, bS[last], n);
    for (let d = last - 1; d >= 0; d--) {
      ai += aS[d];
      bi += bS[d];
      if (++idx[d] < c.shape[d]) break;
      ai -= aS[d] * c.shape[d];
      bi -= bS[d] * c.shape[d];
      idx[d] = 0;
    }
  }
  return { shape, values };
}

/** A kernel function for `name`, or null when this input needs tfjs's own kernel (another dtype). */
export function binaryKernel(name: string) {
  const row = rows[name];
  return (inputs: { a: TensorInfo; b: TensorInfo }, backend: CpuBackend): TensorInfo | null => {
    const a = floatValues(backend, inputs.a);
    const b = floatValues(backend, inputs.b);
    if (!a || !b) return null;
    const r = broadcastBinary(row, inputs.a.shape, a, inputs.b.shape, b);
    return output(backend, r.shape, r.values);
  };
}
