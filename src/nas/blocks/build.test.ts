import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BlockSpec } from '../arch/spec.ts';
import { Rng } from '../rng.ts';
import { buildBlock } from './build.ts';
import { countParams, type Module } from './module.ts';
import { lowerBlock } from '../arch/lower.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const input = (c: number, size = 8, n = 2, seed = 1) =>
  tf.randomNormal([n, size, size, c], 0, 1, 'float32', seed) as tf.Tensor4D;

const build = (spec: BlockSpec, cin: number) => buildBlock(spec, cin, 'b', new Rng(3));

/** Closed-form trainable counts; bn(c) = gamma + beta. */
const bn = (c: number) => 2 * c;
const se = (c: number, r: number) => c * r + r + r * c + c;
const ese = (c: number) => c * c + c;
const ghostModule = (cin: number, cout: number) => {
  const p = Math.ceil(cout / 2);
  return cin * p + bn(p) + 9 * p + bn(p);
};

interface Case {
  spec: BlockSpec;
  cin: number;
  size: number;
  outShape: number[];
  params: number;
}

const cases: Record<string, Case> = {
  'conv 3x3/2': {
    spec: { kind: 'conv', k: 3, out: 8, stride: 2, act: 'relu' },
    cin: 3,
    size: 7,
    outShape: [2, 4, 4, 8],
    params: 9 * 3 * 8 + bn(8),
  },
  'conv grouped dilated': {
    spec: { kind: 'conv', k: 3, out: 8, stride: 1, groups: 2, dilation: 2, act: 'relu6' },
    cin: 4,
    size: 8,
    outShape: [2, 8, 8, 8],
    params: 9 * 2 * 8 + bn(8),
  },
  'conv noBn': {
    spec: { kind: 'conv', k: 1, out: 5, stride: 1, act: 'none', noBn: true },
    cin: 4,
    size: 8,
    outShape: [2, 8, 8, 5],
    params: 4 * 5 + 5,
  },
  'ir k3 e6 s2': {
    spec: { kind: 'ir', k: 3, e: 6, out: 8, stride: 2 },
    cin: 4,
    size: 8,
    outShape: [2, 4, 4, 8],
    params: 4 * 24 + bn(24) + 9 * 24 + bn(24) + 24 * 8 + bn(8),
  },
  'ir k5 e3 g2 residual': {
    spec: { kind: 'ir', k: 5, e: 3, out: 4, stride: 1, groups: 2 },
    cin: 4,
    size: 8,
    outShape: [2, 8, 8, 4],
    params: (4 * 12) / 2 + bn(12) + 25 * 12 + bn(12) + (12 * 4) / 2 + bn(4),
  },
  'ir k3 e1 g2 (no expand)': {
    spec: { kind: 'ir', k: 3, e: 1, out: 6, stride: 1, groups: 2 },
    cin: 4,
    size: 8,
    outShape: [2, 8, 8, 6],
    params: 9 * 4 + bn(4) + (4 * 6) / 2 + bn(6),
  },
  'ir se hswish dilated': {
    spec: { kind: 'ir', k: 3, e: 4, out: 8, stride: 1, dilation: 2, attention: 'se', act: 'hswish' },
    cin: 8,
    size: 8,
    outShape: [2, 8, 8, 8],
    params: 8 * 32 + bn(32) + 9 * 32 + bn(32) + se(32, 8) + 32 * 8 + bn(8),
  },
  'ir ese s2': {
    spec: { kind: 'ir', k: 3, e: 2, out: 6, stride: 2, attention: 'ese' },
    cin: 4,
    size: 7,
    outShape: [2, 4, 4, 6],
    params: 4 * 8 + bn(8) + 9 * 8 + bn(8) + ese(8) + 8 * 6 + bn(6),
  },
  'skip identity': {
    spec: { kind: 'skip', out: 4, stride: 1 },
    cin: 4,
    size: 8,
    outShape: [2, 8, 8, 4],
    params: 0,
  },
  'skip projection': {
    spec: { kind: 'skip', out: 8, stride: 2 },
    cin: 4,
    size: 7,
    outShape: [2, 4, 4, 8],
    params: 4 * 8 + bn(8),
  },
  'sep k5 se': {
    spec: { kind: 'sep', k: 5, out: 8, stride: 1, attention: 'se' },
    cin: 16,
    size: 8,
    outShape: [2, 8, 8, 8],
    params: 25 * 16 + bn(16) + se(16, 8) + 16 * 8 + bn(8),
  },
  'ghost s1 residual': {
    spec: { kind: 'ghost', k: 3, e: 2, out: 8, stride: 1 },
    cin: 8,
    size: 8,
    outShape: [2, 8, 8, 8],
    params: ghostModule(8, 16) + ghostModule(16, 8),
  },
  'ghost s2 odd out ese': {
    spec: { kind: 'ghost', k: 5, e: 3, out: 7, stride: 2, attention: 'ese' },
    cin: 4,
    size: 8,
    outShape: [2, 4, 4, 7],
    params:
      ghostModule(4, 12) + 25 * 12 + bn(12) + ese(12) + ghostModule(12, 7) + 25 * 4 + bn(4) + 4 * 7 + bn(7),
  },
  'pelee stem even': {
    spec: { kind: 'pelee_stem', out: 8 },
    cin: 3,
    size: 16,
    outShape: [2, 4, 4, 8],
    params: 9 * 3 * 8 + bn(8) + 8 * 4 + bn(4) + 9 * 4 * 8 + bn(8) + 16 * 8 + bn(8),
  },
  'pelee stem odd (ceil-mode pool)': {
    spec: { kind: 'pelee_stem', out: 6 },
    cin: 3,
    size: 14,
    outShape: [2, 4, 4, 6],
    params: 9 * 3 * 6 + bn(6) + 6 * 3 + bn(3) + 9 * 3 * 6 + bn(6) + 12 * 6 + bn(6),
  },
  dwpool: {
    spec: { kind: 'dwpool', k: 3, stride: 2 },
    cin: 5,
    size: 8,
    outShape: [2, 4, 4, 5],
    params: 9 * 5 + 5,
  },
  ir_pool: {
    spec: { kind: 'ir_pool', e: 3, out: 10, act: 'hswish' },
    cin: 4,
    size: 5,
    outShape: [2, 1, 1, 10],
    params: 4 * 12 + bn(12) + 12 * 10 + 10,
  },
};

describe('buildBlock shapes and parameter counts', () => {
  for (const [label, c] of Object.entries(cases)) {
    it(label, () => {
      const m = build(c.spec, c.cin);
      const y = m.apply(input(c.cin, c.size), true);
      expect(y.shape).toEqual(c.outShape);
      const [, h, w, ch] = c.outShape;
      expect(lowerBlock(c.spec, { h: c.size, w: c.size, c: c.cin }).out.shape).toEqual({ h, w, c: ch });
      expect(m.outChannels).toBe(c.outShape[3]);
      expect(countParams(m.params())).toBe(c.params);
      const names = m.params().map((p) => p.name);
      expect(new Set(names).size).toBe(names.length);
      expect(names.every((n) => n.startsWith('b/'))).toBe(true);
      expect(Number.isFinite(y.sum().dataSync()[0])).toBe(true);
      expect(m.apply(input(c.cin, c.size), false).shape).toEqual(c.outShape);
    });
  }
});

/** Zero the last BN (or the whole main path) so the block's output is just its shortcut. */
function zeroParams(m: Module, suffixes: string[]) {
  for (const p of m.params()) {
    if (suffixes.some((s) => p.name.endsWith(s))) p.variable.assign(tf.zerosLike(p.variable));
  }
}

describe('residual connections', () => {
  const check = (spec: BlockSpec, cin: number, lastBn: string, residual: boolean) => {
    const m = build(spec, cin);
    zeroParams(m, [`${lastBn}/bn/gamma`, `${lastBn}/bn/beta`]);
    const x = input(cin);
    const y = m.apply(x, false);
    const ref = residual ? x : tf.zerosLike(y);
    expect(y.shape).toEqual(ref.shape);
    expect(tf.max(tf.abs(tf.sub(y, ref))).dataSync()[0]).toBeLessThan(1e-6);
  };
  it('ir: present for stride 1 and in = out, absent otherwise', () => {
    check({ kind: 'ir', k: 3, e: 3, out: 4, stride: 1 }, 4, 'b/project', true);
    check({ kind: 'ir', k: 3, e: 3, out: 6, stride: 1 }, 4, 'b/project', false);
    check({ kind: 'ir', k: 3, e: 1, out: 4, stride: 1, groups: 2 }, 4, 'b/project', true);
  });
  it('sep', () => {
    check({ kind: 'sep', k: 3, out: 4, stride: 1 }, 4, 'b/pw', true);
    check({ kind: 'sep', k: 3, out: 8, stride: 1 }, 4, 'b/pw', false);
  });
  it('ghost', () => {
    const m = build({ kind: 'ghost', k: 3, e: 2, out: 4, stride: 1 }, 4);
    zeroParams(m, [
      'ghost2/primary/bn/gamma',
      'ghost2/primary/bn/beta',
      'ghost2/cheap/bn/gamma',
      'ghost2/cheap/bn/beta',
    ]);
    const x = input(4);
    expect(tf.max(tf.abs(tf.sub(m.apply(x, false), x))).dataSync()[0]).toBeLessThan(1e-6);
  });
  it('skip identity returns the input values', () => {
    const x = input(4);
    const m = build({ kind: 'skip', out: 4, stride: 1 }, 4);
    expect(m.params()).toEqual([]);
    expect(m.apply(x, true).arraySync()).toEqual(x.arraySync());
  });
});

describe('dwpool', () => {
  it('k=2 s=2 starts as exact 2x2 average pooling', () => {
    const x = input(3, 4, 1);
    const m = build({ kind: 'dwpool', k: 2, stride: 2 }, 3);
    const y = m.apply(x, true);
    const ref = tf.avgPool(x, 2, 2, 'valid');
    expect(y.shape).toEqual(ref.shape);
    expect(tf.max(tf.abs(tf.sub(y, ref))).dataSync()[0]).toBeLessThan(1e-6);
  });
  it('k=3 s=1 equals 3x3 average pooling away from the border', () => {
    const x = input(2, 6, 1);
    const y = build({ kind: 'dwpool', k: 3, stride: 1 }, 2).apply(x, false);
    const inner = tf.slice(y, [0, 1, 1, 0], [1, 4, 4, 2]);
    const ref = tf.avgPool(x, 3, 1, 'valid');
    expect(tf.max(tf.abs(tf.sub(inner, ref))).dataSync()[0]).toBeLessThan(1e-6);
  });
});

describe('attention', () => {
  // constant per-channel input v: GAP = v, so the gates are easy to compute by hand
  const constant = (vals: number[]) =>
    tf.tile(tf.tensor4d(vals, [1, 1, 1, vals.length]), [1, 3, 3, 1]) as tf.Tensor4D;
  const setParam = (m: Module, name: string, t: tf.Tensor) => {
    const p = m.params().find((q) => q.name === name);
    if (!p) throw new Error(name);
    p.variable.assign(t);
  };

  it('eSE: x * hard-sigmoid(W GAP(x) + b)', () => {
    // sep block with identity dw / pw kernels, BN at defaults, no act
    const m = build({ kind: 'sep', k: 1, out: 2, stride: 1, attention: 'ese', act: 'none' }, 2);
    setParam(m, 'b/dw/depthwise_kernel', tf.ones([1, 1, 2, 1]));
    setParam(m, 'b/ese/fc/kernel', tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2]));
    setParam(m, 'b/ese/fc/bias', tf.tensor1d([0, 1]));
    setParam(m, 'b/pw/kernel', tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2]));
    const s = 1 / Math.sqrt(1 + 1e-5); // inference BN with running var 1
    const v = [1 * s, -2 * s];
    const gate = (z: number) => Math.min(Math.max(z + 3, 0), 6) / 6;
    // + the input: sep has a residual when in = out and stride 1
    const expected = [v[0] * gate(v[0]) * s + 1, v[1] * gate(v[1] + 1) * s - 2];
    const y = m.apply(constant([1, -2]), false).arraySync()[0][1][1];
    y.forEach((val, i) => expect(val).toBeCloseTo(expected[i], 5));
  });

  it('SE: bottleneck width and gate', () => {
    const m = build({ kind: 'sep', k: 1, out: 16, stride: 1, attention: 'se', act: 'none' }, 16);
    const shapes = Object.fromEntries(m.params().map((p) => [p.name, p.variable.shape]));
    expect(shapes['b/se/reduce/kernel']).toEqual([1, 1, 16, 8]);
    expect(shapes['b/se/expand/kernel']).toEqual([1, 1, 8, 16]);
    // zero reduce -> relu(0) = 0 -> gate = hard-sigmoid(expand bias)
    setParam(m, 'b/se/reduce/kernel', tf.zeros([1, 1, 16, 8]));
    setParam(m, 'b/se/expand/bias', tf.fill([16], 3)); // gate 1: block = pw(dw(x)) unchanged
    const x = input(16, 3, 1);
    const full = m.apply(x, false);
    setParam(m, 'b/se/expand/bias', tf.zeros([16])); // gate 0.5 halves the pw input
    const half = m.apply(x, false);
    const r = tf.div(tf.sub(half, x), tf.sub(full, x)).dataSync(); // minus the residual
    r.forEach((v) => expect(v).toBeCloseTo(0.5, 4));
  });
});

describe('construction', () => {
  it('rejects channel counts that groups do not divide', () => {
    expect(() => build({ kind: 'ir', k: 3, e: 1, out: 6, stride: 1, groups: 2 }, 5)).toThrow(/divisible/);
    expect(() => build({ kind: 'conv', k: 3, out: 5, stride: 1, groups: 2, act: 'relu' }, 4)).toThrow(
      /divisible/,
    );
  });
  it('rejects a wrong input channel count', () => {
    expect(() => build({ kind: 'skip', out: 4, stride: 1 }, 4).apply(input(3), false)).toThrow(
      /input channels/,
    );
  });
  it('initialises deterministically from the rng, with He-normal spread and BN at 1/0', () => {
    const spec: BlockSpec = { kind: 'ir', k: 3, e: 6, out: 32, stride: 1 };
    const a = buildBlock(spec, 32, 'b', new Rng(5)).params();
    const b = buildBlock(spec, 32, 'b', new Rng(5)).params();
    const c = buildBlock(spec, 32, 'b', new Rng(6)).params();
    expect(a[0].variable.arraySync()).toEqual(b[0].variable.arraySync());
    expect(a[0].variable.arraySync()).not.toEqual(c[0].variable.arraySync());
    const k = a.find((p) => p.name === 'b/expand/kernel')!.variable;
    const std = Math.sqrt(tf.moments(k).variance.dataSync()[0]);
    expect(std).toBeGreaterThan(Math.sqrt(2 / 32) * 0.9);
    expect(std).toBeLessThan(Math.sqrt(2 / 32) * 1.1);
    expect(Array.from(a.find((p) => p.name === 'b/expand/bn/gamma')!.variable.dataSync())).toEqual(
      new Array(192).fill(1),
    );
  });
});
