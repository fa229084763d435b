/** Fixtures for the latency tests (not used by the app). */
import type { SearchSpace } from '../arch/spec.ts';
import type { LatencyTable } from './table.ts';

/** 16x16 input, a fixed stem, 2 searchable layers with 3 and 2 candidates, a small classifier. */
export const TINY_SPACE: SearchSpace = {
  id: 'tiny-latency',
  title: 'tiny',
  description: 'test space',
  input: { size: 16, channels: 3 },
  body: [
    { kind: 'conv', k: 3, out: 8, stride: 2, act: 'relu' },
    { kind: 'search', out: 8, stride: 1, candidates: ['k3_e1', 'k3_e3', 'skip'] },
    { kind: 'search', out: 16, stride: 2, candidates: ['k3_e1', 'k5_e3'] },
  ],
  head: { kind: 'classifier', classes: 4 },
};

/** A table for TINY_SPACE with hand-picked, exactly representable numbers. */
export const sampleTable = (): LatencyTable => ({
  version: 1,
  space: 'tiny-latency',
  inputSize: 16,
  batch: 1,
  backend: 'webgpu',
  adapter: 'apple m2',
  createdAt: 1700000000000,
  layers: [
    { layer: 1, candidates: ['k3_e1', 'k3_e3', 'skip'], ms: [0.5, 1.25, 0.125], spread: [0.1, 0.2, 0] },
    { layer: 2, candidates: ['k3_e1', 'k5_e3'], ms: [0.75, 2], spread: [0, 0.5] },
  ],
  fixedMs: 3,
  source: 'measured',
});
