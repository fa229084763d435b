/**
 * Relu and Step (the mask in Relu's gradient: dy · step(x)) for float32 on the cpu backend: tfjs runs both
 * through a generic per-element callback; these are single loops. NaN stays NaN, as in tfjs.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { floatValues, output, type CpuBackend } from './cpu-data.ts';

export function reluKernel(inputs: { x: TensorInfo }, backend: CpuBackend): TensorInfo | null {
  const x = floatValues(backend, inputs.x);
  if (!x) return null;
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v > 0 ? v : v !== v ? v : 0;
  }
  return output(backend, inputs.x.shape, y);
}

export function stepKernel(
  inputs: { x: TensorInfo },
  backend: CpuBackend,
  attrs: { alpha?: number },
): TensorInfo | null {
  const x = floatValues(backend, inputs.x);
  if (!x) return null;
  const alpha = attrs.alpha ?? 0;
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v > 0 ? 1 : v !== v ? v : alpha;
  }
  return output(backend, inputs.x.shape, y);
}
