import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { expectedCostOf, Supernet } from './supernet.ts';
import { LANDMARK_SPACE, RF_SPACE, THREE_LAYER_SPACE } from './toy-spaces.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomImages(n: number, size: number, seed: number): tf.Tensor4D {
  const rng = new Rng(seed);
  return tf.tensor4d(
    Float32Array.from({ length: n * size * size }, () => rng.next()),
    [n, size, size, 1],
  );
}

describe('Supernet', () => {
  it('mixes candidate outputs linearly: forward(m) = Σ m_i · forward(only candidate i)', () => {
    // one searchable layer followed by a linear head (pool + FC), so the whole output is linear in m
    const net = new Supernet(RF_SPACE, { seed: 1 });
    const x = randomImages(3, 12, 2);
    const m = [0.3, 0.7];
    const [mixed, a, b] = tf.tidy(() => [
      net.forward(x, false, [tf.tensor1d(m)]).arraySync(),
      net.forward(x, false, [0]).arraySync(),
      net.forward(x, false, [1]).arraySync(),
    ]);
    mixed.forEach((row, i) =>
      row.forEach((v, j) => expect(v).toBeCloseTo(m[0] * a[i][j] + m[1] * b[i][j], 5)),
    );
    // a one-hot mask runs to the same values as running only that candidate
    const oneHot = tf.tidy(() => net.forward(x, false, [tf.tensor1d([0, 1])]).arraySync());
    oneHot.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(b[i][j], 6)));
    // and the candidates really differ
    expect(Math.abs(a[0][0] - b[0][0])).toBeGreaterThan(1e-6);
    x.dispose();
    net.dispose();
  });

  it('starts from uniform θ and separates weights from architecture parameters', async () => {
    const before = tf.memory().numTensors;
    const net = new Supernet(THREE_LAYER_SPACE, { seed: 1 });
    expect(await net.probs()).toEqual([
      [1 / 3, 1 / 3, 1 / 3],
      [1 / 3, 1 / 3, 1 / 3],
      [1 / 3, 1 / 3, 1 / 3],
    ]);
    const params = net.weightParams();
    const names = params.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.some((n) => n.startsWith('body/2/k5_e1/'))).toBe(true);
    expect(names.some((n) => n.startsWith('head/fc'))).toBe(true);
    const thetaIds = new Set(net.thetas().map((t) => t.id));
    expect(params.some((p) => thetaIds.has(p.variable.id))).toBe(false);
    expect(net.trainableWeights().length).toBe(params.filter((p) => p.trainable).length);
    expect(params.some((p) => !p.trainable && p.name.endsWith('/bn/mean'))).toBe(true);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('builds the same initial weights for the same seed', async () => {
    const a = new Supernet(THREE_LAYER_SPACE, { seed: 5 });
    const b = new Supernet(THREE_LAYER_SPACE, { seed: 5 });
    const c = new Supernet(THREE_LAYER_SPACE, { seed: 6 });
    const read = (n: Supernet) => n.weightParams().map((p) => Array.from(p.variable.dataSync()));
    expect(read(b)).toEqual(read(a));
    expect(read(c)).not.toEqual(read(a));
    [a, b, c].forEach((n) => n.dispose());
  });

  it('feeds tapped body outputs to a landmark head and applies candidate edits', () => {
    const net = new Supernet(LANDMARK_SPACE, { seed: 1, edits: { 1: ['skip', 'k3_e1'] } });
    expect(net.mixed.map((m) => m.candidates)).toEqual([
      ['skip', 'k3_e1'],
      ['k3_e1', 'skip'],
    ]);
    expect(net.head.tapChannels).toEqual([2]);
    const x = randomImages(2, 8, 3);
    const y = tf.tidy(() => net.forward(x, true, [tf.tensor1d([0.5, 0.5]), 1]));
    expect(y.shape).toEqual([2, 2]);
    tf.dispose([x, y]);
    expect(() => new Supernet(LANDMARK_SPACE, { seed: 1, edits: { 0: ['skip'] } })).toThrow(/not searchable/);
    net.dispose();
  });

  it('computes the expected cost Σ_l Σ_i m_li · COST_li + fixed', () => {
    const cost = tf.tidy(() =>
      expectedCostOf([tf.tensor1d([0.25, 0.75]), tf.tensor1d([1, 0, 0])], {
        perLayer: [
          [4, 8],
          [1, 2, 3],
        ],
        fixed: 10,
      }).arraySync(),
    );
    expect(cost).toBeCloseTo(10 + 0.25 * 4 + 0.75 * 8 + 1, 6);
  });
});
