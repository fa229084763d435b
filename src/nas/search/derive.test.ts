import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { candidateSpec } from '../arch/candidates.ts';
import { Rng } from '../rng.ts';
import { createModel } from '../model/model.ts';
import { setWeights } from '../model/weights.ts';
import { deriveArch, sampleIndex, subnetWeights } from './derive.ts';
import { Supernet } from './supernet.ts';
import { LANDMARK_SPACE, THREE_LAYER_SPACE } from './toy-spaces.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('deriveArch', () => {
  it('takes argmax θ per layer and builds the plain architecture', async () => {
    const net = new Supernet(THREE_LAYER_SPACE, { seed: 1 });
    const theta = [
      [0, 2, 1],
      [3, 0, 0],
      [0, 0, 1],
    ];
    net.thetas().forEach((t, l) => t.assign(tf.tensor1d(theta[l])));
    const d = await deriveArch(net, 'argmax', undefined, 'found');
    expect(d.choices).toEqual([1, 0, 2]);
    expect(d.names).toEqual(['k5_e1', 'k3_e1', 'skip']);
    expect(d.arch.name).toBe('found');
    expect(d.arch.body.slice(1)).toEqual([
      candidateSpec('k5_e1', 2, 1),
      candidateSpec('k3_e1', 2, 1),
      candidateSpec('skip', 2, 1),
    ]);
    expect(d.arch.body[0]).toEqual(THREE_LAYER_SPACE.body[0]);
    const p = (row: number[], i: number) => Math.exp(row[i]) / row.reduce((s, v) => s + Math.exp(v), 0);
    expect(d.probability).toBeCloseTo(p(theta[0], 1) * p(theta[1], 0) * p(theta[2], 2), 6);
    net.dispose();
  });

  it('samples from softmax(θ) reproducibly', async () => {
    const net = new Supernet(THREE_LAYER_SPACE, { seed: 1 });
    net.thetas()[0].assign(tf.tensor1d([0, 1, 2]));
    const a = await deriveArch(net, 'sample', new Rng(3));
    const b = await deriveArch(net, 'sample', new Rng(3));
    expect(b.choices).toEqual(a.choices);
    await expect(deriveArch(net, 'sample')).rejects.toThrow(/Rng/);
    net.dispose();
  });
});

describe('subnetWeights', () => {
  it.each([[[0]], [[1, 0]]])(
    'loads into the plain derived network (taps %j), which computes the same',
    async (taps) => {
      const space = { ...LANDMARK_SPACE, head: { ...LANDMARK_SPACE.head, taps } };
      const net = new Supernet(space, { seed: 4 });
      // move BatchNorm running statistics away from their initial values
      const rng = new Rng(9);
      const x = tf.tensor4d(
        Float32Array.from({ length: 3 * 8 * 8 }, () => rng.next()),
        [3, 8, 8, 1],
      );
      tf.tidy(() => net.forward(x, true, [tf.tensor1d([0.2, 0.5, 0.3]), tf.tensor1d([0.6, 0.4])]));
      net.thetas()[0].assign(tf.tensor1d([0, 0, 1])); // layer 1 -> skip (a strided 1x1 projection)
      const { arch, choices } = await deriveArch(net);
      expect(choices).toEqual([2, 0]);
      const model = createModel(arch, { seed: 0 });
      const weights = await subnetWeights(net, choices);
      expect(Object.keys(weights).sort()).toEqual(
        model
          .params()
          .map((p) => p.name)
          .sort(),
      );
      setWeights(model.params(), weights);
      const [a, b] = tf.tidy(() => [
        model.predict(x).arraySync(),
        net.forward(x, false, choices).arraySync(),
      ]);
      a.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(b[i][j], 5)));
      model.dispose();
      net.dispose();
      x.dispose();
    },
  );
});

describe('sampleIndex', () => {
  it('inverts the cumulative distribution', () => {
    const p = [0.2, 0.5, 0.3];
    expect(sampleIndex(p, 0)).toBe(0);
    expect(sampleIndex(p, 0.19)).toBe(0);
    expect(sampleIndex(p, 0.2)).toBe(1);
    expect(sampleIndex(p, 0.69)).toBe(1);
    expect(sampleIndex(p, 0.7)).toBe(2);
    expect(sampleIndex(p, 0.999999)).toBe(2);
  });
});
