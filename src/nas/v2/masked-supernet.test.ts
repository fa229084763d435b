import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchSpace } from '../arch/spec.ts';
import type { ParamInfo } from '../blocks/module.ts';
import { countCost } from '../cost/count.ts';
import { Rng } from '../rng.ts';
import { drawGumbel, gumbelSoftmax } from '../search/gumbel.ts';
import { Supernet } from '../search/supernet.ts';
import { choicesMix, deriveModel, type MaskedChoices } from './derive.ts';
import { effectiveCost, effectiveShapes } from './effective-shape.ts';
import { MaskedSupernet, type MaskedMix } from './masked-supernet.ts';
import { planSpace } from './plan.ts';
import { subsample } from './resolution.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Widths, expansions, a fixed IR and a dwpool after masked layers, taps, a grid head, SE/eSE, a stem. */
const SPACE: SearchSpace = {
  id: 'v2-test',
  title: 'v2 test',
  description: '',
  input: { size: 12, channels: 3 },
  body: [
    { kind: 'conv', k: 3, out: 8, stride: 2, act: 'relu' },
    {
      kind: 'search',
      out: 8,
      stride: 1,
      candidates: ['k3_e1', 'k3_e3', 'skip', 'sep_k3'],
      widths: [4, 8],
      expansions: [2, 3],
    },
    { kind: 'search', out: 12, stride: 2, candidates: ['k3_e3', 'mb_k3_e2_res_se', 'skip'], widths: [6, 12] },
    { kind: 'ir', k: 3, e: 2, out: 12, stride: 1, attention: 'se' },
    { kind: 'search', out: 8, stride: 1, candidates: ['k5_e3', 'k3_e1'], widths: [4, 8] },
    { kind: 'dwpool', k: 3, stride: 1 },
  ],
  // no feature conv, so the grid-pooled FC input varies with the last layer's width (sliced on derive)
  head: { kind: 'landmarks', points: 3, taps: [2, 5], grid: 2 },
};

function randomize(params: ParamInfo[], seed: number): void {
  const rng = new Rng(seed);
  for (const p of params) {
    const positive = p.name.endsWith('/variance') || p.name.endsWith('/gamma');
    const v = Float32Array.from({ length: p.variable.size }, () =>
      positive ? 0.5 + rng.next() : 0.3 * rng.normal(),
    );
    tf.tidy(() => p.variable.assign(tf.tensor(v, p.variable.shape)));
  }
}

function oneHot(k: number, i: number): tf.Tensor1D {
  const v = new Float32Array(k);
  v[i] = 1;
  return tf.tensor1d(v);
}

/** The same choices as one-hot tensors (the Gumbel path) instead of indices. */
function oneHotMix(net: MaskedSupernet, c: MaskedChoices): MaskedMix {
  return {
    blocks: c.blocks.map((b, l) => oneHot(net.layers[l].ops.length, b)),
    widths: c.widths.map((w, l) =>
      w === undefined ? undefined : oneHot(net.layers[l].widthSearch!.options.length, w),
    ),
    expansions: c.expansions.map((e, l) =>
      e === undefined ? undefined : oneHot(net.layers[l].expansionSearch!.options.length, e),
    ),
    resolution: net.resolution ? oneHot(net.plan.factors.length, c.resolution) : undefined,
  };
}

function disposeMix(m: MaskedMix): void {
  const ts = [...m.blocks, ...(m.widths ?? []), ...(m.expansions ?? []), m.resolution];
  for (const t of ts) if (t !== undefined && typeof t !== 'number') t.dispose();
}

function randomChoices(net: MaskedSupernet, rng: Rng): MaskedChoices {
  return {
    blocks: net.layers.map((l) => rng.int(l.ops.length)),
    widths: net.layers.map((l) => (l.widthSearch ? rng.int(l.widthSearch.options.length) : undefined)),
    expansions: net.layers.map((l) =>
      l.expansionSearch ? rng.int(l.expansionSearch.options.length) : undefined,
    ),
    resolution: rng.int(net.plan.factors.length),
  };
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).arraySync() as number);
}

describe('MaskedSupernet', () => {
  let net: MaskedSupernet;
  let x: tf.Tensor4D;
  beforeAll(() => {
    net = new MaskedSupernet(SPACE, { seed: 5, resolutionFactors: [1, 2] });
    randomize(net.weightParams(), 21);
    x = tf.randomNormal([2, 12, 12, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
  });
  afterAll(() => {
    net.dispose();
    x.dispose();
  });

  it('without V2 searches computes exactly what the V1 Supernet computes', () => {
    const space: SearchSpace = {
      ...SPACE,
      body: SPACE.body.map((b) =>
        b.kind === 'search' ? { ...b, widths: undefined, expansions: undefined } : b,
      ),
    };
    const v1 = new Supernet(space, { seed: 3 });
    const v2 = new MaskedSupernet(space, { seed: 3 });
    expect(v2.weightParams().map((p) => p.name)).toEqual(v1.weightParams().map((p) => p.name));
    const masks = v1.mixed.map((m, l) => tf.softmax(tf.tensor1d(m.ops.map((_, i) => i + l))) as tf.Tensor1D);
    const a = v1.forward(x, true, masks);
    const b = v2.forward(x, true, { blocks: masks });
    expect(maxDiff(a, b)).toBe(0);
    tf.dispose([a, b, ...masks]);
    v1.dispose();
    v2.dispose();
  });

  it('derived model (sliced weights) reproduces the supernet for index and one-hot mixes', async () => {
    const rng = new Rng(4);
    const fixedChoices: MaskedChoices[] = [
      { blocks: [1, 1, 0], widths: [0, 0, 0], expansions: [0, undefined, undefined], resolution: 0 },
      { blocks: [3, 2, 1], widths: [1, 1, 1], expansions: [1, undefined, undefined], resolution: 1 },
      { blocks: [2, 2, 1], widths: [1, 0, 0], expansions: [0, undefined, undefined], resolution: 0 },
    ];
    const all = [...fixedChoices, ...Array.from({ length: 4 }, () => randomChoices(net, rng))];
    for (const choices of all) {
      const { model, derived } = await deriveModel(net, choices, 'derived');
      const xs = subsample(x, derived.factor);
      for (const training of [false, true]) {
        const ref = model.apply(xs, training);
        const byIndex = net.forward(x, training, choicesMix(choices));
        const oh = oneHotMix(net, choices);
        const byOneHot = net.forward(x, training, oh);
        expect(maxDiff(byIndex, ref)).toBeLessThan(1e-4);
        expect(maxDiff(byOneHot, ref)).toBeLessThan(1e-4);
        tf.dispose([ref, byIndex, byOneHot]);
        disposeMix(oh);
      }
      // one-hot effective cost = countCost of the derived plain architecture
      const oh = oneHotMix(net, choices);
      const cost = effectiveCost(net.plan, oh);
      const exact = countCost(derived.arch);
      expect(cost.macs.arraySync()).toBe(exact.macs);
      expect(cost.params.arraySync()).toBe(exact.params);
      const byIndex = effectiveCost(net.plan, choicesMix(choices));
      expect(byIndex.macs.arraySync()).toBe(exact.macs);
      tf.dispose([cost.macs, cost.params, byIndex.macs, byIndex.params]);
      if (xs !== x) xs.dispose();
      disposeMix(oh);
      model.dispose();
    }
  });

  it('gradients reach the width, expansion and resolution logits (soft and straight-through)', () => {
    for (const hard of [false, true]) {
      const rng = new Rng(hard ? 2 : 1);
      // block masks stay soft: a hard block sample without an expand conv leaves expansion without effect
      const sample = (v: tf.Variable, h = hard) =>
        gumbelSoftmax(v as tf.Tensor1D, 1, tf.tensor1d(drawGumbel(rng, v.shape[0] as number)), h);
      const vars = net.archVariables();
      for (const part of ['task', 'cost'] as const) {
        const { grads, value } = tf.variableGrads(() => {
          const mix: MaskedMix = {
            blocks: net.layers.map((l) => sample(l.theta, false)),
            widths: net.layers.map((l) => (l.widthSearch ? sample(l.widthSearch.logits) : undefined)),
            expansions: net.layers.map((l) =>
              l.expansionSearch ? sample(l.expansionSearch.logits) : undefined,
            ),
            resolution: sample(net.resolution!.logits),
          };
          if (part === 'cost') return tf.div(effectiveCost(net.plan, mix).macs, 1e4) as tf.Scalar;
          return tf.mean(tf.square(net.forward(x, false, mix))) as tf.Scalar;
        }, vars);
        for (const s of [...net.widthSearches(), ...net.expansionSearches(), net.resolution!]) {
          const g = grads[s.logits.name];
          expect(g, `${part} ${s.dimension} ${s.bodyIndex}`).toBeDefined();
          const a = g.abs().max().arraySync() as number;
          expect(Number.isFinite(a)).toBe(true);
          expect(a, `${part} ${s.dimension} ${s.bodyIndex} hard=${hard}`).toBeGreaterThan(0);
        }
        tf.dispose([value, ...Object.values(grads)]);
      }
    }
  });

  it('training steps (weights + arch logits) keep the tensor count constant', () => {
    const opt = tf.train.sgd(0.01);
    const rng = new Rng(8);
    const vars = [...net.trainableWeights(), ...net.archVariables()];
    const step = () =>
      tf.tidy(() => {
        const sample = (v: tf.Variable) =>
          gumbelSoftmax(v as tf.Tensor1D, 2, tf.tensor1d(drawGumbel(rng, v.shape[0] as number)), false);
        opt.minimize(
          () => {
            const mix: MaskedMix = {
              blocks: net.layers.map((l) => sample(l.theta)),
              widths: net.layers.map((l) => (l.widthSearch ? sample(l.widthSearch.logits) : undefined)),
              expansions: net.layers.map((l) =>
                l.expansionSearch ? sample(l.expansionSearch.logits) : undefined,
              ),
              resolution: sample(net.resolution!.logits),
            };
            const task = tf.mean(tf.square(net.forward(x, true, mix)));
            return tf.add(task, tf.mul(1e-6, effectiveCost(net.plan, mix).macs)) as tf.Scalar;
          },
          false,
          vars as tf.Variable[],
        );
      });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
  });

  it('effective shapes: C̄ = Σ g·c per layer, side = Σ g_r·side_r', () => {
    const g = tf.tensor1d([0.25, 0.75]);
    const r = tf.tensor1d([0.5, 0.5]);
    const mix: MaskedMix = { blocks: [0, 0, 0], widths: [g, g, g], resolution: r };
    const shapes = effectiveShapes(net.plan, mix);
    const ch = shapes.map((s) => s.channels.arraySync());
    const side = shapes.map((s) => s.side.arraySync());
    expect(ch).toEqual([8, 7, 10.5, 12, 7, 7]);
    // 12 -> 6 (stem s2); 12/2 = 6 -> 3: sides (6 + 3) / 2, then (3 + 2) / 2 after the stride-2 layer
    expect(side).toEqual([4.5, 4.5, 2.5, 2.5, 2.5, 2.5]);
    tf.dispose([g, r, ...shapes.flatMap((s) => [s.channels, s.side, s.macs, s.params])]);
  });
});

describe('effective cost with soft weights (hand-computed)', () => {
  const run = (space: SearchSpace, mix: () => MaskedMix, factors?: number[]) =>
    tf.tidy(() => {
      const c = effectiveCost(planSpace(space, { resolutionFactors: factors }), mix());
      return [c.macs.arraySync(), c.params.arraySync()];
    });
  const space = (body: SearchSpace['body'], size: number): SearchSpace => ({
    id: 't',
    title: 't',
    description: '',
    input: { size, channels: 3 },
    body,
    head: { kind: 'classifier', classes: 2 },
  });

  it('products of effective in / out channels across two searched layers', () => {
    // 8x8x3 -> ir k3 e3 (hidden 9) widths [4, 8] g = [.25, .75] (C̄ = 7) -> sep k3 widths [4, 6] g = [.5, .5] (C̄ = 5)
    // expand 64·3·9 = 1728 | dw 64·9·9 = 5184 | project 64·9·7 = 4032 | dw 64·9·7 = 4032 | pw 64·7·5 = 2240 | fc 5·2
    // params 27+18 | 81+18 | 63+14 | 63+14 | 35+10 | 10+2
    const [macs, params] = run(
      space(
        [
          { kind: 'search', out: 8, stride: 1, candidates: ['k3_e3'], widths: [4, 8] },
          { kind: 'search', out: 6, stride: 1, candidates: ['sep_k3'], widths: [4, 6] },
        ],
        8,
      ),
      () => ({ blocks: [0, 0], widths: [tf.tensor1d([0.25, 0.75]), tf.tensor1d([0.5, 0.5])] }),
    );
    expect(macs).toBeCloseTo(17226, 2);
    expect(params).toBeCloseTo(355, 3);
  });

  it('block mixture with a skip that is an identity when the widths match', () => {
    // 4x4x3 -> conv 1x1 to 8 (384 MACs, 40 params) -> {k3_e1, skip} m = [.4, .6], widths [4, 8] g = [.3, .7]
    // C̄ = 6.8; k3_e1: dw 16·9·8 = 1152 (72+16), project 16·8·6.8 = 870.4 (54.4+13.6)
    // skip: P(c_in = c_out) = .7 -> .3 · (870.4 MACs, 68 params); fc 6.8·2 (13.6 + 2)
    const [macs, params] = run(
      space(
        [
          { kind: 'conv', k: 1, out: 8, stride: 1, act: 'relu' },
          { kind: 'search', out: 8, stride: 1, candidates: ['k3_e1', 'skip'], widths: [4, 8] },
        ],
        4,
      ),
      () => ({ blocks: [tf.tensor1d([0.4, 0.6])], widths: [tf.tensor1d([0.3, 0.7])] }),
    );
    const layer = {
      macs: 0.4 * (1152 + 870.4) + 0.6 * 0.3 * 870.4,
      params: 0.4 * (88 + 68) + 0.6 * 0.3 * 68,
    };
    expect(macs).toBeCloseTo(384 + layer.macs + 13.6, 2);
    expect(params).toBeCloseTo(40 + layer.params + 15.6, 3);
  });

  it('resolution: expected output area Σ g_r · side_r²', () => {
    // 8x8 and 4x4 (factor 2), g = [.5, .5]: area 40; conv 3x3 3->4: 40·27·4 MACs; fc 4·2
    const [macs, params] = run(
      space([{ kind: 'conv', k: 3, out: 4, stride: 1, act: 'relu' }], 8),
      () => ({ blocks: [], resolution: tf.tensor1d([0.5, 0.5]) }),
      [1, 2],
    );
    expect(macs).toBeCloseTo(40 * 27 * 4 + 8, 3);
    expect(params).toBeCloseTo(108 + 8 + 10, 4);
  });
});

describe('plan checks', () => {
  it('rejects grouped candidates where widths vary and expansion 1', () => {
    const base = SPACE.body[1] as Extract<SearchSpace['body'][number], { kind: 'search' }>;
    const grouped: SearchSpace = { ...SPACE, body: [SPACE.body[0], { ...base, candidates: ['k3_e1_g2'] }] };
    expect(() => planSpace(grouped)).toThrow(/grouped/);
    const e1: SearchSpace = { ...SPACE, body: [SPACE.body[0], { ...base, expansions: [1, 2] }] };
    expect(() => planSpace(e1)).toThrow(/expansions/);
  });
});
