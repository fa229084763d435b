import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { WeightSgd } from './weight-sgd.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const arr = (t: tf.Tensor) => Array.from(t.dataSync());

describe('WeightSgd', () => {
  it('matches hand-computed steps; a variable without a gradient keeps its value and momentum', async () => {
    const a = tf.variable(tf.tensor1d([1, -2]));
    const b = tf.variable(tf.tensor1d([0.5]));
    const opt = new WeightSgd([a, b], 0.9, 0.1);
    // step 1, lr 0.5: g'a = [0.2 + 0.1, -0.4 - 0.2] = [0.3, -0.6]; va = g'a; a = [1 - 0.15, -2 + 0.3]
    //                 g'b = 1 + 0.05 = 1.05; vb = 1.05; b = 0.5 - 0.525 = -0.025
    tf.tidy(() => opt.apply({ [a.name]: tf.tensor1d([0.2, -0.4]), [b.name]: tf.tensor1d([1]) }, 0.5));
    arr(a).forEach((x, i) => expect(x).toBeCloseTo([0.85, -1.7][i], 6));
    expect(arr(b)[0]).toBeCloseTo(-0.025, 6);
    // step 2, lr 0.25, no gradient for b: g'a = [-0.1 + 0.085, 0.3 - 0.17] = [-0.015, 0.13];
    // va = 0.9·[0.3, -0.6] + g'a = [0.255, -0.41]; a = [0.85 - 0.06375, -1.7 + 0.1025]; b, vb unchanged
    tf.tidy(() => opt.apply({ [a.name]: tf.tensor1d([-0.1, 0.3]) }, 0.25));
    arr(a).forEach((x, i) => expect(x).toBeCloseTo([0.78625, -1.5975][i], 6));
    expect(arr(b)[0]).toBeCloseTo(-0.025, 6);
    const s = await opt.state();
    expect(s.iterations).toBe(2);
    expect(s.slots.map((x) => x.shape)).toEqual([[2], [1]]);
    Array.from(s.slots[0].data).forEach((x, i) => expect(x).toBeCloseTo([0.255, -0.41][i], 6));
    expect(s.slots[1].data[0]).toBeCloseTo(1.05, 6);
    // step 3: b's old momentum is used again once it has a gradient: vb = 0.9·1.05 + (0 - 0.0025)
    tf.tidy(() => opt.apply({ [b.name]: tf.tensor1d([0]) }, 0.1));
    expect(arr(b)[0]).toBeCloseTo(-0.025 - 0.1 * (0.945 - 0.0025), 6);
    opt.dispose();
    tf.dispose([a, b]);
  });

  it('is bit-identical to tf.train.momentum with the trainer’s old L2 decay when every variable has a gradient', () => {
    const init = [
      tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 1),
      tf.randomNormal([4], 0, 1, 'float32', 2),
    ];
    const ours = init.map((t) => tf.variable(t.clone()));
    const ref = init.map((t) => tf.variable(t.clone()));
    const opt = new WeightSgd(ours, 0.9, 1e-4);
    const old = tf.train.momentum(0.01, 0.9);
    [0.01, 0.0093, 0.0071, 0.004].forEach((lr, step) => {
      tf.tidy(() => {
        const grads = init.map((t, i) => tf.randomNormal(t.shape, 0, 1, 'float32', 10 + 2 * step + i));
        opt.apply(Object.fromEntries(ours.map((v, i) => [v.name, grads[i]])), lr);
        // the trainer before weight-sgd.ts: decay added to the gradient, then tfjs's momentum
        old.setLearningRate(lr);
        old.applyGradients(ref.map((v, i) => ({ name: v.name, tensor: tf.add(grads[i], tf.mul(v, 1e-4)) })));
      });
      ours.forEach((v, i) => expect(arr(v)).toEqual(arr(ref[i])));
    });
    opt.dispose();
    old.dispose();
    tf.dispose([...init, ...ours, ...ref]);
  });

  it('continues bit-exactly from its state, and keeps the tensor count constant', async () => {
    const make = () => [tf.variable(tf.tensor2d([[0.3, -0.7, 1.1]])), tf.variable(tf.tensor1d([2, -1]))];
    const grad = (step: number, i: number) =>
      i === 0 ? tf.fill([1, 3], 0.1 * step - 0.2) : tf.fill([2], step);
    const run = (opt: WeightSgd, vars: tf.Variable[], from: number, to: number) => {
      for (let s = from; s < to; s++) {
        // the second variable gets a gradient only every other step
        tf.tidy(() =>
          opt.apply(
            Object.fromEntries(vars.flatMap((v, i) => (i === 1 && s % 2 ? [] : [[v.name, grad(s, i)]]))),
            0.05,
          ),
        );
      }
    };
    const whole = make();
    const a = new WeightSgd(whole, 0.9, 1e-3);
    const before = tf.memory().numTensors;
    run(a, whole, 0, 7);
    expect(tf.memory().numTensors).toBe(before);

    const part = make();
    const b = new WeightSgd(part, 0.9, 1e-3);
    run(b, part, 0, 3);
    const state = structuredClone(await b.state());
    b.dispose();
    const c = new WeightSgd(part, 0.9, 1e-3);
    c.setState(state);
    run(c, part, 3, 7);
    part.forEach((v, i) => expect(arr(v)).toEqual(arr(whole[i])));
    expect(await c.state()).toEqual(await a.state());
    [a, c].forEach((o) => o.dispose());
    tf.dispose([...whole, ...part]);
  });

  it('restores an empty state (no step taken yet) as zero momentum, and rejects a mismatched one', async () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const opt = new WeightSgd([w], 0.9, 0);
    tf.tidy(() => opt.apply({ [w.name]: tf.tensor1d([1, 1]) }, 0.1));
    opt.setState({ iterations: 0, slots: [] });
    const s = await opt.state();
    expect(s.iterations).toBe(0);
    expect(Array.from(s.slots[0].data)).toEqual([0, 0]);
    expect(() => opt.setState({ iterations: 1, slots: [{ shape: [3], data: new Float32Array(3) }] })).toThrow(
      /shape/,
    );
    expect(() => opt.setState({ iterations: 1, slots: [s.slots[0], s.slots[0]] })).toThrow(/does not match/);
    opt.dispose();
    w.dispose();
  });
});
