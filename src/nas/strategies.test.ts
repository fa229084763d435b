/**
 * Every registered strategy through the SearchNet interface: constant tensor count over steps, derivation
 * equal to the code it replaced (the search session's derive), inherited models that reproduce the
 * supernet, and the soft cost the results compare against.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { countCost } from './cost/count.ts';
import { candidateCostTable, expectedCost, fixedCost } from './cost/table.ts';
import type { ExperimentConfig } from './experiment.ts';
import { inheritWeights } from './finetune/inherit.ts';
import { recalibrateBatchNorm } from './finetune/recalibrate.ts';
import { Rng } from './rng.ts';
import { deriveBlocks } from './search/derive.ts';
import { argmax, softmaxArray } from './search/gumbel.ts';
import { blobLandmarkTask } from './search/toy-sources.ts';
import { LANDMARK_SPACE, toyConfig } from './search/toy-spaces.ts';
import { SearchTrainer } from './search/trainer.ts';
import { FbnetV1Net } from './search/v1-net.ts';
import { archFromChoices } from './spaces/derive.ts';
import { argmaxChoices, deriveArch } from './v2/derive.ts';
import { subsample } from './v2/resolution.ts';
import { FbnetV2Net } from './v2/v2-net.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const data = () => blobLandmarkTask(8, { weights: 12, arch: 8, val: 4 }, 3);

function config(strategy: 'fbnet-v1' | 'fbnet-v2', hard = false): ExperimentConfig {
  const base = toyConfig(LANDMARK_SPACE, {
    train: { epochs: 2, stepsPerEpoch: 2, batchSize: 4 },
    gumbel: { hard },
    loss: { beta: 0.6 },
  });
  return strategy === 'fbnet-v1'
    ? base
    : { ...base, strategy, v2: { widthFractions: [0.5, 1], resolutionFactors: [1, 2] } };
}

/** The search session's derivation before the SearchNet interface (its own sampler included). */
async function oldDerive(t: SearchTrainer, mode: 'argmax' | 'sample') {
  const theta = await Promise.all(t.net.thetas().map(async (v) => Array.from(await v.data())));
  const probs = theta.map((row) => softmaxArray(row));
  const rng = new Rng(t.config.seeds.gumbel ^ t.stepsDone);
  const choices = probs.map((p) => {
    if (mode === 'argmax') return argmax(p);
    let u = rng.next();
    for (let i = 0; i < p.length; i++) if ((u -= p[i]) <= 0) return i;
    return p.length - 1;
  });
  const name = 'x';
  if (t.net instanceof FbnetV2Net) {
    const v2 = await argmaxChoices(t.net.masked);
    const { arch } = deriveArch(t.net.masked.plan, { ...v2, blocks: choices }, name);
    return { arch, choices, cost: countCost(arch) };
  }
  const arch = archFromChoices(t.net.space, choices, name);
  return {
    arch,
    choices,
    cost: countCost(arch, { size: t.config.inputSize, channels: arch.input.channels }),
  };
}

/** Random architecture logits so argmax / samples are not all the first option. */
function scramble(t: SearchTrainer, seed: number, scale = 1.5): void {
  const rng = new Rng(seed);
  tf.tidy(() =>
    t.net
      .archVariables()
      .forEach((v) => v.assign(tf.tensor1d(Array.from({ length: v.size }, () => scale * rng.normal())))),
  );
}

async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0];
  d.dispose();
  return v;
}

describe.each(['fbnet-v1', 'fbnet-v2'] as const)('%s through SearchNet', (strategy) => {
  it.each([false, true])('keeps the tensor count constant over a whole run (hard %s)', async (hard) => {
    const t = new SearchTrainer(config(strategy, hard), data(), { space: LANDMARK_SPACE, featureEvery: 0 });
    const counts: number[] = [];
    const outcome = await t.run(() => counts.push(tf.memory().numTensors));
    expect(outcome).toBe('finished');
    expect(counts.length).toBe(t.totalSteps);
    expect(new Set(counts.slice(1)).size).toBe(1);
    t.dispose();
  });

  it('derives as the search session did: argmax and samples, arch and counted cost', async () => {
    const t = new SearchTrainer(config(strategy), data(), { space: LANDMARK_SPACE });
    expect(t.net).toBeInstanceOf(strategy === 'fbnet-v1' ? FbnetV1Net : FbnetV2Net);
    for (const seed of [1, 2, 3, 4]) {
      scramble(t, seed);
      for (const mode of ['argmax', 'sample'] as const) {
        const old = await oldDerive(t, mode);
        const d = await deriveBlocks(t.net, mode, new Rng(t.config.seeds.gumbel ^ t.stepsDone), 'x');
        expect(d.choices.blocks).toEqual(old.choices);
        expect(d.arch).toEqual(old.arch);
        expect([d.macs, d.params]).toEqual([old.cost.macs, old.cost.params]);
        const probs = await t.net.probs();
        expect(d.probs).toEqual(old.choices.map((c, l) => probs[l][c]));
      }
    }
    t.dispose();
  });

  it('builds the derived model with inherited weights: it predicts what the supernet does at those choices', async () => {
    const t = new SearchTrainer(config(strategy), data(), { space: LANDMARK_SPACE });
    await t.step();
    scramble(t, 5);
    const rng = new Rng(9);
    for (const choices of [await t.net.argmaxChoices(), await t.net.sampleChoices(rng)]) {
      const { model, derived } = await t.net.deriveModel(choices, 'derived');
      expect(model.arch).toEqual(t.net.deriveArch(choices, 'derived').arch);
      const batch = t.source.batchAt('val', [0, 1, 2, 3]);
      const inSupernet = t.net.forwardChoices(batch.x, false, choices);
      const small = subsample(batch.x, derived.factor);
      const plain = model.predict(small);
      expect(await maxAbsDiff(plain, inSupernet)).toBeLessThan(1e-4);
      tf.dispose([batch.x, batch.y, inSupernet, plain, small]);
      model.dispose();
    }
    t.dispose();
  });

  it('soft cost: the expectation under softmax, the derived network’s cost at one-hot logits', async () => {
    const t = new SearchTrainer(config(strategy), data(), { space: LANDMARK_SPACE });
    scramble(t, 6);
    const soft = await t.net.softCost();
    if (strategy === 'fbnet-v1') {
      const size = t.config.inputSize;
      const table = candidateCostTable(t.space, t.config.candidateEdits, size);
      expect(soft).toEqual(expectedCost(table, await t.net.probs(), fixedCost(t.space, size)));
    }
    // softmax ≈ one-hot at each variable's argmax
    tf.tidy(() =>
      t.net
        .archVariables()
        .forEach((v) => v.assign(tf.mul(tf.oneHot(tf.argMax(v), v.size), 60) as tf.Tensor1D)),
    );
    const { arch } = t.net.deriveArch(await t.net.argmaxChoices(), 'x');
    const counted = countCost(arch);
    const peaked = await t.net.softCost();
    expect(peaked.macs / counted.macs).toBeCloseTo(1, 4);
    expect(peaked.params / counted.params).toBeCloseTo(1, 4);
    t.dispose();
  });

  it('validation predicts with the argmax architecture (V1: inherited and recalibrated)', async () => {
    const t = new SearchTrainer(config(strategy), data(), { space: LANDMARK_SPACE });
    await t.step();
    scramble(t, 8);
    const choices = await t.net.argmaxChoices();
    const predictor = await t.net.argmaxPredictor(t.source, 4);
    const batch = t.source.batchAt('val', [0, 1, 2, 3]);
    const got = predictor.predict(batch.x);
    let want: tf.Tensor;
    if (t.net instanceof FbnetV1Net) {
      const model = inheritWeights(t.net, choices.blocks, 'reference');
      await recalibrateBatchNorm(model, t.source, { batchSize: 4 });
      want = model.predict(batch.x);
      model.dispose();
    } else {
      want = t.net.forwardChoices(batch.x, false, choices);
    }
    expect(await maxAbsDiff(got, want)).toBe(0);
    tf.dispose([got, want, batch.x, batch.y]);
    predictor.dispose();
    t.dispose();
  });
});
