/**
 * Seeded weight initialisation. Values are drawn with the engine's Rng (not tfjs' own generators) so a
 * model is bit-identical for a seed on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.ts';

/** Gaussian N(0, std^2) tensor from `rng`. */
export function normalTensor(rng: Rng, shape: number[], std: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = rng.normal() * std;
  return tf.tensor(data, shape, 'float32');
}

/** He-normal (Kaiming, fan-in): std = sqrt(2 / fanIn), fanIn = kh * kw * in_per_group. */
export function heNormal(rng: Rng, shape: number[], fanIn: number): tf.Tensor {
  return normalTensor(rng, shape, Math.sqrt(2 / fanIn));
}

/** A tfjs variable holding `init` (which it takes ownership of). tfjs names it uniquely itself: our
 *  logical names live in ParamInfo, so two models with the same block names never clash. */
export function makeVariable(init: tf.Tensor, trainable = true): tf.Variable {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}
