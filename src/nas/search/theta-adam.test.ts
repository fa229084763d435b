import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ThetaAdam } from './theta-adam.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ThetaAdam', () => {
  it('matches hand-computed Adam steps with L2 weight decay', () => {
    const x = tf.variable(tf.tensor1d([1, -2]));
    const opt = new ThetaAdam([x], 0.1, 0.5);
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    let m = [0, 0];
    let v = [0, 0];
    let ref = [1, -2];
    const grads = [
      [0.3, -0.1],
      [-0.2, 0.4],
    ];
    grads.forEach((g, t) => {
      tf.tidy(() => opt.apply([tf.tensor1d(g)]));
      const gd = g.map((gi, i) => gi + 0.5 * ref[i]);
      m = m.map((mi, i) => b1 * mi + (1 - b1) * gd[i]);
      v = v.map((vi, i) => b2 * vi + (1 - b2) * gd[i] ** 2);
      const c1 = 1 - b1 ** (t + 1);
      const c2 = 1 - b2 ** (t + 1);
      ref = ref.map((r, i) => r - (0.1 * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps));
      const got = x.arraySync() as number[];
      got.forEach((val, i) => expect(val).toBeCloseTo(ref[i], 5));
    });
    opt.dispose();
    x.dispose();
  });

  it('round-trips its state exactly', async () => {
    const x = tf.variable(tf.tensor1d([0.5, 0.25, -1]));
    const y = tf.variable(tf.tensor1d([0.5, 0.25, -1]));
    const a = new ThetaAdam([x], 0.05);
    const b = new ThetaAdam([y], 0.05);
    tf.tidy(() => a.apply([tf.tensor1d([0.1, -0.3, 0.2])]));
    tf.tidy(() => b.apply([tf.tensor1d([0.1, -0.3, 0.2])]));
    const restored = new ThetaAdam([y], 0.05);
    restored.setState(structuredClone(await b.state()));
    b.dispose();
    tf.tidy(() => a.apply([tf.tensor1d([0.4, 0.1, -0.2])]));
    tf.tidy(() => restored.apply([tf.tensor1d([0.4, 0.1, -0.2])]));
    expect(y.arraySync()).toEqual(x.arraySync());
    expect(await restored.state()).toEqual(await a.state());
    [a, restored].forEach((o) => o.dispose());
    tf.dispose([x, y]);
  });
});
