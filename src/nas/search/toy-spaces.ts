/**
 * Pocket search spaces and a config builder for tests and demos of the search on the CPU backend.
 * Shapes are tiny (8x8 or 12x12 inputs, 2 to 4 channels) so hundreds of steps run in seconds.
 */
import type { SearchLayerSpec, SearchSpace } from '../arch/spec.ts';
import { DEFAULT_EXPERIMENT, type ExperimentConfig } from '../experiment.ts';

const search = (out: number, candidates: string[], stride = 1): SearchLayerSpec => ({
  kind: 'search',
  out,
  stride,
  candidates,
});

/** Pointwise stem then one k3-or-k5 layer: the receptive-field plant of lineDistanceTask. */
export const RF_SPACE: SearchSpace = {
  id: 'toy-rf',
  title: 'k3 or k5',
  description: 'A 1x1 stem and one searchable layer choosing a 3x3 or a 5x5 block.',
  input: { size: 12, channels: 1 },
  body: [{ kind: 'conv', k: 1, out: 4, stride: 1, act: 'relu' }, search(4, ['k3_e1', 'k5_e1'])],
  head: { kind: 'classifier', classes: 2 },
};

/** Three searchable layers of three candidates each, for cost-driven plants. */
export const THREE_LAYER_SPACE: SearchSpace = {
  id: 'toy-three',
  title: 'three layers',
  description: 'A 3x3 stem and three searchable layers (k3, k5 or skip).',
  input: { size: 8, channels: 1 },
  body: [
    { kind: 'conv', k: 3, out: 2, stride: 1, act: 'relu' },
    search(2, ['k3_e1', 'k5_e1', 'skip']),
    search(2, ['k3_e1', 'k5_e1', 'skip']),
    search(2, ['k3_e1', 'k5_e1', 'skip']),
  ],
  head: { kind: 'classifier', classes: 2 },
};

/** A PFLD-like landmark space: stride-2 stem, searchable layers (one strided), taps into the head. */
export const LANDMARK_SPACE: SearchSpace = {
  id: 'toy-landmarks',
  title: 'landmarks with taps',
  description: 'Stem, two searchable layers and a landmark head fed by the stem output too.',
  input: { size: 8, channels: 1 },
  body: [
    { kind: 'conv', k: 3, out: 2, stride: 2, act: 'relu' },
    search(4, ['k3_e1', 'k3_e3', 'skip'], 2),
    search(4, ['k3_e1', 'skip']),
  ],
  head: { kind: 'landmarks', points: 1, features: 4, taps: [0] },
};

type TrainOverrides = Partial<ExperimentConfig['train']>;

/** An experiment for a toy space: small batches, α = 1, soft Gumbel, the given overrides. */
export function toyConfig(
  space: SearchSpace,
  overrides: {
    train?: TrainOverrides;
    gumbel?: Partial<ExperimentConfig['gumbel']>;
    loss?: Partial<ExperimentConfig['loss']>;
    seeds?: Partial<ExperimentConfig['seeds']>;
  } = {},
): ExperimentConfig {
  return {
    ...DEFAULT_EXPERIMENT,
    title: space.title,
    space: space.id,
    inputSize: space.input.size,
    train: {
      batchSize: 8,
      epochs: 3,
      stepsPerEpoch: 10,
      warmupEpochs: 0,
      lrWeights: 0.3,
      lrTheta: 0.05,
      weightDecay: 0,
      valFraction: 0,
      ...overrides.train,
    },
    gumbel: { tau0: 5, decay: 0.956, hard: false, ...overrides.gumbel },
    loss: { alpha: 1, beta: 0, cost: 'macs', ...overrides.loss },
    seeds: { split: 1, init: 2, gumbel: 3, data: 4, ...overrides.seeds },
  };
}
