import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Arch } from '../arch/spec.ts';
import { createModel } from './model.ts';
import { getWeights, setWeights } from './weights.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const arch: Arch = {
  name: 'w',
  input: { size: 8, channels: 3 },
  body: [
    { kind: 'conv', k: 3, out: 8, stride: 2, act: 'relu6' },
    { kind: 'ir', k: 3, e: 3, out: 8, stride: 1, attention: 'ese' },
  ],
  head: { kind: 'landmarks', points: 2, features: 8, taps: [0] },
};

describe('getWeights / setWeights', () => {
  it('round-trips every param (running stats included) into another model', async () => {
    const a = createModel(arch, { seed: 1 });
    const b = createModel(arch, { seed: 2 });
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    a.apply(x, true).dispose(); // move running stats away from their init
    const w = await getWeights(a.params());
    expect(Object.keys(w)).toEqual(a.params().map((p) => p.name));
    expect(w['body/0/conv/kernel'].shape).toEqual([3, 3, 3, 8]);
    expect(b.predict(x).arraySync()).not.toEqual(a.predict(x).arraySync());
    setWeights(b.params(), w);
    expect(b.predict(x).arraySync()).toEqual(a.predict(x).arraySync());
    // the snapshot is a copy: later training of `a` does not change it
    const snap = Array.from(w['body/0/conv/bn/mean'].data);
    a.apply(x, true).dispose();
    expect(Array.from(w['body/0/conv/bn/mean'].data)).toEqual(snap);
    a.dispose();
    b.dispose();
  });

  it('throws clearly on a missing name or a shape mismatch, changing nothing', async () => {
    const m = createModel(arch, { seed: 1 });
    const w = await getWeights(m.params());
    const before = m.params()[0].variable.arraySync();
    const missing = { ...w };
    delete missing['head/fc/bias'];
    const zeros = Object.fromEntries(
      Object.entries(w).map(([k, v]) => [k, { shape: v.shape, data: new Float32Array(v.data.length) }]),
    );
    expect(() => setWeights(m.params(), missing)).toThrow(/no weights for parameter "head\/fc\/bias"/);
    const wrong = { ...zeros, 'head/fc/kernel': { shape: [8, 4], data: new Float32Array(32) } };
    expect(() => setWeights(m.params(), wrong)).toThrow(/shape \[8,4\].*\[16,4\]/);
    expect(m.params()[0].variable.arraySync()).toEqual(before);
    m.dispose();
  });
});
