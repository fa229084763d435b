/** GDAS single-path steps (search/single-path.ts) for FBNet V1 and FBNetV2's block choice. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentConfig, GumbelPaths } from './experiment.ts';
import { Rng } from './rng.ts';
import { createSearchNet } from './strategies.ts';
import { taskLoss } from './search/loss.ts';
import { readArchValues } from './search/arch-values.ts';
import type { PathMode, SearchNet } from './search/search-net.ts';
import { singlePaths, stepPaths } from './search/single-path.ts';
import { blobLandmarkTask, brighterHalfTask } from './search/toy-sources.ts';
import { LANDMARK_SPACE, THREE_LAYER_SPACE, toyConfig } from './search/toy-spaces.ts';
import { SearchTrainer } from './search/trainer.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Every candidate of LANDMARK_SPACE has weights, so "untouched" is visible for each. */
const v1Config = (paths?: GumbelPaths, hard = true): ExperimentConfig =>
  toyConfig(LANDMARK_SPACE, {
    train: { epochs: 10, stepsPerEpoch: 10, batchSize: 4 },
    gumbel: { hard, ...(paths ? { paths } : {}) },
    loss: { beta: 0.6 },
  });

const v2Config = (paths?: GumbelPaths, hard = true): ExperimentConfig => ({
  ...v1Config(paths, hard),
  strategy: 'fbnet-v2',
  v2: { widthFractions: [0.5, 1], resolutionFactors: [1, 2] },
});

const STRATEGIES = [
  ['fbnet-v1', v1Config],
  ['fbnet-v2', v2Config],
] as const;

const landmarks = () => blobLandmarkTask(8, { weights: 24, arch: 16, val: 6 }, 3);

function images(n: number, seed: number): tf.Tensor4D {
  const rng = new Rng(seed);
  return tf.tensor4d(
    Float32Array.from({ length: n * 64 }, () => rng.next()),
    [n, 8, 8, 1],
  );
}

/** A sample whose draws differ between layers, relaxed with hard samples inside `f`. */
async function drawn(net: SearchNet, seed: number) {
  // θ away from uniform, so the softmax couples the candidates with distinct weights
  tf.tidy(() => net.thetas().forEach((t, l) => t.assign(tf.mul(tf.range(0, t.size), 0.3 * (l + 1)))));
  return net.drawSample(new Rng(seed), await readArchValues(net.archVariables()));
}

describe.each(STRATEGIES)('single-path (GDAS) steps, %s', (_, config) => {
  it("an arch step's forward is the sampled subnet's, and θ gets a gradient for every candidate", async () => {
    const source = landmarks();
    const net = createSearchNet(config('single'), LANDMARK_SPACE);
    const x = images(4, 5);
    const sample = await drawn(net, 9);
    // the sampled subnet: every searched dimension at its draw, only the drawn blocks run
    const forward = (paths: PathMode) =>
      tf.tidy(() => net.forwardStep(x, sample, net.relax(sample, 1, true), paths).arraySync());
    const single = forward('single');
    const sampled = forward('sampled');
    single.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(sampled[i][j], 5)));
    if (net.archVariables().length === net.thetas().length) {
      // V1 searches blocks alone: bit for bit the index path, and the derived network (inherited weights)
      expect(single).toEqual(sampled);
      const { model } = await net.deriveModel(await net.choicesWithBlocks(sample.blocks), 'sampled');
      const plain = tf.tidy(() => model.apply(x, true).arraySync());
      plain.forEach((row, i) => row.forEach((v, j) => expect(single[i][j]).toBeCloseTo(v, 5)));
      model.dispose();
    }
    // θ of every layer gets a nonzero gradient for every candidate, through the sampled path alone
    // (task loss only: no cost term)
    const { value, grads } = tf.variableGrads(() => {
      const relaxed = net.relax(sample, 1, true);
      return taskLoss(
        net.task,
        net.forwardStep(x, sample, relaxed, 'single'),
        source.batchAt('arch', [0, 1, 2, 3]).y,
      );
    }, net.thetas());
    for (const t of net.thetas()) {
      const g = Array.from(await grads[t.name].data());
      expect(g.length).toBe(t.size);
      g.forEach((v) => expect(Math.abs(v)).toBeGreaterThan(1e-9));
      // the gradients of a softmax's logits sum to zero
      expect(g.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 6);
    }
    tf.dispose([value, ...Object.values(grads), x]);
    net.dispose();
    source.dispose();
  });

  it('touches only the sampled candidates: weight gradients and BatchNorm statistics', async () => {
    const net = createSearchNet(config('single'), LANDMARK_SPACE);
    const x = images(4, 6);
    const sample = await drawn(net, 4);
    const params = net.weightParams();
    const own = (name: string) =>
      net.layers
        .flatMap((layer, l) =>
          layer.candidates.map((c, i) => ({ l, i, hit: name.startsWith(`body/${layer.bodyIndex}/${c}/`) })),
        )
        .find((o) => o.hit);
    const stats = params.filter((p) => !p.trainable);
    const before = await Promise.all(stats.map((p) => p.variable.data()));
    const trainable = params.filter((p) => p.trainable);
    const grads = (paths: PathMode) => {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(net.forwardStep(x, sample, net.relax(sample, 1, true), paths)) as tf.Scalar,
        trainable.map((p) => p.variable),
      );
      const present = new Set(Object.keys(grads));
      tf.dispose([value, ...Object.values(grads)]);
      return present;
    };
    const single = grads('single');
    const after = await Promise.all(stats.map((p) => p.variable.data()));
    let candidateParams = 0;
    for (const p of trainable) {
      const o = own(p.name);
      if (!o) continue;
      candidateParams++;
      expect(single.has(p.variable.name), p.name).toBe(o.i === sample.blocks[o.l]);
    }
    expect(candidateParams).toBeGreaterThan(0);
    stats.forEach((p, k) => {
      const o = own(p.name);
      const moved = Array.from(after[k]).some((v, j) => v !== before[k][j]);
      expect(moved, p.name).toBe(!o || o.i === sample.blocks[o.l]);
    });
    // the all-paths mixture reaches every candidate
    const all = grads('all');
    for (const p of trainable) if (own(p.name)) expect(all.has(p.variable.name), p.name).toBe(true);
    x.dispose();
    net.dispose();
  });

  it('an arch step runs fewer kernels in single-path mode than with all paths (same hard samples)', async () => {
    const archKernels = async (paths?: GumbelPaths) => {
      const source = landmarks();
      const t = new SearchTrainer(config(paths), source, { space: LANDMARK_SPACE, featureEvery: 0 });
      await t.stepArch(); // first-call setup (optimizer slots) outside the count
      const { kernels } = await tf.profile(() => t.stepArch().then(() => []));
      t.dispose();
      source.dispose();
      return kernels.length;
    };
    const all = await archKernels();
    const single = await archKernels('single');
    // measured: 872 vs 533 (V1), 2900 vs 1758 (FBNetV2); the unsampled candidates' forward and backward go
    expect(single).toBeLessThan(0.8 * all);
  });

  it('a checkpoint keeps the mode: the restored run continues as the uninterrupted one', async () => {
    const steps = async (t: SearchTrainer, n: number) => {
      const out = [];
      for (let i = 0; i < n; i++) {
        const m = await t.step();
        out.push([m.phase, m.sampled, m.loss, m.probs]);
      }
      return out;
    };
    const options = { space: LANDMARK_SPACE, featureEvery: 0 };
    const whole = new SearchTrainer(config('single'), landmarks(), options);
    const expected = await steps(whole, 8);
    const first = new SearchTrainer(config('single'), landmarks(), options);
    await steps(first, 4);
    const state = structuredClone(await first.state());
    first.dispose();
    expect(state.config.gumbel.paths).toBe('single');
    const resumed = await SearchTrainer.restore(state, landmarks());
    expect(await steps(resumed, 4)).toEqual(expected.slice(4));
    whole.dispose();
    resumed.dispose();
  });

  it.each(['all', 'single'] as const)(
    'keeps the tensor count constant over 100 steps (%s paths)',
    async (paths) => {
      const source = landmarks();
      const t = new SearchTrainer(config(paths === 'single' ? 'single' : undefined), source, {
        space: LANDMARK_SPACE,
        featureEvery: 0,
      });
      const counts: number[] = [];
      const phases = new Set<string>();
      for (let i = 0; i < 100; i++) {
        phases.add((await t.step()).phase);
        counts.push(tf.memory().numTensors);
      }
      expect(phases).toEqual(new Set(['weights', 'arch']));
      expect(new Set(counts.slice(1)).size).toBe(1);
      t.dispose();
      source.dispose();
    },
    60_000,
  );
});

describe('which paths a step runs', () => {
  it("'single' implies hard samples; weight steps run the drawn path, arch steps GDAS's", () => {
    const g = (hard: boolean, paths?: GumbelPaths) => ({ tau0: 5, decay: 0.9, hard, paths });
    expect(stepPaths('weights', g(false), true)).toBe('all');
    expect(stepPaths('arch', g(false), true)).toBe('all');
    expect(stepPaths('weights', g(true), true)).toBe('sampled');
    expect(stepPaths('weights', g(true), false)).toBe('all');
    expect(stepPaths('arch', g(true), true)).toBe('all');
    expect(stepPaths('arch', g(true, 'all'), true)).toBe('all');
    for (const hard of [false, true]) {
      expect(stepPaths('weights', g(hard, 'single'), true)).toBe('sampled');
      expect(stepPaths('arch', g(hard, 'single'), true)).toBe('single');
    }
  });

  it("the weight is 1 in the forward and passes the sample's gradient through", () => {
    const m = tf.tensor1d([0.2, 0.5, 0.3]);
    const w = tf.tidy(() => singlePaths([m], [1]).map((p) => [p.index, p.weight.arraySync()]));
    expect(w).toEqual([[1, 1]]);
    const g = tf.grad((v: tf.Tensor) => tf.mul(singlePaths([v as tf.Tensor1D], [2])[0].weight, 3))(m);
    expect(Array.from(g.dataSync())).toEqual([0, 0, 3]);
    expect(() => singlePaths([m], [3])).toThrow(/no candidate 3/);
    tf.dispose([m, g]);
  });

  it('rejects an unknown paths setting when the trainer is built', () => {
    const config = toyConfig(THREE_LAYER_SPACE);
    (config.gumbel as { paths?: string }).paths = 'two';
    const source = brighterHalfTask(8, { weights: 8, arch: 8, val: 4 }, 5);
    expect(() => new SearchTrainer(config, source, { space: THREE_LAYER_SPACE })).toThrow(
      /Unknown gumbel.paths "two"/,
    );
  });
});
