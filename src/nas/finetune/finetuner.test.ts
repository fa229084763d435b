import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../model/model.ts';
import { archFromChoices } from '../spaces/derive.ts';
import { CLASSROOM } from '../spaces/classroom.ts';
import type { LandmarkSource } from '../data/landmark-source.ts';
import { Finetuner, type FinetuneStep } from './finetuner.ts';
import { tinyFaces } from './testing.ts';

let faces: LandmarkSource;
beforeAll(async () => {
  await tf.setBackend('cpu');
  faces = tinyFaces(12, 16, 3); // 3 val, 7 weights, 2 arch
});

const arch = () =>
  archFromChoices({ ...CLASSROOM, input: { size: 16, channels: 3 } }, [0, 1, 0, 5, 0], 'tiny');

async function train(
  seed: number,
  steps: number,
  extra: Partial<ConstructorParameters<typeof Finetuner>[2]> = {},
) {
  const model = createModel(arch(), { seed: 1 });
  const ft = new Finetuner(model, faces, {
    steps,
    lr: 0.001,
    batchSize: 7,
    seed,
    augment: false,
    splits: ['weights'],
    ...extra,
  });
  const seen: FinetuneStep[] = [];
  const counts: number[] = [];
  const outcome = await ft.run((s) => {
    seen.push(s);
    counts.push(tf.memory().numTensors);
  });
  ft.dispose();
  model.dispose();
  return { outcome, seen, counts };
}

describe('Finetuner', () => {
  it('lowers the training loss on a tiny fixed set, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    // batch = the whole 7-face 'weights' split, no augmentation: every step sees the same data
    const { outcome, seen, counts } = await train(1, 12);
    expect(outcome).toBe('finished');
    expect(seen.map((s) => s.step)).toEqual([...Array(12).keys()]);
    const first = seen[0].loss;
    const last = seen.at(-1)!.loss;
    expect(last).toBeLessThan(0.25 * first);
    // a smooth descent at this small rate: every step lowers the loss
    seen.slice(1).forEach((s, i) => expect(s.loss).toBeLessThan(seen[i].loss));
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is reproducible from its seed and follows the cosine schedule', async () => {
    const opts = { augment: true, batchSize: 2, splits: ['weights', 'arch'] as const };
    const a = await train(7, 4, { ...opts, splits: [...opts.splits] });
    const b = await train(7, 4, { ...opts, splits: [...opts.splits] });
    const c = await train(8, 4, { ...opts, splits: [...opts.splits] });
    expect(a.seen.map((s) => s.loss)).toEqual(b.seen.map((s) => s.loss));
    expect(a.seen.map((s) => s.loss)).not.toEqual(c.seen.map((s) => s.loss));
    // lr_t = 0.5 · lr · (1 + cos(π t / T))
    a.seen.forEach((s, t) => expect(s.lr).toBeCloseTo(0.5 * 0.001 * (1 + Math.cos((Math.PI * t) / 4)), 12));
  });

  it('stops when cancelled and refuses mismatched data', async () => {
    const model = createModel(arch(), { seed: 1 });
    const ft = new Finetuner(model, faces, { steps: 50, lr: 0.01, batchSize: 2, seed: 1 });
    const abort = new AbortController();
    const outcome = await ft.run((s) => s.step === 2 && abort.abort(), abort.signal);
    expect(outcome).toBe('aborted');
    expect(ft.stepsDone).toBe(3);
    ft.dispose();
    model.dispose();
    const big = createModel({ ...arch(), input: { size: 32, channels: 3 } }, { seed: 1 });
    expect(() => new Finetuner(big, faces, { steps: 1, lr: 0.01, batchSize: 2, seed: 1 })).toThrow(/16x16x3/);
    big.dispose();
  });

  it('Adam: the first step moves a weight by lr · sign(g) (m̂/√v̂ = g/|g|), without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const model = createModel(arch(), { seed: 1 });
    const w0 = await Promise.all(model.trainableVariables().map(async (v) => v.data()));
    const lr = 0.001;
    const ft = new Finetuner(model, faces, {
      steps: 3,
      lr,
      schedule: 'constant',
      batchSize: 7,
      seed: 1,
      augment: false,
      splits: ['weights'],
      weightDecay: 0,
      optimizer: 'adam',
    });
    await ft.step();
    const w1 = await Promise.all(model.trainableVariables().map(async (v) => v.data()));
    // no weight moves by more than lr; one whose |g| ≫ ε = 1e-8 moves by lr exactly (up to float32)
    let moved = 0;
    let exact = 0;
    w0.forEach((a, i) =>
      a.forEach((x, j) => {
        const d = Math.abs(w1[i][j] - x);
        expect(d).toBeLessThan(lr * 1.001);
        if (d > 1e-7) moved++;
        if (Math.abs(d - lr) < 2e-6) exact++;
      }),
    );
    expect(moved).toBeGreaterThan(1000);
    expect(exact).toBeGreaterThan(0.9 * moved);
    const counts: number[] = [];
    await ft.run(() => counts.push(tf.memory().numTensors));
    expect(new Set(counts).size).toBe(1);
    ft.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('EMA: useAverage loads the ramped moving average of the weights', async () => {
    const model = createModel(arch(), { seed: 1 });
    const ft = new Finetuner(model, faces, {
      steps: 2,
      lr: 0.01,
      batchSize: 7,
      seed: 1,
      augment: false,
      splits: ['weights'],
      ema: 0.9,
    });
    const v = model.trainableVariables()[0];
    const w0 = await v.data();
    await ft.step();
    const w1 = await v.data();
    await ft.step();
    const w2 = await v.data();
    ft.useAverage();
    const avg = await v.data();
    // decays min(0.9, 1/10) then min(0.9, 2/11): a1 = 0.1·w0 + 0.9·w1, a2 = (2/11)·a1 + (9/11)·w2
    for (const j of [0, 1, 2, 5, 17]) {
      const a1 = 0.1 * w0[j] + 0.9 * w1[j];
      expect(avg[j]).toBeCloseTo((2 / 11) * a1 + (9 / 11) * w2[j], 6);
    }
    expect(() => new Finetuner(model, faces, { steps: 1, lr: 0.01, batchSize: 2, seed: 1, ema: 1 })).toThrow(
      /ema/,
    );
    ft.dispose();
    model.dispose();
  });
});
