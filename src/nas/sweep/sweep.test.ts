import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../data/synthface.ts';
import { LandmarkSource } from '../data/landmark-source.ts';
import { DEFAULT_EXPERIMENT, type ExperimentConfig } from '../experiment.ts';
import { registerFastCpuKernels } from '../kernels/index.ts';
import { runLayout } from '../search/run-layout.ts';
import { SearchTrainer } from '../search/trainer.ts';
import { checkStandalone, explainGap } from './standalone.ts';
import {
  checkWeights,
  DEFAULT_SWEEP_BETAS,
  runSweep,
  sweepWeights,
  sweepWork,
  withWeight,
  type SweepProgress,
} from './sweep.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerFastCpuKernels();
});

/**
 * The e2e TINY sizes: 40 faces at 32 px, batch 4, 2 epochs of 3 iterations, 1 of them warm-up; FBNet's
 * all-paths soft mixture, so every candidate's θ moves in each of the three architecture steps (with single
 * paths only the sampled ones would, and three steps would not separate the points).
 */
function tinyConfig(): ExperimentConfig {
  const c = structuredClone(DEFAULT_EXPERIMENT);
  c.gumbel = { tau0: c.gumbel.tau0, decay: c.gumbel.decay, hard: false };
  c.dataset = { kind: 'synthface', count: 40, size: 32, difficulty: 0.5, seed: 1 };
  c.inputSize = 32;
  c.train = { ...c.train, batchSize: 4, epochs: 2, stepsPerEpoch: 3, warmupEpochs: 1 };
  return c;
}

function tinySource(c: ExperimentConfig): LandmarkSource {
  const data = generateDataset({ count: 40, size: 32, difficulty: 0.5, seed: 1 });
  return new LandmarkSource(data, {
    valFraction: c.train.valFraction,
    splitSeed: c.seeds.split,
    inputSize: 32,
  });
}

const RECIPE = { steps: 5, lr: 0.005 };

describe('sweep weights', () => {
  it('keeps α, sets β per point and copies the experiment', () => {
    const c = tinyConfig();
    const w = sweepWeights(c, [0, 2, 8]);
    expect(w).toEqual([
      { alpha: c.loss.alpha, beta: 0 },
      { alpha: c.loss.alpha, beta: 2 },
      { alpha: c.loss.alpha, beta: 8 },
    ]);
    const e = withWeight(c, { alpha: 0.5, beta: 3 });
    expect(e.loss).toEqual({ ...c.loss, alpha: 0.5, beta: 3 });
    expect(c.loss.beta).toBe(DEFAULT_EXPERIMENT.loss.beta);
    e.train.epochs = 99;
    expect(c.train.epochs).toBe(2);
  });

  it('rejects no weights, α ≤ 0 and negative or non-finite β with a message', () => {
    expect(() => checkWeights([])).toThrow(/at least one/);
    expect(() => checkWeights([{ alpha: 0, beta: 1 }])).toThrow(/α must be/);
    expect(() => checkWeights([{ alpha: 0.2, beta: -1 }])).toThrow(/β must be/);
    expect(() => checkWeights([{ alpha: 0.2, beta: NaN }])).toThrow(/β must be/);
  });

  it('counts the warm-up once and every point’s search and finetune steps', () => {
    // warm-up 1 × 3 weight steps; search 1 epoch × 3 iterations × 2 steps; 5 finetune steps per point
    expect(sweepWork(tinyConfig(), 3, RECIPE)).toEqual({
      warmup: 3,
      search: 6,
      finetune: 5,
      baseline: 5,
      total: 41,
    });
    expect(sweepWork(tinyConfig(), 3, RECIPE, false).total).toBe(36);
  });

  it('explains the gap in one sentence with both numbers', () => {
    const s = explainGap(19.5, 10.25, 'the derived network after 100 finetune steps');
    expect(s).toContain('19.50 %');
    expect(s).toContain('10.25 %');
    expect(s).toContain('9.25 points worse than');
    expect(s).toContain('100 finetune steps');
    expect(s.split('. ').length).toBe(1);
    expect(explainGap(10, 12, 'it')).toContain('2.00 points better than it (12.00 %)');
    expect(explainGap(10, 10.01, 'it')).toContain('about the same as it');
  });
});

describe('runSweep on the classroom space', () => {
  it(`β ${DEFAULT_SWEEP_BETAS.join(' / ')}: MACs strictly fall as β rises, every point evaluated`, async () => {
    const c = tinyConfig();
    const source = tinySource(c);
    const before = tf.memory().numTensors;
    const progress: SweepProgress[] = [];
    const r = await runSweep(c, source, {
      weights: sweepWeights(c, DEFAULT_SWEEP_BETAS),
      recipe: RECIPE,
      onProgress: (p) => progress.push(p),
    });
    expect(r.outcome).toBe('finished');
    expect(r.points.map((p) => p.beta)).toEqual([0, 2, 8]);
    const macs = r.points.map((p) => p.summary.macs);
    // measured at these seeds: 1268224 > 601344 > 405248
    expect(macs[0]).toBeGreaterThan(macs[1]);
    expect(macs[1]).toBeGreaterThan(macs[2]);
    for (const p of r.points) {
      expect(p.steps).toBe(RECIPE.steps);
      expect(Number.isFinite(p.standaloneNme)).toBe(true);
      expect(Number.isFinite(p.supernetNme!)).toBe(true);
      expect(p.summary.choices).toHaveLength(5);
      expect(p.estimateBasis).toContain('BatchNorm statistics recalibrated');
    }
    // the PFLD baseline at 32 px, from scratch with the same recipe
    expect(r.baseline!.macs).toBe(721344);
    expect(r.baseline!.steps).toBe(RECIPE.steps);
    expect(Number.isFinite(r.baseline!.nme)).toBe(true);
    // one shared warm-up: 3 + 3 × (6 + 5) + 5 units, counted one by one up to the total
    expect(progress.at(-1)).toEqual({ stage: 'baseline', point: -1, done: 41, total: 41 });
    expect(progress.filter((p) => p.stage === 'warm-up')).toHaveLength(3);
    expect(progress.map((p) => p.done)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    expect(tf.memory().numTensors).toBe(before);
    source.dispose();
  }, 120_000);

  it('a point continued from the shared warm-up is the run it would have been on its own', async () => {
    const c = tinyConfig();
    const source = tinySource(c);
    const w = { alpha: c.loss.alpha, beta: 2 };
    const swept = await runSweep(c, source, {
      weights: [{ alpha: c.loss.alpha, beta: 8 }, w],
      recipe: RECIPE,
      baseline: false,
    });
    const alone = new SearchTrainer(withWeight(c, w), source);
    try {
      expect(await alone.run(() => undefined)).toBe('finished');
      const check = await checkStandalone(alone, { recipe: RECIPE });
      const point = swept.points[1];
      expect(point.summary.choices).toEqual(check.summary.choices);
      expect(point.supernetNme).toBeCloseTo(check.supernetNme!, 4);
      expect(point.standaloneNme).toBeCloseTo(check.standaloneNme, 4);
    } finally {
      alone.dispose();
      source.dispose();
    }
  }, 120_000);

  it('stops on abort with the points finished so far and no tensors left behind', async () => {
    const c = tinyConfig();
    const source = tinySource(c);
    const before = tf.memory().numTensors;
    const abort = new AbortController();
    const r = await runSweep(c, source, {
      weights: sweepWeights(c, [0, 8]),
      recipe: RECIPE,
      signal: abort.signal,
      onPoint: () => abort.abort(),
    });
    expect(r.outcome).toBe('aborted');
    expect(r.points).toHaveLength(1);
    expect(r.baseline).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
    source.dispose();
  }, 120_000);
});

describe('what the live estimate measures', () => {
  it('says per strategy whether the argmax path is copied out with BatchNorm recalibrated', () => {
    const c = tinyConfig();
    const source = tinySource(c);
    const v1 = new SearchTrainer(c, source);
    const v2 = new SearchTrainer({ ...c, strategy: 'fbnet-v2' }, source);
    try {
      expect(runLayout(v1).estimateBasis).toContain('copied out of the supernet');
      expect(runLayout(v1).estimateBasis).toContain('BatchNorm statistics recalibrated');
      expect(runLayout(v2).estimateBasis).toContain('inside the supernet');
      expect(runLayout(v2).estimateBasis).toContain('not recalibrated');
    } finally {
      v1.dispose();
      v2.dispose();
      source.dispose();
    }
  });
});
