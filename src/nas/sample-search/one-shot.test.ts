import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateModel } from '../finetune/evaluate.ts';
import { inheritWeights } from '../finetune/inherit.ts';
import { recalibrateBatchNorm } from '../finetune/recalibrate.ts';
import { Rng } from '../rng.ts';
import type { Supernet } from '../search/supernet.ts';
import { blobLandmarkTask } from '../search/toy-sources.ts';
import { LANDMARK_SPACE, toyConfig } from '../search/toy-spaces.ts';
import { SearchTrainer } from '../search/trainer.ts';
import { OneShotEvaluator, scoreOneShot } from './one-shot.ts';
import { SampleSearch } from './sample-search.ts';
import { SposNet, sposConfig } from './spos-net.ts';
import { tokenSpaceOf } from './token-spaces.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const data = () => blobLandmarkTask(8, { weights: 16, arch: 8, val: 8 }, 3);
const config = () =>
  sposConfig(
    toyConfig(LANDMARK_SPACE, { train: { epochs: 2, stepsPerEpoch: 6, batchSize: 4, warmupEpochs: 0 } }),
  );

describe('SPOS supernet training', () => {
  let t: SearchTrainer;
  beforeAll(async () => {
    t = new SearchTrainer(config(), data(), { space: LANDMARK_SPACE });
  });
  afterAll(() => t.dispose());

  it('is a SearchNet strategy: weight steps only, one uniform path each, θ frozen at zero', async () => {
    expect(t.net).toBeInstanceOf(SposNet);
    expect(t.totalSteps).toBe(12);
    const before = await Promise.all(t.net.thetas().map((v) => v.data()));
    const tensors = tf.memory().numTensors;
    const sampled: number[][] = [];
    while (!t.done) {
      const m = await t.step();
      expect(m.phase).toBe('weights');
      expect(m.nonFinite).toBe(false);
      sampled.push(m.sampled);
    }
    expect(tf.memory().numTensors).toBe(tensors);
    const after = await Promise.all(t.net.thetas().map((v) => v.data()));
    expect(after).toEqual(before);
    expect(after.every((a) => a.every((v) => v === 0))).toBe(true);
    expect(sampled.every((s) => s.every((b, l) => b >= 0 && b < t.net.layers[l].candidates.length))).toBe(
      true,
    );
  });

  it('keeps θ at zero even when a config schedules architecture steps', async () => {
    const c = config();
    const mixed = { ...c, train: { ...c.train, warmupEpochs: 0, epochs: 1, stepsPerEpoch: 2 } };
    const u = new SearchTrainer(mixed, data(), { space: LANDMARK_SPACE });
    try {
      const phases: string[] = [];
      while (!u.done) phases.push((await u.step()).phase);
      expect(phases).toEqual(['weights', 'arch', 'weights', 'arch']);
      const after = await Promise.all(u.net.thetas().map((v) => v.data()));
      expect(after.every((a) => a.every((v) => v === 0))).toBe(true);
    } finally {
      u.dispose();
    }
  });

  it('draws each candidate with probability 1/n', async () => {
    const rng = new Rng(9);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[t.net.drawSample(rng, () => new Float32Array(0)).blocks[0]] += 1;
    for (const c of counts) expect(Math.abs(c / 3000 - 1 / 3)).toBeLessThan(0.03);
  });

  it('scores a candidate as inheritWeights + BN recalibration of the same subnet, once per candidate', async () => {
    const opts = { batchSize: 4, recalibrationBatches: 5 };
    const blocks = [1, 0];
    const got = await scoreOneShot(t, blocks, opts);
    const model = inheritWeights(t.net as unknown as Supernet, blocks, 'reference');
    await recalibrateBatchNorm(model, t.source, { batchSize: 4, batches: 5 });
    const ref = await evaluateModel(model, t.source, { batchSize: 4 });
    model.dispose();
    expect(got.nme).toBe(ref.nme);
    expect(Number.isFinite(got.nme)).toBe(true);

    const ev = new OneShotEvaluator(t, opts);
    const tensors = tf.memory().numTensors;
    const a = await ev.score(blocks);
    const b = await ev.score([1, 0]);
    await ev.score([2, 1]);
    expect(a).toBe(b);
    expect(a.nme).toBe(ref.nme);
    expect(ev.misses).toBe(2);
    expect(ev.hits).toBe(1);
    expect(ev.size).toBe(2);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('drives a sample search over the token space of the supernet', async () => {
    const ev = new OneShotEvaluator(t, { batchSize: 4, recalibrationBatches: 2 });
    const space = tokenSpaceOf(t.net.space);
    expect(space.ranges).toEqual([3, 2]);
    const s = new SampleSearch(
      space,
      { strategy: 'sanas', options: { seed: 1 }, budget: 6, reward: { kind: 'score' } },
      () => 1,
      (tokens) => ev.score(tokens),
    );
    await s.run();
    expect(s.records.length).toBe(6);
    expect(ev.misses).toBe(6);
    expect(s.best()!.nme).toBe(Math.min(...s.records.map((r) => r.nme)));
  });
});
