import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARCHS } from '../arch/registry.ts';
import { countCost } from '../cost/count.ts';
import { ToySource } from '../search/toy-sources.ts';
import { baselineArch } from './baseline.ts';
import { baselineRow, expectedLatency, subnetRow, supernetRow, trainingNote } from './comparison.ts';
import type { ResultsArchSummary } from './types.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('baselineArch', () => {
  it('is PFLD-106 at the requested input size, named after it, without touching the registry', () => {
    const before = structuredClone(ARCHS.pfld_106);
    const arch = baselineArch(48);
    expect(arch.name).toBe('PFLD-106 baseline (48×48)');
    expect(arch.input).toEqual({ ...ARCHS.pfld_106.input, size: 48 });
    expect(arch.body).toEqual(ARCHS.pfld_106.body);
    expect(arch.head).toEqual(ARCHS.pfld_106.head);
    arch.body.pop();
    expect(ARCHS.pfld_106).toEqual(before);
  });
});

describe('trainingNote', () => {
  it('says how the weights came about', () => {
    expect(trainingNote({ fromScratch: true, steps: 40 })).toBe('trained from scratch, 40 steps');
    expect(trainingNote({ fromScratch: false, steps: 0 })).toBe('supernet weights, not finetuned');
    expect(trainingNote({ fromScratch: false, steps: 7 })).toBe('supernet weights + 7 finetune steps');
  });
});

describe('expectedLatency', () => {
  it('is Σ_l Σ_i p·ms plus the fixed part', () => {
    const rows = [
      [1, 3],
      [2, 4, 10],
    ];
    const probs = [
      [0.25, 0.75],
      [0.5, 0.5, 0],
    ];
    // 0.25 + 2.25 + 1 + 2 + 0 + 5
    expect(expectedLatency(rows, probs, 5)).toBeCloseTo(10.5, 12);
    expect(expectedLatency([], [], 2)).toBe(2);
  });
});

describe('comparison rows', () => {
  it('the subnet row takes its cost from the summary and its note from the training', () => {
    const summary = { params: 1000, macs: 5e5, bytes: 4000 } as ResultsArchSummary;
    const row = subnetRow(
      summary,
      { fromScratch: false, steps: 3 },
      { latencyMs: 1.5, nme: 0.07, failureRate: 0.2 },
    );
    expect(row).toEqual({
      id: 'subnet',
      label: 'Searched subnet',
      note: 'supernet weights + 3 finetune steps',
      params: 1000,
      macs: 5e5,
      bytes: 4000,
      latencyMs: 1.5,
      nme: 0.07,
      failureRate: 0.2,
    });
  });

  it('the supernet row turns the NME from % into a fraction and sizes the expected params at 4 bytes', () => {
    const row = supernetRow({
      expected: { macs: 1234.5, params: 250.5 },
      basis: 'cost expected under softmax(θ)',
      latencyMs: 3,
      nmePercent: 12.5,
      searchStep: 9,
    });
    expect(row.nme).toBeCloseTo(0.125, 12);
    expect(row.bytes).toBe(1002);
    expect(row.params).toBe(250.5);
    expect(row.macs).toBe(1234.5);
    expect(row.failureRate).toBeNull();
    expect(row.note).toBe(
      'cost expected under softmax(θ) (latency from the lookup table); NME of the argmax path with shared weights at search step 9',
    );
    const noLatency = supernetRow({
      expected: { macs: 1, params: 1 },
      basis: 'b',
      latencyMs: null,
      nmePercent: null,
      searchStep: 0,
    });
    expect(noLatency.nme).toBeNull();
    expect(noLatency.note).toBe('b; NME of the argmax path with shared weights at search step 0');
  });

  it('an untrained baseline is timed and counted but not scored, and leaves no tensors behind', async () => {
    const size = 16;
    const source = new ToySource('landmarks', size, 3, 212, { weights: [], arch: [], val: [] });
    const before = tf.memory().numTensors;
    const row = await baselineRow(size, null, source, { batchSize: 2, seed: 1, repeats: 1 });
    const cost = countCost(baselineArch(size));
    expect(row).toMatchObject({
      id: 'baseline',
      params: cost.params,
      macs: cost.macs,
      bytes: 4 * cost.params,
    });
    expect(row.nme).toBeNull();
    expect(row.note).toBe('not trained (accuracy not measured)');
    expect(row.latencyMs).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});
