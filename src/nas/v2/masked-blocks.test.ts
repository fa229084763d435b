import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BlockSpec } from '../arch/spec.ts';
import { buildBlock } from '../blocks/build.ts';
import type { ParamInfo } from '../blocks/module.ts';
import { getWeights, setWeights, type WeightMap } from '../model/weights.ts';
import { Rng } from '../rng.ts';
import { distOf, fixedDist, type OptionDist } from './channel-mask.ts';
import { sliceLeading } from './derive.ts';
import { buildMaskedBlock } from './masked-blocks.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Random values everywhere (BN beta / running stats too: a zero beta would hide unmasked dead channels). */
function randomize(params: ParamInfo[], seed: number): void {
  const rng = new Rng(seed);
  for (const p of params) {
    const positive = p.name.endsWith('/variance') || p.name.endsWith('/gamma');
    const v = Float32Array.from({ length: p.variable.size }, () =>
      positive ? 0.5 + rng.next() : 0.5 * rng.normal(),
    );
    tf.tidy(() => p.variable.assign(tf.tensor(v, p.variable.shape)));
  }
}

async function copySliced(src: ParamInfo[], dst: ParamInfo[]): Promise<void> {
  randomize(src, 11);
  const w = await getWeights(src);
  const out: WeightMap = {};
  for (const p of dst) {
    expect(w[p.name], p.name).toBeDefined();
    out[p.name] = sliceLeading(w[p.name], [...p.variable.shape], p.name);
  }
  setWeights(dst, out);
}

/** One-hot weights selecting option i (a Gumbel sample at τ -> 0). */
function oneHot(k: number, i: number): tf.Tensor1D {
  return tf
    .oneHot(tf.tensor1d([i], 'int32'), k)
    .reshape([k])
    .asType('float32') as tf.Tensor1D;
}

function dist(options: number[], i: number | null): OptionDist {
  return i === null ? fixedDist(options[0]) : distOf(options, oneHot(options.length, i));
}

interface Case {
  title: string;
  spec: BlockSpec; // at max widths
  ins: number[];
  inChoice: number | null;
  outs: number[];
  outChoice: number | null;
  expansions?: number[];
  expChoice?: number;
}

const CASES: Case[] = [
  {
    title: 'conv k3, width 6 of [4, 6, 8]',
    spec: { kind: 'conv', k: 3, out: 8, stride: 1, act: 'relu' },
    ins: [3],
    inChoice: null,
    outs: [4, 6, 8],
    outChoice: 1,
  },
  {
    title: 'ir k3 e3 + SE, in 4 of [4, 8], out 4 of [4, 8] (residual)',
    spec: { kind: 'ir', k: 3, e: 3, out: 8, stride: 1, attention: 'se' },
    ins: [4, 8],
    inChoice: 0,
    outs: [4, 8],
    outChoice: 0,
  },
  {
    title: 'ir expansions [2, 4] -> 2 + eSE, in 8, out 4',
    spec: { kind: 'ir', k: 3, e: 4, out: 8, stride: 1, attention: 'ese' },
    ins: [4, 8],
    inChoice: 1,
    outs: [4, 8],
    outChoice: 0,
    expansions: [2, 4],
    expChoice: 0,
  },
  {
    title: 'ir e1 k5 stride 2, in 4 of [4, 8], out 8',
    spec: { kind: 'ir', k: 5, e: 1, out: 8, stride: 2 },
    ins: [4, 8],
    inChoice: 0,
    outs: [4, 8],
    outChoice: 1,
  },
  {
    title: 'ir e1 dilation 2, in 4, out 4 (residual)',
    spec: { kind: 'ir', k: 3, e: 1, out: 8, stride: 1, dilation: 2 },
    ins: [4, 8],
    inChoice: 0,
    outs: [4, 8],
    outChoice: 0,
  },
  {
    title: 'sep k3 + SE, in 8 of [4, 8], out 8 (residual)',
    spec: { kind: 'sep', k: 3, out: 8, stride: 1, attention: 'se' },
    ins: [4, 8],
    inChoice: 1,
    outs: [4, 8],
    outChoice: 1,
  },
  {
    title: 'sep k5 + SE stride 2, in 4 of [4, 8], out 8',
    spec: { kind: 'sep', k: 5, out: 8, stride: 2, attention: 'se' },
    ins: [4, 8],
    inChoice: 0,
    outs: [4, 8],
    outChoice: 1,
  },
  {
    title: 'skip, in 4, out 4 (identity)',
    spec: { kind: 'skip', out: 8, stride: 1 },
    ins: [4, 8],
    inChoice: 0,
    outs: [4, 8],
    outChoice: 0,
  },
  {
    title: 'skip, in 8, out 4 (projection)',
    spec: { kind: 'skip', out: 8, stride: 1 },
    ins: [4, 8],
    inChoice: 1,
    outs: [4, 8],
    outChoice: 0,
  },
  {
    title: 'skip stride 2, in 4, out 6',
    spec: { kind: 'skip', out: 6, stride: 2 },
    ins: [4, 8],
    inChoice: 0,
    outs: [2, 6],
    outChoice: 1,
  },
  {
    title: 'dwpool on a masked input',
    spec: { kind: 'dwpool', k: 3, stride: 2 },
    ins: [2, 5],
    inChoice: 0,
    outs: [2, 5],
    outChoice: 0,
  },
];

describe('masked block with one-hot widths equals the narrow block with sliced weights', () => {
  for (const c of CASES) {
    it(c.title, async () => {
      const inMax = c.ins[c.ins.length - 1];
      const cin = c.inChoice === null ? c.ins[0] : c.ins[c.inChoice];
      const cout = c.spec.kind === 'dwpool' ? cin : c.outs[c.outChoice ?? 0];
      const masked = buildMaskedBlock(c.spec, inMax, 'b', new Rng(7), {
        expansions: c.expansions ?? null,
        variable: c.ins.length > 1 || c.outs.length > 1,
      });
      let small: BlockSpec = c.spec.kind === 'dwpool' ? c.spec : { ...c.spec, out: cout };
      if (c.expansions && small.kind === 'ir') small = { ...small, e: c.expansions[c.expChoice ?? 0] };
      const plain = buildBlock(small, cin, 'b', new Rng(99));
      await copySliced(masked.params(), plain.params());

      // the previous (masked) layer leaves zeros beyond its chosen width
      const rng = new Rng(3);
      const data = Float32Array.from({ length: 2 * 7 * 7 * inMax }, (_, i) =>
        i % inMax < cin ? rng.normal() : 0,
      );
      const x = tf.tensor4d(data, [2, 7, 7, inMax]);
      const xSmall = tf.slice(x, [0, 0, 0, 0], [2, 7, 7, cin]);
      for (const training of [true, false]) {
        const io = {
          in: dist(c.ins, c.inChoice),
          out: dist(c.outs, c.outChoice),
          expansion: c.expansions ? dist(c.expansions, c.expChoice ?? 0) : undefined,
        };
        const y = masked.apply(x, io, training);
        const ref = plain.apply(xSmall, training);
        const outMax = y.shape[3];
        const [n, h, w] = y.shape;
        expect(ref.shape).toEqual([n, h, w, cout]);
        const kept = tf.slice(y, [0, 0, 0, 0], [n, h, w, cout]);
        const diff = tf.max(tf.abs(tf.sub(kept, ref))).arraySync() as number;
        expect(diff).toBeLessThan(1e-4);
        expect(tf.max(tf.abs(ref)).arraySync()).toBeGreaterThan(1e-3); // not trivially zero
        if (cout < outMax) {
          const rest = tf.slice(y, [0, 0, 0, cout], [n, h, w, outMax - cout]);
          expect(tf.max(tf.abs(rest)).arraySync()).toBe(0);
        }
        tf.dispose(
          [y, ref, kept, io.in.weights, io.out.weights, io.expansion?.weights ?? null].filter(
            (t) => t !== null,
          ) as tf.Tensor[],
        );
      }
      tf.dispose([x, xSmall]);
      for (const p of [...masked.params(), ...plain.params()]) p.variable.dispose();
    });
  }

  it('an index choice gives the same output as the one-hot weights', () => {
    const spec: BlockSpec = { kind: 'ir', k: 3, e: 3, out: 8, stride: 1 };
    const b = buildMaskedBlock(spec, 8, 'b', new Rng(1), { variable: true });
    const x = tf.randomNormal([1, 5, 5, 8], 0, 1, 'float32', 5) as tf.Tensor4D;
    const a = b.apply(x, { in: fixedDist(8), out: distOf([4, 8], 0) }, false);
    const o = oneHot(2, 0);
    const c = b.apply(x, { in: fixedDist(8), out: distOf([4, 8], o) }, false);
    expect(tf.max(tf.abs(tf.sub(a, c))).arraySync()).toBeLessThan(1e-6);
    tf.dispose([x, a, c, o]);
    for (const p of b.params()) p.variable.dispose();
  });

  it('with certain widths equals buildBlock with the same seed (same init, same forward)', () => {
    const spec: BlockSpec = { kind: 'ir', k: 5, e: 6, out: 8, stride: 1, attention: 'se' };
    const m = buildMaskedBlock(spec, 8, 'b', new Rng(42));
    const p = buildBlock(spec, 8, 'b', new Rng(42));
    const x = tf.randomNormal([2, 5, 5, 8], 0, 1, 'float32', 2) as tf.Tensor4D;
    const a = m.apply(x, { in: fixedDist(8), out: fixedDist(8) }, true);
    const b = p.apply(x, true);
    expect(tf.max(tf.abs(tf.sub(a, b))).arraySync()).toBe(0);
    tf.dispose([x, a, b]);
    for (const q of [...m.params(), ...p.params()]) q.variable.dispose();
  });
});
