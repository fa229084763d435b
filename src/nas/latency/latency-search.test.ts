/**
 * Acceptance: a latency-aware search steers away from a candidate that the latency table says is slow.
 * Two runs with the same seeds and data differ only in which candidate the table makes slow; each run ends
 * with its own slow candidates least likely and not chosen, so it is the table, not the data or the
 * initialisation, that decides.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Batch, BatchSource, Split } from '../data/source.ts';
import { DEFAULT_EXPERIMENT, type ExperimentConfig } from '../experiment.ts';
import { Rng } from '../rng.ts';
import { argmax } from '../search/gumbel.ts';
import { SearchTrainer } from '../search/trainer.ts';
import { predictLatency, toCostMatrix, type LatencyTable } from './table.ts';
import { sampleTable, TINY_SPACE } from './testing.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 4-class toy data: class c brightens quadrant c of a noisy 16x16 image. Deterministic per index. */
function toySource(): BatchSource {
  const counts: Record<Split, number> = { weights: 32, arch: 32, val: 8 };
  const offset: Record<Split, number> = { weights: 0, arch: 1000, val: 2000 };
  return {
    task: 'classification',
    inputSize: 16,
    channels: 3,
    outputs: 4,
    count: (split) => counts[split],
    batchAt(split: Split, indices: number[]): Batch {
      const n = indices.length;
      const x = new Float32Array(n * 16 * 16 * 3);
      const y = new Float32Array(n * 4);
      indices.forEach((index, b) => {
        const rng = new Rng(offset[split] + index);
        const c = index % 4;
        y[b * 4 + c] = 1;
        for (let i = 0; i < 16; i++) {
          for (let j = 0; j < 16; j++) {
            const bright = i < 8 === c < 2 && j < 8 === (c % 2 === 0);
            for (let ch = 0; ch < 3; ch++)
              x[((b * 16 + i) * 16 + j) * 3 + ch] = (bright ? 0.6 : 0.2) + 0.2 * rng.next();
          }
        }
      });
      return { x: tf.tensor4d(x, [n, 16, 16, 3]), y: tf.tensor2d(y, [n, 4]) };
    },
    dispose() {},
  };
}

const config: ExperimentConfig = {
  ...DEFAULT_EXPERIMENT,
  title: 'latency acceptance',
  space: TINY_SPACE.id,
  inputSize: 16,
  train: {
    ...DEFAULT_EXPERIMENT.train,
    batchSize: 4,
    epochs: 3,
    stepsPerEpoch: 4,
    warmupEpochs: 1,
    lrTheta: 0.05,
  },
  gumbel: { tau0: 5, decay: 0.956, hard: false },
  loss: { alpha: 1, beta: 1, cost: 'latency', latencyTable: 'test' },
};

/** sampleTable with candidate `slow[l]` of layer l at 40 ms, every other candidate at 1 ms. */
function tableWithSlow(slow: number[]): LatencyTable {
  const t = sampleTable();
  t.layers.forEach((l, i) => (l.ms = l.ms.map((_, j) => (j === slow[i] ? 40 : 1))));
  return t;
}

async function search(table: LatencyTable): Promise<number[][]> {
  const trainer = new SearchTrainer(config, toySource(), {
    space: TINY_SPACE,
    costTable: toCostMatrix(table),
    fixedCost: table.fixedMs,
  });
  try {
    expect(await trainer.run(() => {})).toBe('finished');
    return await trainer.net.probs();
  } finally {
    trainer.dispose();
  }
}

describe('latency-aware search', () => {
  it('avoids the candidates the latency table makes slow', async () => {
    const before = tf.memory().numTensors;
    for (const slow of [
      [0, 1], // k3_e1 at layer 1, k5_e3 at layer 2
      [1, 0], // k3_e3 at layer 1, k3_e1 at layer 2
    ]) {
      const table = tableWithSlow(slow);
      const probs = await search(table);
      probs.forEach((p, l) => {
        const s = slow[l];
        expect(Math.min(...p), `layer ${l} probs ${p.map((v) => v.toFixed(3))}`).toBe(p[s]);
        expect(p[s]).toBeLessThan(1 / p.length);
        expect(argmax(p)).not.toBe(s);
      });
      const derived = probs.map((p) => argmax(p));
      expect(predictLatency(table, derived)).toBe(table.fixedMs + 2);
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});
