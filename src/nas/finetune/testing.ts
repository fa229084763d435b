/** Test-only helpers: seeded non-trivial BatchNorm statistics and biases, and a tiny landmark data set. */
import * as tf from '@tensorflow/tfjs';
import type { ParamInfo } from '../blocks/module.ts';
import { LandmarkSource } from '../data/landmark-source.ts';
import { generateDataset } from '../data/synthface.ts';
import { Rng } from '../rng.ts';

/** Random BN statistics, γ, β and biases, so that copying them is really tested (defaults are 0 / 1). */
export function randomizeParams(params: ParamInfo[], seed: number): void {
  const rng = new Rng(seed);
  for (const p of params) {
    const v = p.variable;
    let draw: (() => number) | null = null;
    if (p.name.endsWith('/bn/mean')) draw = () => rng.normal() * 0.3;
    else if (p.name.endsWith('/bn/variance')) draw = () => rng.uniform(0.3, 2);
    else if (p.name.endsWith('/bn/gamma')) draw = () => rng.uniform(0.5, 1.5);
    else if (p.name.endsWith('/bn/beta') || p.name.endsWith('/bias')) draw = () => rng.normal() * 0.1;
    if (!draw) continue;
    const data = Float32Array.from({ length: v.size }, draw);
    tf.tidy(() => v.assign(tf.tensor(data, v.shape, 'float32')));
  }
}

/** SynthFace-106 faces at `size`, split seeded: 'val' gets `val` faces, the rest 80/20 weights/arch. */
export function tinyFaces(count: number, size: number, val: number, seed = 3): LandmarkSource {
  const data = generateDataset({ count, size, difficulty: 0.2, seed });
  return new LandmarkSource(data, { valFraction: val / count, splitSeed: seed, inputSize: size });
}
