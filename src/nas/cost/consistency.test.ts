/**
 * The cost counter against the tfjs builder (the ground truth: it runs the real model and was checked
 * against onnxruntime). For every block kind over a spread of settings, every library candidate, every
 * registry architecture and both ends of every search space: trainable parameters of the built module
 * equal the counted params ('all' convention), its kernels equal the 'weights' convention, and the output
 * shape of a forward pass equals the counted `out` shape. MACs are checked by hand in count.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateNames, candidateSpec } from '../arch/candidates.ts';
import { ARCHS } from '../arch/registry.ts';
import type { Activation, Arch, Attention, BlockSpec } from '../arch/spec.ts';
import { isSearchLayer } from '../arch/spec.ts';
import { buildBlock, disposeParams } from '../blocks/build.ts';
import { countParams, type ParamInfo } from '../blocks/module.ts';
import { blockOutSize } from '../blocks/shapes.ts';
import { createModel } from '../model/model.ts';
import { headOutputs } from '../model/head.ts';
import { Rng } from '../rng.ts';
import { archFromChoices } from '../spaces/derive.ts';
import { SPACES } from '../spaces/index.ts';
import { blockCost, countCost, layerShapes } from './count.ts';

let tensorsBefore = 0;

beforeAll(async () => {
  await tf.setBackend('cpu');
  tensorsBefore = tf.memory().numTensors;
});

afterAll(() => {
  // every variable and activation made here was disposed
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

/** Conv/FC weight tensors only: what the 'weights' convention counts. */
const kernelCount = (params: ParamInfo[]) =>
  params.filter((p) => /(^|\/)(depthwise_)?kernel$/.test(p.name)).reduce((n, p) => n + p.variable.size, 0);

const SIZES = [9, 8];

/** Builds the block, compares params, then runs it on 1 x size x size x cin for each size. */
function checkBlock(spec: BlockSpec, cin: number): void {
  const block = buildBlock(spec, cin, 'b', new Rng(7));
  try {
    const params = block.params();
    const where = `${JSON.stringify(spec)} on ${cin} channels`;
    expect(countParams(params), where).toBe(blockCost(spec, { h: 9, w: 9, c: cin }).params);
    expect(kernelCount(params), where).toBe(blockCost(spec, { h: 9, w: 9, c: cin }, 'weights').params);
    for (const size of SIZES) {
      const cost = blockCost(spec, { h: size, w: size, c: cin });
      const y = tf.tidy(() => block.apply(tf.ones([1, size, size, cin]) as tf.Tensor4D, false));
      const got = y.shape;
      y.dispose();
      expect(got, `${where} at ${size}x${size}`).toEqual([1, cost.out.h, cost.out.w, cost.out.c]);
      expect(blockOutSize(spec, size), `${where} at ${size}x${size}`).toBe(cost.out.h);
    }
  } finally {
    disposeParams(block.params());
  }
}

interface BlockCase {
  spec: BlockSpec;
  cin: number;
}

const ACTS: Activation[] = ['relu', 'relu6', 'hswish', 'swish', 'none'];
const ATTENTIONS: Attention[] = ['none', 'se', 'ese'];

function irCases(): BlockCase[] {
  const out: BlockCase[] = [];
  let i = 0;
  for (const e of [1, 3, 6])
    for (const groups of [1, 2])
      for (const dilation of [1, 2])
        for (const attention of ATTENTIONS) {
          const stride = i % 2 === 0 ? 1 : 2;
          // alternate a residual-capable pair (8 -> 8) and a widening one (6 -> 12)
          const [cin, o] = i % 4 < 2 ? [8, 8] : [6, 12];
          const k = i % 3 === 0 ? 5 : 3;
          out.push({
            spec: {
              kind: 'ir',
              k,
              e,
              out: o,
              stride,
              groups,
              dilation,
              attention,
              act: ACTS[i % ACTS.length],
            },
            cin,
          });
          i++;
        }
  // grouped hidden width that rounds to the nearest multiple (5 -> 4), and SE bottlenecks that makeDivisible
  // moves (36 -> 16, 100 -> 24)
  out.push({ spec: { kind: 'ir', k: 3, e: 1.25, out: 8, stride: 1, groups: 4 }, cin: 4 });
  out.push({ spec: { kind: 'ir', k: 3, e: 6, out: 6, stride: 1, attention: 'se' }, cin: 6 });
  out.push({ spec: { kind: 'ir', k: 3, e: 4, out: 8, stride: 2, attention: 'se', act: 'hswish' }, cin: 25 });
  return out;
}

function otherCases(): BlockCase[] {
  const out: BlockCase[] = [
    { spec: { kind: 'skip', out: 8, stride: 1 }, cin: 8 },
    { spec: { kind: 'skip', out: 12, stride: 1 }, cin: 8 },
    { spec: { kind: 'skip', out: 8, stride: 2 }, cin: 8 },
  ];
  let i = 0;
  for (const stride of [1, 2])
    for (const dilation of [1, 2])
      for (const attention of ATTENTIONS) {
        const [cin, o] = i % 2 === 0 ? [8, 8] : [6, 10];
        out.push({
          spec: {
            kind: 'sep',
            k: i % 3 === 0 ? 5 : 3,
            out: o,
            stride,
            dilation,
            attention,
            act: ACTS[i % 5],
          },
          cin,
        });
        i++;
      }
  for (const stride of [1, 2])
    for (const o of [7, 8])
      for (const [k, e, attention] of [
        [3, 1, 'none'],
        [5, 2, 'se'],
        [3, 3, 'ese'],
      ] as [number, number, Attention][]) {
        out.push({ spec: { kind: 'ghost', k, e, out: o, stride, attention, act: 'relu' }, cin: 8 });
        out.push({ spec: { kind: 'ghost', k, e, out: o, stride, attention, act: 'hswish' }, cin: 5 });
      }
  out.push({ spec: { kind: 'ghost', k: 3, e: 1, out: 7, stride: 1 }, cin: 7 }); // identity shortcut, odd
  for (const o of [8, 7]) out.push({ spec: { kind: 'pelee_stem', out: o }, cin: 3 });
  for (const k of [2, 3, 7])
    for (const stride of [1, 2]) out.push({ spec: { kind: 'dwpool', k, stride, act: 'none' }, cin: 4 });
  for (const groups of [1, 2])
    for (const noBn of [false, true])
      for (const [k, stride, dilation] of [
        [3, 2, 1],
        [1, 1, 1],
        [3, 1, 2],
        [2, 1, 1],
      ]) {
        out.push({ spec: { kind: 'conv', k, out: 8, stride, groups, dilation, noBn, act: 'relu6' }, cin: 6 });
      }
  return out;
}

describe('blockCost matches the built tfjs block', () => {
  it('inverted residuals (e 1/3/6, groups 1/2/4, dilation 1/2, none/SE/eSE, activations)', () => {
    for (const c of irCases()) checkBlock(c.spec, c.cin);
  });

  it('skip, separable, ghost, PeleeNet stem, dwpool and conv', () => {
    for (const c of otherCases()) checkBlock(c.spec, c.cin);
  });

  it('every library candidate at stride 1 and 2', () => {
    for (const name of candidateNames())
      for (const stride of [1, 2])
        for (const [cin, o] of [
          [8, 8],
          [6, 12],
        ])
          checkBlock(candidateSpec(name, o, stride), cin);
  });
});

/** Params, per-block output shapes and the head's output of the built model at input `size`. */
function checkArch(arch: Arch, size: number): void {
  const model = createModel(arch, { seed: 1 });
  try {
    expect(model.paramCount(), arch.name).toBe(countCost(arch).params);
    expect(kernelCount(model.params()), arch.name).toBe(countCost(arch, arch.input, 'weights').params);
    const shapes = layerShapes(arch, { size, channels: arch.input.channels });
    const x = tf.ones([1, size, size, arch.input.channels]) as tf.Tensor4D;
    let h = x;
    model.blocks.forEach((b, i) => {
      const y = b.apply(h, false);
      if (h !== x) h.dispose();
      h = y;
      const s = shapes[i].out;
      expect(h.shape, `${arch.name} block ${i}`).toEqual([1, s.h, s.w, s.c]);
    });
    if (h !== x) h.dispose();
    const logits = model.predict(x);
    expect(logits.shape).toEqual([1, headOutputs(arch.head)]);
    logits.dispose();
    x.dispose();
  } finally {
    model.dispose();
  }
}

describe('countCost matches createModel', () => {
  // params do not depend on the input size, so forward passes run at 32x32 for speed
  for (const [key, arch] of Object.entries(ARCHS)) {
    it(`registry: ${key}`, () => checkArch(arch, 32));
  }

  for (const [id, space] of Object.entries(SPACES)) {
    it(`space ${id}: first and last candidates`, () => {
      const layers = space.body.filter(isSearchLayer);
      checkArch(
        archFromChoices(
          space,
          layers.map(() => 0),
          `${id}-first`,
        ),
        32,
      );
      checkArch(
        archFromChoices(
          space,
          layers.map((l) => l.candidates.length - 1),
          `${id}-last`,
        ),
        32,
      );
    });
  }
});
