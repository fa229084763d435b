import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countCost } from '../cost/count.ts';
import { candidateCostTable, fixedCost } from '../cost/table.ts';
import type { ExperimentConfig } from '../experiment.ts';
import { Rng } from '../rng.ts';
import { blobLandmarkTask } from '../search/toy-sources.ts';
import { LANDMARK_SPACE, toyConfig } from '../search/toy-spaces.ts';
import { SearchTrainer } from '../search/trainer.ts';
import { choicesMix } from '../v2/derive.ts';
import type { FbnetV2Net } from '../v2/v2-net.ts';
import { subsample } from '../v2/resolution.ts';
import { derivedSource, deriveSubnet } from './derive.ts';
import { trainModel } from './finetune.ts';
import {
  deriveFromSearch,
  expectedSearchCost,
  searchLatencyTable,
  searchLayers,
  searchProbs,
} from './from-search.ts';

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

/** Logits that make option `i` of `n` the most likely by `margin`. */
const favour = (n: number, i: number, margin = 3) =>
  Float32Array.from({ length: n }, (_, k) => (k === i ? margin : 0));

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) =>
  tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).arraySync() as number);

describe('results from an FBNetV2 search', () => {
  let t: SearchTrainer;
  beforeAll(async () => {
    t = new SearchTrainer(config('fbnet-v2'), data(), { space: LANDMARK_SPACE });
    await t.step();
    const net = (t.net as FbnetV2Net).masked;
    // argmax: the narrow width at layer 0, the full one at layer 1, half resolution
    tf.tidy(() => {
      net.layers[0].widthSearch!.logits.assign(tf.tensor1d(favour(2, 0)));
      net.layers[1].widthSearch!.logits.assign(tf.tensor1d(favour(2, 1)));
      net.resolution!.logits.assign(tf.tensor1d(favour(2, 1)));
    });
  });
  afterAll(() => t.dispose());

  it('derives the argmax widths and resolution; the subnet reproduces the masked supernet', async () => {
    const { model, summary: s } = await deriveSubnet(t, { mode: 'argmax' });
    const net = (t.net as FbnetV2Net).masked;
    expect(s.v2?.factor).toBe(2);
    expect(s.v2?.searchInputSize).toBe(8);
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
    const xs = subsample(batch.x, 2);
    const pred = model.apply(xs, true);
    expect(maxAbsDiff(pred, ref)).toBeLessThan(1e-5);
    tf.dispose([batch.x, batch.y, ref, xs, pred]);
    model.dispose();
  });

  it('keeps hand-edited blocks with the argmax widths; samples valid options', async () => {
    const m = await deriveSubnet(t, { mode: 'manual', choices: [2, 0] });
    expect(m.summary.choices).toEqual([2, 0]);
    expect(m.summary.v2?.choices).toMatchObject({ blocks: [2, 0], widths: [0, 1], resolution: 1 });
    expect(m.summary.v2?.widths).toEqual([2, 4]);
    m.model.dispose();
    for (let draw = 1; draw <= 3; draw++) {
      const { model, summary: s } = await deriveSubnet(t, { mode: 'sample', draw });
      s.v2!.widths.forEach((w) => expect([2, 4]).toContain(w));
      expect([1, 2]).toContain(s.v2!.factor);
      expect(s.inputSize).toBe(Math.ceil(8 / s.v2!.factor));
      model.dispose();
    }
  });

  it('samples reproducibly: the same draw gives the same network', async () => {
    const a = await deriveSubnet(t, { mode: 'sample', draw: 5 });
    const b = await deriveSubnet(t, { mode: 'sample', draw: 5 });
    expect(b.summary.choices).toEqual(a.summary.choices);
    expect(b.summary.v2).toEqual(a.summary.v2);
    a.model.dispose();
    b.model.dispose();
  });

  it('finetunes the half-resolution subnet on subsampled batches without leaking tensors', async () => {
    const { model, summary } = await deriveSubnet(t, { mode: 'argmax' });
    const before = tf.memory().numTensors;
    const opts = { steps: 2, lr: 0.01, batchSize: 4, seed: 1 };
    const f = await trainModel(model, derivedSource(t.source, summary), opts, () => {});
    expect(f.outcome).toBe('finished');
    expect(f.losses).toHaveLength(2);
    expect(f.losses.every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('the soft effective cost at a near one-hot distribution is the derived network’s counted cost', async () => {
    const net = (t.net as FbnetV2Net).masked;
    const saved = await Promise.all(
      [
        ...net.layers.flatMap((l): (tf.Variable | undefined)[] => [
          l.theta,
          l.widthSearch?.logits,
          l.expansionSearch?.logits,
        ]),
        net.resolution?.logits,
      ]
        .filter((v): v is tf.Variable => !!v)
        .map(async (v) => ({ v, data: await v.data() })),
    );
    // every searched dimension pushed to one option: e^-40 leaves the others no measurable weight
    tf.tidy(() => {
      for (const { v } of saved) v.assign(tf.tensor1d(favour(v.shape[0]!, 0, 40)));
    });
    const probs = await searchProbs(t);
    const { cost, basis } = await expectedSearchCost(t);
    const { model } = await deriveFromSearch(t, await t.net.choicesWithBlocks(probs.map(() => 0)), 'one-hot');
    const counted = countCost(model.arch);
    expect(cost.macs).toBeCloseTo(counted.macs, 0);
    expect(cost.params).toBeCloseTo(counted.params, 0);
    expect(basis).toContain('effective cost');
    model.dispose();
    tf.tidy(() => {
      for (const { v, data } of saved) v.assign(tf.tensor1d(data as Float32Array));
    });
  });
});

describe('results from an FBNetV1 search', () => {
  let t: SearchTrainer;
  beforeAll(() => {
    t = new SearchTrainer(config('fbnet-v1'), data(), { space: LANDMARK_SPACE });
  });
  afterAll(() => t.dispose());

  it('derives at the search input size with no V2 part', async () => {
    const { model, summary: s } = await deriveSubnet(t, { mode: 'argmax' });
    expect(s.v2).toBeUndefined();
    expect(s.inputSize).toBe(8);
    expect(s.layers.map((l) => l.out)).toEqual(
      LANDMARK_SPACE.body.flatMap((e) => (e.kind === 'search' ? [e.out] : [])),
    );
    expect(searchLayers(t).map((l) => l.index)).toEqual(
      LANDMARK_SPACE.body.flatMap((e, i) => (e.kind === 'search' ? [i] : [])),
    );
    model.dispose();
  });

  it('the expected cost is Σ p·cost per layer plus the fixed part, by hand', async () => {
    const probs = await searchProbs(t);
    const { cost, basis } = await expectedSearchCost(t);
    const table = candidateCostTable(LANDMARK_SPACE, {}, 8);
    const fixed = fixedCost(LANDMARK_SPACE, 8);
    let macs = fixed.macs;
    let params = fixed.params;
    table.forEach((row, l) =>
      row.macs.forEach((m, i) => {
        macs += probs[l][i] * m;
        params += probs[l][i] * row.params[i];
      }),
    );
    expect(cost.macs).toBeCloseTo(macs, 6);
    expect(cost.params).toBeCloseTo(params, 6);
    expect(basis).toBe('cost expected under softmax(θ)');
    expect(searchLatencyTable(t)).toBeNull();
  });

  it('a V1 sample is the block draw of the seeded stream', async () => {
    const probs = await searchProbs(t);
    const { model, summary } = await deriveSubnet(t, { mode: 'sample', draw: 2 });
    const rng = new Rng((t.config.seeds.gumbel * 7919 + t.stepsDone * 31 + 2) >>> 0);
    // inverse CDF, one uniform per layer: the first index whose running sum exceeds u
    const expected = probs.map((p) => {
      const u = rng.next();
      let acc = 0;
      for (let i = 0; i < p.length; i++) if (u < (acc += p[i])) return i;
      return p.length - 1;
    });
    expect(summary.choices).toEqual(expected);
    model.dispose();
  });
});

function argmaxOf(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}
