/**
 * lower() against the tfjs builder (the ground truth: it runs the real model and was checked against
 * onnxruntime). For every block kind over a spread of settings, every library candidate (FBNet V1 and
 * PFLD, lowered as a search layer's candidate), every registry architecture and both ends of every search
 * space (its fixed layers included): the lowered parameters are the built module's, name for name, in the
 * same order, with the same shapes and trainability; the lowered output shape of every block is the shape a
 * forward pass gives; and the cost counter built on lower() agrees: trainable parameters equal the counted
 * params ('all' convention), kernels the 'weights' convention. MACs are checked by hand in count.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FBNET_V1_CANDIDATES, PFLD_CANDIDATES } from './candidates.ts';
import { lower, lowerBlock, lowerCandidate, loweredParams, type ParamSpec } from './lower.ts';
import { ARCHS } from './registry.ts';
import type { Activation, Arch, Attention, BlockKind, BlockSpec, SearchLayerSpec } from './spec.ts';
import { isSearchLayer } from './spec.ts';
import { buildBlock, disposeParams } from '../blocks/build.ts';
import { countParams, type ParamInfo } from '../blocks/module.ts';
import { createModel } from '../model/model.ts';
import { headOutputs } from '../model/head.ts';
import { Rng } from '../rng.ts';
import { archFromChoices } from '../spaces/derive.ts';
import { SPACES } from '../spaces/index.ts';
import { blockCost, countCost, layerShapes } from '../cost/count.ts';

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

/** The built parameters as lower() describes them: name, shape, trainable. */
const builtParams = (params: ParamInfo[]) =>
  params.map((p) => ({ name: p.name, shape: p.variable.shape, trainable: p.trainable }));
const lowered = (params: ParamSpec[]) =>
  params.map((p) => ({ name: p.name, shape: p.shape, trainable: p.role !== 'stat' }));

/** Builds the block, compares params, then runs it on 1 x size x size x cin for each size. */
function checkBlock(spec: BlockSpec, cin: number): void {
  const block = buildBlock(spec, cin, 'b', new Rng(7));
  try {
    const params = block.params();
    const where = `${JSON.stringify(spec)} on ${cin} channels`;
    const part = lowerBlock(spec, { h: 9, w: 9, c: cin }, 'b');
    expect(lowered(loweredParams(part.ops)), where).toEqual(builtParams(params));
    expect(countParams(params), where).toBe(blockCost(spec, { h: 9, w: 9, c: cin }).params);
    expect(kernelCount(params), where).toBe(blockCost(spec, { h: 9, w: 9, c: cin }, 'weights').params);
    for (const size of SIZES) {
      const cost = blockCost(spec, { h: size, w: size, c: cin });
      const y = tf.tidy(() => block.apply(tf.ones([1, size, size, cin]) as tf.Tensor4D, false));
      const got = y.shape;
      y.dispose();
      expect(got, `${where} at ${size}x${size}`).toEqual([1, cost.out.h, cost.out.w, cost.out.c]);
      const out = lowerBlock(spec, { h: size, w: size, c: cin }).out.shape;
      expect(got, `${where} at ${size}x${size}`).toEqual([1, out.h, out.w, out.c]);
    }
  } finally {
    disposeParams(block.params());
  }
}

interface BlockCase {
  spec: BlockSpec;
  cin: number;
}

/** Every BlockSpec kind; a new kind must be added here and to the cases below. */
const ALL_KINDS: BlockKind[] = [
  'conv',
  'ir',
  'skip',
  'sep',
  'ghost',
  'pelee_stem',
  'dwpool',
  'ir_pool',
  'blaze',
  'double_blaze',
];

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
  // FBNetV3: depthwise padding overrides at stride 2 (k5 pad 1: 9 -> 4, 8 -> 3; k3 pad 0: 9 -> 4, 8 -> 3)
  // and at stride 1 (k3 pad 0 shrinks the map, so no residual), SE from the block input (hidden 120,
  // e 5 -> 6 -> 8 channels; hidden 72, e 3 -> 6 -> 8) with h-swish inside
  const v3 = { act: 'hswish', attention: 'se', seReduce: 'input', seAct: 'hswish' } as const;
  out.push({ spec: { kind: 'ir', k: 5, e: 5, out: 16, stride: 2, dwPad: 1, ...v3 }, cin: 24 });
  out.push({ spec: { kind: 'ir', k: 3, e: 3, out: 24, stride: 2, dwPad: 0, ...v3 }, cin: 24 });
  out.push({ spec: { kind: 'ir', k: 3, e: 3, out: 16, stride: 1, dwPad: 0, act: 'relu' }, cin: 24 });
  out.push({ spec: { kind: 'ir', k: 3, e: 3, out: 24, stride: 1, ...v3 }, cin: 24 });
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
  for (const [e, o, act] of [
    [6, 16, 'hswish'],
    [1, 8, 'relu'],
    [2.5, 7, 'none'],
  ] as [number, number, Activation][]) {
    out.push({ spec: { kind: 'ir_pool', e, out: o, act }, cin: 6 });
  }
  // Blaze blocks: identity, zero-padded and max-pooled (odd sizes: ceil mode) shortcuts
  for (const stride of [1, 2])
    for (const [cin, o] of [
      [6, 6],
      [6, 10],
    ]) {
      out.push({ spec: { kind: 'blaze', k: 5, out: o, stride }, cin });
      out.push({ spec: { kind: 'double_blaze', k: 3, mid: 4, out: o, stride, act: 'relu6' }, cin });
    }
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

describe('lowerBlock and blockCost match the built tfjs block', () => {
  it('inverted residuals (e 1/3/6, groups 1/2/4, dilation 1/2, none/SE/eSE, activations)', () => {
    for (const c of irCases()) checkBlock(c.spec, c.cin);
  });

  it('skip, separable, ghost, PeleeNet stem, dwpool, ir_pool, conv, blaze and double blaze', () => {
    for (const c of otherCases()) checkBlock(c.spec, c.cin);
  });

  it('the cases cover every block kind, and every op reads values defined before it', () => {
    const cases = [...irCases(), ...otherCases()];
    expect(new Set(cases.map((c) => c.spec.kind))).toEqual(new Set(ALL_KINDS));
    for (const c of cases) {
      const part = lowerBlock(c.spec, { h: 9, w: 9, c: c.cin });
      const known = new Set([part.in.id]);
      for (const op of part.ops) {
        for (const v of op.in) expect(known.has(v.id), `${op.name} input`).toBe(true);
        expect(known.has(op.out.id), `${op.name} output is new`).toBe(false);
        known.add(op.out.id);
      }
      expect(known.has(part.out.id)).toBe(true);
    }
  });

  for (const [family, list] of [
    ['FBNet V1', FBNET_V1_CANDIDATES],
    ['PFLD', PFLD_CANDIDATES],
  ] as const) {
    it(`every ${family} candidate at stride 1 and 2, lowered as a search layer's candidate`, () => {
      for (const { name, make } of list)
        for (const stride of [1, 2])
          for (const [cin, o] of [
            [8, 8],
            [6, 12],
          ]) {
            const layer: SearchLayerSpec = { kind: 'search', out: o, stride, candidates: [name] };
            const viaLayer = lowerCandidate(layer, name, { h: 9, w: 9, c: cin }, 'b');
            const direct = lowerBlock(make(o, stride), { h: 9, w: 9, c: cin }, 'b');
            expect(viaLayer, name).toEqual(direct);
            checkBlock(make(o, stride), cin);
          }
    });
  }
});

/** Params, per-block output shapes and the head's output of the built model at input `size`. */
function checkArch(arch: Arch, size: number): void {
  const model = createModel(arch, { seed: 1 });
  try {
    const low = lower(arch, { size, channels: arch.input.channels });
    expect(lowered(loweredParams(low.ops)), arch.name).toEqual(builtParams(model.params()));
    model.blocks.forEach((b, i) => {
      expect(lowered(loweredParams(low.body[i].ops)), `${arch.name} block ${i}`).toEqual(
        builtParams(b.params()),
      );
    });
    expect(lowered(loweredParams(low.head.ops)), `${arch.name} head`).toEqual(
      builtParams(model.head.params()),
    );
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
      const o = low.body[i].out.shape;
      expect(h.shape, `${arch.name} block ${i}`).toEqual([1, o.h, o.w, o.c]);
    });
    if (h !== x) h.dispose();
    const logits = model.predict(x);
    expect(logits.shape).toEqual([1, headOutputs(arch.head)]);
    expect(logits.shape).toEqual([1, low.output.shape.c]);
    logits.dispose();
    x.dispose();
  } finally {
    model.dispose();
  }
}

describe('lower and countCost match createModel', () => {
  // params do not depend on the input size, so forward passes run at 32x32 for speed; FBNetV3's depthwise
  // convs with less padding (dwPad) leave no map at 32 (4 -> 1 -> 0), so those run at 64
  const checkSize = (arch: Arch) =>
    arch.body.some((b) => b.kind === 'ir' && b.dwPad !== undefined) ? 64 : 32;
  for (const [key, arch] of Object.entries(ARCHS)) {
    it(`registry: ${key}`, () => checkArch(arch, checkSize(arch)));
  }

  it('a landmark head with taps and grid pooling', () => {
    const arch: Arch = {
      name: 'grid',
      input: { size: 16, channels: 3 },
      body: [
        { kind: 'conv', k: 3, out: 8, stride: 2, act: 'relu' },
        { kind: 'ir', k: 3, e: 2, out: 8, stride: 1, attention: 'se', act: 'hswish' },
        { kind: 'sep', k: 3, out: 12, stride: 2, act: 'relu6' },
      ],
      head: { kind: 'landmarks', points: 3, features: 16, act: 'hswish', grid: 2, taps: [0, 1] },
    };
    checkArch(arch, 16);
    checkArch(arch, 19);
  });

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
