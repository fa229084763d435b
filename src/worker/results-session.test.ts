import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentConfig } from '../nas/experiment.ts';
import { SearchTrainer } from '../nas/search/trainer.ts';
import { blobLandmarkTask } from '../nas/search/toy-sources.ts';
import { LANDMARK_SPACE, toyConfig } from '../nas/search/toy-spaces.ts';
import { choicesMix } from '../nas/v2/derive.ts';
import { subsample } from '../nas/v2/resolution.ts';
import { ResultsSession } from './results-session.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const data = () => blobLandmarkTask(8, { weights: 12, arch: 6, val: 4 }, 3);

function config(strategy: 'fbnet-v1' | 'fbnet-v2'): ExperimentConfig {
  const base = toyConfig(LANDMARK_SPACE, { train: { epochs: 1, stepsPerEpoch: 1, batchSize: 4 } });
  return strategy === 'fbnet-v1'
    ? base
    : { ...base, strategy, v2: { widthFractions: [0.5, 1], resolutionFactors: [1, 2] } };
}

/** Logits that make option `i` of `n` the most likely. */
const favour = (n: number, i: number) => Float32Array.from({ length: n }, (_, k) => (k === i ? 3 : 0));

describe('ResultsSession on an FBNetV2 run', () => {
  let t: SearchTrainer;
  let session: ResultsSession;
  beforeAll(async () => {
    t = new SearchTrainer(config('fbnet-v2'), data(), { space: LANDMARK_SPACE });
    await t.step();
    const net = t.masked!;
    // argmax: the narrow width at layer 0, the full one at layer 1, half resolution
    tf.tidy(() => {
      net.layers[0].widthSearch!.logits.assign(tf.tensor1d(favour(2, 0)));
      net.layers[1].widthSearch!.logits.assign(tf.tensor1d(favour(2, 1)));
      net.resolution!.logits.assign(tf.tensor1d(favour(2, 1)));
    });
    session = new ResultsSession(
      () => {},
      () => t,
    );
  });
  afterAll(() => {
    session.dispose();
    t.dispose();
  });

  it('derives the argmax widths and resolution; the subnet reproduces the masked supernet', async () => {
    const s = await session.derive({ mode: 'argmax' });
    const net = t.masked!;
    expect(s.v2?.factor).toBe(2);
    expect(s.inputSize).toBe(4);
    expect(s.arch.input.size).toBe(4);
    expect(s.v2?.widths).toEqual([2, 4]);
    expect(s.layers.map((l) => l.out)).toEqual([2, 4]);
    expect(s.v2?.choices).toMatchObject({ widths: [0, 1], resolution: 1 });
    expect(s.choices).toEqual(await Promise.all(net.layers.map(async (l) => argmaxOf(await l.theta.data()))));
    const batch = t.source.batchAt('val', [0, 1, 2, 3]);
    // training-mode BatchNorm (batch statistics): the inherited weights reproduce the path exactly, while
    // the running statistics were deliberately recalibrated for the subnet at derive time
    const ref = net.forward(batch.x, true, choicesMix(s.v2!.choices));
    const model = (
      session as unknown as { subnet: { model: { apply(x: tf.Tensor4D, training: boolean): tf.Tensor } } }
    ).subnet.model;
    const xs = subsample(batch.x, 2);
    const pred = model.apply(xs, true);
    expect(tf.max(tf.abs(tf.sub(pred, ref))).arraySync()).toBeLessThan(1e-5);
    tf.dispose([batch.x, batch.y, ref, xs, pred]);
  });

  it('keeps hand-edited blocks with the argmax widths; samples valid options', async () => {
    const m = await session.derive({ mode: 'manual', choices: [2, 0] });
    expect(m.choices).toEqual([2, 0]);
    expect(m.v2?.choices).toMatchObject({ blocks: [2, 0], widths: [0, 1], resolution: 1 });
    expect(m.v2?.widths).toEqual([2, 4]);
    for (let i = 0; i < 3; i++) {
      const s = await session.derive({ mode: 'sample' });
      s.v2!.widths.forEach((w) => expect([2, 4]).toContain(w));
      expect([1, 2]).toContain(s.v2!.factor);
      expect(s.inputSize).toBe(Math.ceil(8 / s.v2!.factor));
    }
  });

  it('finetunes the half-resolution subnet on subsampled batches without leaking tensors', async () => {
    await session.derive({ mode: 'argmax' });
    const before = tf.memory().numTensors;
    const f = await session.finetune({ steps: 2, lr: 0.01, fromScratch: false });
    expect(f.outcome).toBe('finished');
    expect(f.losses.every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('ResultsSession on an FBNetV1 run', () => {
  it('derives at the search input size with no V2 part', async () => {
    const t = new SearchTrainer(config('fbnet-v1'), data(), { space: LANDMARK_SPACE });
    const session = new ResultsSession(
      () => {},
      () => t,
    );
    const s = await session.derive({ mode: 'argmax' });
    expect(s.v2).toBeUndefined();
    expect(s.inputSize).toBe(8);
    expect(s.layers.map((l) => l.out)).toEqual(
      LANDMARK_SPACE.body.flatMap((e) => (e.kind === 'search' ? [e.out] : [])),
    );
    session.dispose();
    t.dispose();
  });
});

function argmaxOf(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}
