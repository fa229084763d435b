/**
 * Test-only: a tiny FBNetV2 search on SynthFace-106 faces whose argmax resolution is a given subsampling
 * factor, for the tests that follow a derived network at its searched resolution through every path
 * (derive, finetune, evaluate, standalone check, ONNX and PyTorch export).
 */
import * as tf from '@tensorflow/tfjs';
import type { SearchSpace } from '../arch/spec.ts';
import type { ExperimentConfig } from '../experiment.ts';
import { tinyFaces } from '../finetune/testing.ts';
import { toyConfig } from '../search/toy-spaces.ts';
import { SearchTrainer } from '../search/trainer.ts';
import type { FbnetV2Net } from '../v2/v2-net.ts';

/** Resolution options of the tiny search: full size, half and a quarter. */
export const TINY_FACTORS = [1, 2, 4];

/**
 * A stem, two searchable layers (one at stride 2) and a 2×2 grid-pooled 106-point head: at 32 px a factor
 * of 4 leaves 8 px, 4 after the stem and 2 after the stride-2 layer, still one pixel per grid cell.
 */
export const TINY_FACE_SPACE: SearchSpace = {
  id: 'tiny-faces',
  title: 'Tiny faces',
  description: 'A stem, two searchable layers and a grid-pooled 106-point head.',
  input: { size: 32, channels: 3 },
  body: [
    { kind: 'conv', k: 3, out: 8, stride: 2, act: 'relu' },
    { kind: 'search', out: 8, stride: 1, candidates: ['k3_e1', 'k3_e3', 'skip'] },
    { kind: 'search', out: 8, stride: 2, candidates: ['k3_e1', 'skip'] },
  ],
  head: { kind: 'landmarks', points: 106, features: 8, act: 'relu', grid: 2 },
};

/** An FBNetV2 experiment on TINY_FACE_SPACE with the given resolution options. */
export function tinyFaceConfig(factors: number[] = TINY_FACTORS): ExperimentConfig {
  return {
    ...toyConfig(TINY_FACE_SPACE, {
      train: { batchSize: 4, epochs: 1, stepsPerEpoch: 1, valFraction: 0.25 },
    }),
    strategy: 'fbnet-v2',
    inputSize: TINY_FACE_SPACE.input.size,
    v2: { widthFractions: [0.5, 1], resolutionFactors: [...factors] },
  };
}

/** A trainer after one search step, its resolution logits set so that `factor` is the argmax. */
export async function searchAtFactor(factor: number): Promise<SearchTrainer> {
  const r = TINY_FACTORS.indexOf(factor);
  if (r < 0) throw new Error(`No resolution option ${factor} (${TINY_FACTORS})`);
  const t = await tinyFaceSearch(TINY_FACTORS);
  const logits = (t.net as FbnetV2Net).masked.resolution!.logits;
  tf.tidy(() => logits.assign(tf.tensor1d(TINY_FACTORS.map((_, i) => (i === r ? 3 : 0)))));
  return t;
}

/** A trainer on 16 tiny faces (4 for validation) after one search step. */
export async function tinyFaceSearch(factors: number[]): Promise<SearchTrainer> {
  const size = TINY_FACE_SPACE.input.size;
  const t = new SearchTrainer(tinyFaceConfig(factors), tinyFaces(16, size, 4), {
    space: TINY_FACE_SPACE,
    featureEvery: 0,
  });
  await t.step();
  return t;
}
