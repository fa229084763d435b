import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Arch } from '../arch/spec.ts';
import { Rng } from '../rng.ts';
import { countParams } from '../blocks/module.ts';
import { createModel, type NasModel } from './model.ts';
import { buildHead } from './head.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const landmarkArch: Arch = {
  name: 'tiny-pfld',
  input: { size: 16, channels: 3 },
  body: [
    { kind: 'pelee_stem', out: 8 }, // 4x4x8
    { kind: 'ir', k: 3, e: 3, out: 8, stride: 1, attention: 'se' }, // tap 1: 4x4x8
    { kind: 'ghost', k: 3, e: 2, out: 12, stride: 2, attention: 'ese' }, // tap 2: 2x2x12
    { kind: 'sep', k: 3, out: 12, stride: 1, act: 'hswish' },
    { kind: 'dwpool', k: 3, stride: 2 }, // 1x1x12
  ],
  head: { kind: 'landmarks', points: 3, features: 16, taps: [2, 1] },
};

const classifierArch: Arch = {
  name: 'tiny-cls',
  input: { size: 8, channels: 3 },
  body: [
    { kind: 'conv', k: 3, out: 8, stride: 2, act: 'relu' },
    { kind: 'ir', k: 3, e: 1, out: 8, stride: 1, groups: 2 },
    { kind: 'ir', k: 5, e: 6, out: 8, stride: 1 },
    { kind: 'skip', out: 16, stride: 2 },
  ],
  head: { kind: 'classifier', classes: 4 },
};

const images = (arch: Arch, n = 2, seed = 1) =>
  tf.randomUniform(
    [n, arch.input.size, arch.input.size, arch.input.channels],
    0,
    1,
    'float32',
    seed,
  ) as tf.Tensor4D;

/** Reference for the head's 1x1 conv -> BN (inference) -> ReLU, from the model's own parameters. */
function headFeatures(m: NasModel, h: tf.Tensor4D): tf.Tensor4D {
  const byName = (n: string) => m.params().find((p) => p.name === n)!.variable;
  return tf.relu(
    tf.batchNorm(
      tf.conv2d(h, byName('head/conv/kernel') as tf.Tensor4D, 1, 'valid'),
      byName('head/conv/bn/mean') as tf.Tensor1D,
      byName('head/conv/bn/variance') as tf.Tensor1D,
      byName('head/conv/bn/beta') as tf.Tensor1D,
      byName('head/conv/bn/gamma') as tf.Tensor1D,
      1e-5,
    ),
  );
}

describe('createModel', () => {
  it('landmarks model with taps: output shape, param count, names', () => {
    const m = createModel(landmarkArch, { seed: 1 });
    expect(m.predict(images(landmarkArch)).shape).toEqual([2, 6]);
    const body = m.blocks.reduce((s, b) => s + countParams(b.params()), 0);
    const head = 12 * 16 + 2 * 16 + (12 + 8 + 16) * 6 + 6; // conv-bn to 16, FC over [tap2, tap1, final]
    expect(m.paramCount()).toBe(body + head);
    expect(m.head.fcInFeatures).toBe(36);
    const names = m.params().map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('body/1/se/reduce/kernel');
    expect(names).toContain('head/fc/kernel');
    expect(m.trainableVariables().length).toBe(m.params().filter((p) => p.trainable).length);
    m.dispose();
  });

  it('landmarks head pools the taps in the given order, then the final features', () => {
    const m = createModel(landmarkArch, { seed: 2 });
    const x = images(landmarkArch);
    const outs: tf.Tensor4D[] = [];
    let h = x;
    for (const b of m.blocks) outs.push((h = b.apply(h, false)));
    const byName = (n: string) => m.params().find((p) => p.name === n)!.variable;
    const final = headFeatures(m, h);
    const feats = tf.concat([tf.mean(outs[2], [1, 2]), tf.mean(outs[1], [1, 2]), tf.mean(final, [1, 2])], 1);
    const ref = tf.add(tf.matMul(feats, byName('head/fc/kernel') as tf.Tensor2D), byName('head/fc/bias'));
    const y = m.predict(x);
    expect(tf.max(tf.abs(tf.sub(y, ref))).dataSync()[0]).toBeLessThan(1e-5);
    // untrained landmark outputs sit near the image centre (bias 0.5, small FC weights)
    expect(Math.abs(tf.mean(y).dataSync()[0] - 0.5)).toBeLessThan(0.2);
    m.dispose();
  });

  it('landmarks head with a grid: the FC reads channel-major cells of the final map', () => {
    const arch: Arch = {
      ...landmarkArch,
      body: landmarkArch.body.slice(0, 2),
      head: { kind: 'landmarks', points: 3, features: 4, grid: 2 },
    };
    const m = createModel(arch, { seed: 3 });
    expect(m.head.fcInFeatures).toBe(4 * 4);
    const x = images(arch);
    let h = x;
    for (const b of m.blocks) h = b.apply(h, false); // 4x4x8
    const byName = (n: string) => m.params().find((p) => p.name === n)!.variable;
    const f = headFeatures(m, h);
    // 2x2 average pool of the 4x4 map -> [N, 2, 2, C] -> NCHW order -> flatten, / grid
    const cells = tf.div(tf.reshape(tf.transpose(tf.avgPool(f, 2, 2, 'valid'), [0, 3, 1, 2]), [2, 16]), 2);
    const ref = tf.add(tf.matMul(cells, byName('head/fc/kernel') as tf.Tensor2D), byName('head/fc/bias'));
    expect(tf.max(tf.abs(tf.sub(m.predict(x), ref))).dataSync()[0]).toBeLessThan(1e-5);
    expect(m.paramCount()).toBe(
      m.blocks.reduce((s, b) => s + countParams(b.params()), 0) + 8 * 4 + 8 + 16 * 6 + 6,
    );
    m.dispose();
  });

  it('classifier model without features: logits shape and param count', () => {
    const m = createModel(classifierArch, { seed: 1 });
    expect(m.apply(images(classifierArch), true).shape).toEqual([2, 4]);
    const body =
      27 * 8 + 16 + (9 * 8 + 16 + 32 + 16) + (8 * 48 + 96 + 25 * 48 + 96 + 48 * 8 + 16) + (8 * 16 + 32);
    expect(m.paramCount()).toBe(body + 16 * 4 + 4);
    m.dispose();
  });

  it('is deterministic in the seed', () => {
    const a = createModel(classifierArch, { seed: 7 });
    const b = createModel(classifierArch, { seed: 7 });
    const c = createModel(classifierArch, { seed: 8 });
    const x = images(classifierArch);
    expect(a.predict(x).arraySync()).toEqual(b.predict(x).arraySync());
    expect(a.predict(x).arraySync()).not.toEqual(c.predict(x).arraySync());
    [a, b, c].forEach((m) => m.dispose());
  });

  it('rejects taps outside the body', () => {
    const bad: Arch = { ...landmarkArch, head: { kind: 'landmarks', points: 3, taps: [5] } };
    expect(() => createModel(bad, { seed: 1 })).toThrow(/tap 5/);
    expect(() => buildHead(landmarkArch.head, 12, [8], 'h', new Rng(1))).toThrow(/2 tap/);
  });

  it('gradients reach every trainable variable', () => {
    for (const arch of [landmarkArch, classifierArch]) {
      const m = createModel(arch, { seed: 3 });
      const x = images(arch, 3);
      const target = tf.randomUniform([3, m.head.outFeatures], 0, 1, 'float32', 4);
      const vars = m.trainableVariables();
      const { value, grads } = tf.variableGrads(
        () => tf.mean(tf.square(tf.sub(m.apply(x, true), target))),
        vars,
      );
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      const names = m.params().filter((p) => p.trainable);
      expect(Object.keys(grads).length).toBe(vars.length);
      vars.forEach((v, i) => {
        const norm = tf.sum(tf.abs(grads[v.name])).dataSync()[0];
        expect(norm, names[i].name).toBeGreaterThan(0);
      });
      tf.dispose([value, ...Object.values(grads)]);
      m.dispose();
    }
  });

  it('training steps update BN stats, inference does not, and nothing leaks', () => {
    const m = createModel(landmarkArch, { seed: 5 });
    const x = images(landmarkArch, 4);
    const target = tf.randomUniform([4, 6], 0, 1, 'float32', 9);
    const opt = tf.train.sgd(0.05);
    const loss = () => tf.mean(tf.square(tf.sub(m.apply(x, true), target))) as tf.Scalar;
    const step = () => {
      const l = opt.minimize(loss, true, m.trainableVariables())!;
      const v = l.dataSync()[0];
      l.dispose();
      return v;
    };
    const mean = m.params().find((p) => p.name === 'body/3/pw/bn/mean')!.variable;
    const first = step();
    const tensors = tf.memory().numTensors;
    const meanAfter1 = mean.arraySync();
    m.predict(x).dispose();
    expect(mean.arraySync()).toEqual(meanAfter1);
    let last = first;
    for (let i = 0; i < 4; i++) last = step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(mean.arraySync()).not.toEqual(meanAfter1);
    expect(last).toBeLessThan(first);
    m.dispose();
    tf.dispose([x, target]);
  });

  it('dispose frees the variables', () => {
    const before = tf.memory().numTensors;
    const m = createModel(classifierArch, { seed: 1 });
    expect(tf.memory().numTensors).toBe(before + m.params().length);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
