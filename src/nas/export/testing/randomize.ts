/**
 * Test-only: give a model non-trivial BatchNorm statistics, biases and FC weights (seeded), so that BN
 * folding and bias handling are really exercised and outputs are O(1) rather than near zero.
 */
import * as tf from '@tensorflow/tfjs';
import type { NasModel } from '../../model/model.ts';
import { Rng } from '../../rng.ts';

export function randomizeModel(model: NasModel, seed: number): void {
  const rng = new Rng(seed);
  for (const p of model.params()) {
    const v = p.variable;
    const n = v.size;
    let draw: (() => number) | null = null;
    if (p.name.endsWith('/bn/mean')) draw = () => rng.normal() * 0.3;
    else if (p.name.endsWith('/bn/variance')) draw = () => rng.uniform(0.3, 2);
    else if (p.name.endsWith('/bn/gamma')) draw = () => rng.uniform(0.5, 1.5) * (rng.next() < 0.2 ? -1 : 1);
    else if (p.name.endsWith('/bn/beta')) draw = () => rng.normal() * 0.2;
    else if (p.name.endsWith('/bias')) draw = () => rng.normal() * 0.1;
    else if (p.name.endsWith('/fc/kernel')) draw = () => rng.normal() / Math.sqrt(v.shape[0]);
    if (!draw) continue;
    const data = Float32Array.from({ length: n }, draw);
    tf.tidy(() => v.assign(tf.tensor(data, v.shape, 'float32')));
  }
}

export function randomInput(shape: [number, number, number, number], seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
}
