import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Batch, BatchSource, Split } from '../data/source.ts';
import type { Rng } from '../rng.ts';
import { SearchTrainer, defaultCostUnit } from './trainer.ts';
import type { StepMetrics, TrainerState } from './trainer-state.ts';
import { DEFAULT_EXPERIMENT } from '../experiment.ts';
import { blobLandmarkTask, brighterHalfTask, ToySource } from './toy-sources.ts';
import { LANDMARK_SPACE, THREE_LAYER_SPACE, toyConfig } from './toy-spaces.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const source = () => brighterHalfTask(8, { weights: 40, arch: 24, val: 12 }, 5);
const costTable = [
  [3, 9, 1],
  [3, 9, 1],
  [3, 9, 1],
];
const options = { space: THREE_LAYER_SPACE, costTable, fixedCost: 5, costUnit: 1 };

async function values(vars: tf.Variable[]): Promise<number[][]> {
  return Promise.all(vars.map(async (v) => Array.from(await v.data())));
}

describe('SearchTrainer schedule', () => {
  it('warms up the weights, then alternates weight and arch steps; θ moves only in arch steps', async () => {
    const config = toyConfig(THREE_LAYER_SPACE, {
      train: { epochs: 3, stepsPerEpoch: 2, warmupEpochs: 1 },
      loss: { beta: 0.6 },
    });
    const t = new SearchTrainer(config, source(), options);
    const seen: StepMetrics[] = [];
    expect(await t.run((m) => seen.push(m))).toBe('finished');
    expect(seen.map((m) => m.phase)).toEqual([
      'weights',
      'weights',
      ...Array(4).fill(['weights', 'arch']).flat(),
    ]);
    expect(seen.map((m) => m.epoch)).toEqual([0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(seen.map((m) => m.step)).toEqual([...Array(10).keys()]);
    // τ(epoch) = 5 · 0.956^epoch
    expect(seen[9].tau).toBeCloseTo(5 * 0.956 ** 2, 10);
    // θ is uniform until the first arch step
    for (const m of seen.slice(0, 3))
      m.probs.forEach((p) => p.forEach((v) => expect(v).toBeCloseTo(1 / 3, 12)));
    expect(seen[3].probs[0][0]).not.toBeCloseTo(1 / 3, 4);
    // metrics are consistent: loss = task · α · log(cost)^β with cost = Σ m · COST + fixed
    for (const m of seen) {
      const cost =
        5 + m.gumbelWeights.reduce((s, w, l) => s + w.reduce((a, v, i) => a + v * costTable[l][i], 0), 0);
      expect(m.expectedCost).toBeCloseTo(cost, 3);
      expect(m.costTerm).toBeCloseTo(Math.log(cost) ** 0.6, 4);
      expect(m.loss).toBeCloseTo(m.taskLoss * m.costTerm, 4);
      m.gumbelWeights.forEach((w, l) => expect(m.sampled[l]).toBe(w.indexOf(Math.max(...w))));
      m.probs.forEach((p, l) =>
        expect(m.entropy[l]).toBeCloseTo(-p.reduce((s, v) => s + v * Math.log(v), 0), 6),
      );
    }
    // cosine learning rate: lr0 at the start, decaying
    expect(seen[0].lr).toBeCloseTo(0.3, 10);
    expect(seen[8].lr).toBeLessThan(seen[2].lr);
    expect(seen[3].lr).toBe(0.05);
    await expect(t.step()).rejects.toThrow(/finished/);
    t.dispose();
  });

  it('stops when aborted, and frees every tensor on dispose', async () => {
    const before = tf.memory().numTensors;
    const t = new SearchTrainer(toyConfig(THREE_LAYER_SPACE), source(), options);
    const controller = new AbortController();
    let n = 0;
    const outcome = await t.run(() => {
      if (++n === 3) controller.abort();
    }, controller.signal);
    expect(outcome).toBe('aborted');
    expect(t.stepsDone).toBe(3);
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the tensor count constant from step 2 to step 50 (hard samples, skipping unsampled blocks)', async () => {
    const config = toyConfig(THREE_LAYER_SPACE, {
      train: { epochs: 10, stepsPerEpoch: 10, batchSize: 4 },
      gumbel: { hard: true },
      loss: { beta: 0.6 },
    });
    const t = new SearchTrainer(config, source(), options);
    let at2 = -1;
    for (let i = 1; i <= 50; i++) {
      const m = await t.step();
      if (m.phase === 'weights' && config.gumbel.hard) {
        m.gumbelWeights.forEach((w) => expect([...w].sort()).toEqual([0, 0, 1]));
      }
      if (i === 2) at2 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(at2);
    await t.evaluate();
    await t.state();
    expect(tf.memory().numTensors).toBe(at2);
    t.dispose();
  });

  it('does not apply a non-finite step and reports it', async () => {
    const inner = source();
    // a source whose 'arch' batches carry NaN targets
    const poisoned: BatchSource = {
      task: inner.task,
      inputSize: inner.inputSize,
      channels: inner.channels,
      outputs: inner.outputs,
      count: (s: Split) => inner.count(s),
      batchAt(s: Split, idx: number[], rng?: Rng): Batch {
        const b = inner.batchAt(s, idx, rng);
        if (s !== 'arch') return b;
        const y = tf.fill(b.y.shape, NaN) as tf.Tensor2D;
        b.y.dispose();
        return { x: b.x, y };
      },
      dispose() {},
    };
    const t = new SearchTrainer(toyConfig(THREE_LAYER_SPACE, { loss: { beta: 0.6 } }), poisoned, options);
    await t.step(); // weights
    const before = tf.memory().numTensors;
    const theta = await values(t.net.thetas());
    const stats = await values(
      t.net
        .weightParams()
        .filter((p) => !p.trainable)
        .map((p) => p.variable),
    );
    const m = await t.step(); // arch, NaN loss
    expect(m.phase).toBe('arch');
    expect(m.nonFinite).toBe(true);
    expect(await values(t.net.thetas())).toEqual(theta);
    expect(
      await values(
        t.net
          .weightParams()
          .filter((p) => !p.trainable)
          .map((p) => p.variable),
      ),
    ).toEqual(stats);
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
    // run() stops on it
    const t2 = new SearchTrainer(toyConfig(THREE_LAYER_SPACE, { loss: { beta: 0.6 } }), poisoned, options);
    expect(await t2.run(() => {})).toBe('nonFinite');
    expect(t2.stepsDone).toBe(2);
    t2.dispose();
  });

  it('undoes a non-finite weight step: weights, momentum and BatchNorm statistics stay as they were', async () => {
    const inner = source();
    let weightBatches = 0;
    // the third weight batch (made ahead during step 2) carries NaN targets
    const poisoned: BatchSource = {
      task: inner.task,
      inputSize: inner.inputSize,
      channels: inner.channels,
      outputs: inner.outputs,
      count: (s: Split) => inner.count(s),
      batchAt(s: Split, idx: number[], rng?: Rng): Batch {
        const b = inner.batchAt(s, idx, rng);
        if (s !== 'weights' || ++weightBatches !== 3) return b;
        const y = tf.fill(b.y.shape, NaN) as tf.Tensor2D;
        b.y.dispose();
        return { x: b.x, y };
      },
      dispose() {},
    };
    const config = toyConfig(THREE_LAYER_SPACE, { train: { warmupEpochs: 1, stepsPerEpoch: 4 } });
    const t = new SearchTrainer(config, poisoned, options);
    await t.step();
    await t.step();
    const before = await t.state();
    const m = await t.step();
    expect(m.phase).toBe('weights');
    expect(m.nonFinite).toBe(true);
    const after = await t.state();
    expect(after.weights).toEqual(before.weights);
    expect(after.weightOptimizer).toEqual(before.weightOptimizer);
    expect(after.theta).toEqual(before.theta);
    t.dispose();
  });

  it('searches a landmark space with head taps and reports NME on the val split', async () => {
    const config = toyConfig(LANDMARK_SPACE, {
      train: { epochs: 2, stepsPerEpoch: 3, lrWeights: 0.05 },
      loss: { beta: 0.6 },
    });
    const data = blobLandmarkTask(8, { weights: 24, arch: 16, val: 10 }, 3);
    // default cost: counted MACs of the space, unit chosen so the cheapest network costs ≥ e
    const t = new SearchTrainer(config, data, { space: LANDMARK_SPACE });
    expect(t.options.costTable.map((r) => r.length)).toEqual([3, 2]);
    const cheapest = t.options.costTable.reduce((s, r) => s + Math.min(...r), t.options.fixedCost);
    expect(cheapest / t.options.costUnit).toBeGreaterThanOrEqual(Math.E);
    const seen: StepMetrics[] = [];
    await t.run((m) => seen.push(m));
    expect(seen.every((m) => Number.isFinite(m.loss) && !m.nonFinite)).toBe(true);
    const ev = await t.evaluate();
    expect(ev.valNme).toBeGreaterThan(0);
    expect(ev.valNme).toBeLessThan(1);
    expect(ev.valAcc).toBeUndefined();
    t.dispose();
  });

  it('rejects data that does not fit the space', () => {
    const data = blobLandmarkTask(8, { weights: 4, arch: 4, val: 0 }, 1);
    expect(() => new SearchTrainer(toyConfig(THREE_LAYER_SPACE), data, options)).toThrow(/landmarks/);
    expect(
      () =>
        new SearchTrainer(toyConfig(THREE_LAYER_SPACE, { loss: { cost: 'latency' } }), source(), {
          space: THREE_LAYER_SPACE,
        }),
    ).toThrow(/latency table/);
  });
});

describe('SearchTrainer on a registered space', () => {
  it('builds the default experiment (classroom space, counted MACs in units of 1e5)', () => {
    const empty = { weights: [], arch: [], val: [] };
    const data = new ToySource('landmarks', 64, 3, 212, empty);
    const before = tf.memory().numTensors;
    const t = new SearchTrainer(DEFAULT_EXPERIMENT, data);
    expect(t.net.layers.length).toBe(5);
    expect(t.options.costTable.every((row) => row.length === 6)).toBe(true);
    // the cheapest classroom network has about 0.43 M MACs: below e million, so the unit drops to 1e5
    expect(t.options.costUnit).toBe(1e5);
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('defaultCostUnit', () => {
  it('keeps millions of MACs when the cheapest network is large enough, else scales down by tens', () => {
    expect(defaultCostUnit('macs', [[5e6, 9e6]], 1e6)).toBe(1e6);
    // a pocket space: 0.43 M MACs at the cheapest -> units of 1e5
    expect(defaultCostUnit('macs', [[0.2e6, 1e6]], 0.23e6)).toBe(1e5);
    expect(defaultCostUnit('latency', [[1, 2]], 1)).toBe(0.1);
  });
});

describe('SearchTrainer reproducibility', () => {
  const config = toyConfig(THREE_LAYER_SPACE, {
    train: { epochs: 2, stepsPerEpoch: 4, warmupEpochs: 0 },
    loss: { beta: 0.6 },
  });

  async function runSteps(t: SearchTrainer, n: number): Promise<StepMetrics[]> {
    const out: StepMetrics[] = [];
    for (let i = 0; i < n; i++) out.push(await t.step());
    return out;
  }

  async function snapshot(t: SearchTrainer) {
    return {
      theta: await values(t.net.thetas()),
      weights: await values(t.net.weightParams().map((p) => p.variable)),
    };
  }

  it('gives the same θ trajectory for the same seeds, and a different one for another Gumbel seed', async () => {
    const a = new SearchTrainer(config, source(), options);
    const b = new SearchTrainer(config, source(), options);
    const ha = await runSteps(a, 10);
    const hb = await runSteps(b, 10);
    expect(hb.map((m) => m.probs)).toEqual(ha.map((m) => m.probs));
    expect(hb.map((m) => m.taskLoss)).toEqual(ha.map((m) => m.taskLoss));
    expect(await snapshot(b)).toEqual(await snapshot(a));
    const c = new SearchTrainer({ ...config, seeds: { ...config.seeds, gumbel: 99 } }, source(), options);
    const hc = await runSteps(c, 10);
    expect(hc.map((m) => m.probs)).not.toEqual(ha.map((m) => m.probs));
    [a, b, c].forEach((t) => t.dispose());
  });

  it('continues exactly from state() as an uninterrupted run would', async () => {
    const whole = new SearchTrainer(config, source(), options);
    const expected = await runSteps(whole, 12);

    const first = new SearchTrainer(config, source(), options);
    await runSteps(first, 5);
    // through structured clone, as postMessage / IndexedDB would
    const state: TrainerState = structuredClone(await first.state());
    first.dispose();
    const resumed = await SearchTrainer.restore(state, source());
    expect(resumed.history).toHaveLength(5);
    const rest = await runSteps(resumed, 7);
    expect(rest).toEqual(expected.slice(5));
    expect(resumed.history).toEqual(expected);
    expect(await snapshot(resumed)).toEqual(await snapshot(whole));
    // and the optimizer states agree too
    const [sw, sr] = [await whole.state(), await resumed.state()];
    expect(sr.weightOptimizer).toEqual(sw.weightOptimizer);
    expect(sr.thetaOptimizer).toEqual(sw.thetaOptimizer);
    whole.dispose();
    resumed.dispose();
  });
});

describe('SearchTrainer weight optimizer (weight-sgd.ts)', () => {
  const landmarks = () => blobLandmarkTask(8, { weights: 24, arch: 16, val: 6 }, 3);
  // with weight decay, so that feeding zeros for the unsampled candidates (the old optimizer) would move them
  const hardConfig = (paths?: 'single') =>
    toyConfig(LANDMARK_SPACE, {
      train: { epochs: 10, stepsPerEpoch: 10, batchSize: 4, warmupEpochs: 0, weightDecay: 0.01 },
      gumbel: { hard: true, ...(paths ? { paths } : {}) },
      loss: { beta: 0.6 },
    });

  it('a hard weight step updates only the sampled candidates: the others keep weights and momentum', async () => {
    const t = new SearchTrainer(hardConfig(), landmarks(), { space: LANDMARK_SPACE });
    const params = t.net.weightParams().filter((p) => p.trainable);
    const owner = (name: string) =>
      t.net.layers
        .flatMap((layer, l) =>
          layer.candidates.map((c, i) => ({ l, i, prefix: `body/${layer.bodyIndex}/${c}/` })),
        )
        .find((o) => name.startsWith(o.prefix));
    const before = await values(params.map((p) => p.variable));
    const m = await t.stepWeights();
    const after = await values(params.map((p) => p.variable));
    const { slots } = (await t.state()).weightOptimizer;
    expect(slots).toHaveLength(params.length);
    let unsampled = 0;
    let movedSampled = 0;
    params.forEach((p, k) => {
      const o = owner(p.name);
      const ran = !o || o.i === m.sampled[o.l];
      if (!ran) unsampled++;
      const moved = after[k].some((v, j) => v !== before[k][j]);
      const momentum = Array.from(slots[k].data).some((v) => v !== 0);
      // a sampled BatchNorm γ may get a gradient too small to move it in float32: its momentum shows it
      if (!ran) expect(moved, p.name).toBe(false);
      else if (moved) movedSampled++;
      expect(momentum, p.name).toBe(ran);
    });
    expect(unsampled).toBeGreaterThan(0);
    expect(movedSampled).toBeGreaterThan(0);
    t.dispose();
  });

  it('keeps the tensor count constant from the first step to step 50 (single path, hard samples)', async () => {
    const t = new SearchTrainer(hardConfig('single'), landmarks(), {
      space: LANDMARK_SPACE,
      featureEvery: 0,
    });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) await t.step();
    expect(t.history.filter((m) => m.phase === 'arch').length).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
  });
});
