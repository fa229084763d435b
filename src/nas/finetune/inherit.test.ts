import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Supernet } from '../search/supernet.ts';
import { CLASSROOM } from '../spaces/classroom.ts';
import { PFLD_106 } from '../spaces/pfld106.ts';
import { countCost } from '../cost/count.ts';
import { Rng } from '../rng.ts';
import { inheritWeights } from './inherit.ts';
import { randomizeParams } from './testing.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomImages(n: number, size: number, seed: number): tf.Tensor4D {
  const rng = new Rng(seed);
  return tf.tensor4d(
    Float32Array.from({ length: n * size * size * 3 }, () => rng.next()),
    [n, size, size, 3],
  );
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).arraySync() as number);
}

describe('inheritWeights', () => {
  const classroom = new Supernet(CLASSROOM, { inputSize: 16, seed: 11 });
  randomizeParams(classroom.weightParams(), 5);
  afterAll(() => classroom.dispose());

  // candidates: k3_e1, k3_e3, k5_e3, k3_e6, k5_e6, skip; layer 1 has stride 2, so 'skip' there is a projection
  for (const choices of [
    [0, 5, 2, 3, 4],
    [5, 1, 5, 4, 0],
    [4, 4, 1, 5, 2],
  ]) {
    it(`predicts what the supernet computes with one-hot choices ${choices} (inference mode)`, () => {
      const before = tf.memory().numTensors;
      const model = inheritWeights(classroom, choices, 'derived');
      const x = randomImages(3, 16, 1);
      const byIndex = classroom.forward(x, false, choices);
      const masks = choices.map((c, l) =>
        tf.tidy(() =>
          tf
            .oneHot(tf.tensor1d([c], 'int32'), classroom.mixed[l].candidates.length)
            .reshape([-1])
            .toFloat(),
        ),
      ) as tf.Tensor1D[];
      const byMask = classroom.forward(x, false, masks);
      const mine = model.predict(x);
      expect(maxAbsDiff(mine, byIndex)).toBeLessThan(1e-5);
      expect(maxAbsDiff(mine, byMask)).toBeLessThan(1e-5);
      // not trivially equal: outputs vary across images
      expect(tf.tidy(() => tf.moments(mine).variance.arraySync() as number)).toBeGreaterThan(1e-8);
      expect(model.paramCount()).toBe(countCost(model.arch).params);
      tf.dispose([x, byIndex, byMask, mine, ...masks]);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('copies fixed blocks, candidate blocks and a multi-scale head with taps (PFLD space)', () => {
    const supernet = new Supernet(PFLD_106, { inputSize: 32, seed: 3 });
    try {
      randomizeParams(supernet.weightParams(), 9);
      const choices = [8, 5, 2, 6, 3]; // ghost, sep, SE and dilated candidates
      const model = inheritWeights(supernet, choices);
      const x = randomImages(2, 32, 4);
      const ref = supernet.forward(x, false, choices);
      const mine = model.predict(x);
      expect(maxAbsDiff(mine, ref)).toBeLessThan(1e-5);
      tf.dispose([x, ref, mine]);
      model.dispose();
    } finally {
      supernet.dispose();
    }
  });

  it('owns its weights: later supernet updates leave the inherited model unchanged', () => {
    const model = inheritWeights(classroom, [1, 1, 1, 1, 1]);
    const x = randomImages(1, 16, 2);
    const before = model.predict(x);
    const fc = classroom.weightParams().find((p) => p.name === 'head/fc/bias')!.variable;
    const saved = fc.clone();
    tf.tidy(() => fc.assign(tf.add(fc, 1)));
    const after = model.predict(x);
    expect(maxAbsDiff(before, after)).toBe(0);
    fc.assign(saved);
    tf.dispose([x, before, after, saved]);
    model.dispose();
  });

  it('rejects choices out of range', () => {
    expect(() => inheritWeights(classroom, [0, 0, 0, 0, 9])).toThrow(/out of range/);
    expect(() => inheritWeights(classroom, [0, 0])).toThrow(/5 searchable layers/);
  });
});
