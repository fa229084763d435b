/** Test helpers: run the same computation on tfjs's cpu kernels and on ours, compare within tolerance. */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { Rng } from '../rng.ts';
import { registerFastCpuKernels, unregisterFastCpuKernels } from './index.ts';

export function randomTensor(rng: Rng, shape: number[]): tf.Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.normal()),
    shape,
  );
}

/** Values of f() under tfjs's reference kernels and under the fast ones (registered again afterwards). */
export async function bothWays(
  f: () => tf.Tensor | tf.Tensor[],
): Promise<{ ref: Float32Array[]; fast: Float32Array[] }> {
  const run = async () => {
    const out = tf.tidy(f);
    const list = Array.isArray(out) ? out : [out];
    const values = await Promise.all(list.map(async (t) => Float32Array.from(await t.data())));
    tf.dispose(list);
    return { values, shapes: list.map((t) => t.shape) };
  };
  unregisterFastCpuKernels();
  const ref = await run();
  registerFastCpuKernels();
  const fast = await run();
  expect(fast.shapes).toEqual(ref.shapes);
  return { ref: ref.values, fast: fast.values };
}

/** max |fast − ref| ≤ rel · max(|ref|, 1e-3), per output. */
export async function expectSameAsTfjs(f: () => tf.Tensor | tf.Tensor[], rel = 1e-5): Promise<void> {
  const { ref, fast } = await bothWays(f);
  ref.forEach((r, i) => {
    const scale = Math.max(1e-3, ...Array.from(r, Math.abs));
    let worst = 0;
    r.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - fast[i][j]))));
    expect(worst / scale, `output ${i}`).toBeLessThanOrEqual(rel);
    expect(fast[i].some((v) => v !== 0) || r.every((v) => v === 0)).toBe(true);
  });
}
