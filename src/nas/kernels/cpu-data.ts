/**
 * The little the fast kernels need from tfjs's cpu backend: a tensor's Float32Array and a way to hand a new
 * one back. Typed loosely on purpose: the backend class is not part of @tensorflow/tfjs's public types.
 */
import type { TensorInfo } from '@tensorflow/tfjs';

export interface CpuBackend {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/** The values of a float32 tensor, or null for any other dtype (the caller then uses tfjs's kernel). */
export function floatValues(backend: CpuBackend, t: TensorInfo): Float32Array | null {
  if (t.dtype !== 'float32') return null;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : null;
}

export function output(backend: CpuBackend, shape: number[], values: Float32Array): TensorInfo {
  return backend.makeTensorInfo(shape, 'float32', values);
}

/** Row-major strides of a shape. */
export function stridesOf(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * Merges neighbouring dims that every operand walks as one (stride[i] = stride[i+1] · shape[i+1] for all
 * of them, zero strides included), so loops run over as few, as long dims as possible; drops size-1 dims.
 */
export function collapse(shape: number[], strides: number[][]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, j) => outStrides[j][last] === s[i] * shape[i])) {
      outShape[last] *= shape[i];
      strides.forEach((s, j) => (outStrides[j][last] = s[i]));
    } else {
      outShape.push(shape[i]);
      strides.forEach((s, j) => outStrides[j].push(s[i]));
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    outStrides.forEach((s) => s.push(0));
  }
  return { shape: outShape, strides: outStrides };
}
