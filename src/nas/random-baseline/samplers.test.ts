import { describe, expect, it } from 'vitest';
import type { SearchSpace } from '../arch/spec.ts';
import { countCost } from '../cost/count.ts';
import { DEFAULT_EXPERIMENT, type ExperimentConfig } from '../experiment.ts';
import { Rng } from '../rng.ts';
import { CLASSROOM } from '../spaces/classroom.ts';
import { archFromChoices } from '../spaces/derive.ts';
import { archKey, BaselineSpace } from './baseline-space.ts';
import { baselineWork, planBaseline } from './plan.ts';
import { inBand, sampleCostMatched, sampleUniform } from './samplers.ts';
import type { BaselineChoices } from './types.ts';
import { baselineVerdict } from './verdict.ts';

const v1 = (): ExperimentConfig => structuredClone(DEFAULT_EXPERIMENT);
const v2 = (): ExperimentConfig => ({ ...v1(), strategy: 'fbnet-v2' });

const SEARCHED_V1: BaselineChoices = { blocks: [1, 2, 0, 3, 5] };
const SEARCHED_V2: BaselineChoices = { blocks: [1, 2, 0, 3, 5], widths: [3, 1, 2, 3, 2], factor: 2 };

function band(space: BaselineSpace, searched: BaselineChoices, half = 0.25) {
  const macs = space.point(searched).macs;
  return { low: macs * (1 - half), high: macs * (1 + half) };
}

/** Every draw in the band, none the searched network, no network twice. */
function expectCostMatched(
  space: BaselineSpace,
  draws: BaselineChoices[],
  searched: BaselineChoices,
  b: ReturnType<typeof band>,
) {
  const points = draws.map((c) => space.point(c));
  for (const p of points) {
    expect(p.macs).toBeGreaterThanOrEqual(b.low);
    expect(p.macs).toBeLessThanOrEqual(b.high);
  }
  const keys = points.map((p) => p.key);
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys).not.toContain(space.point(searched).key);
}

describe('random-baseline samplers', () => {
  it('lists the classroom V1 space in full and draws cost-matched networks inside the band only', () => {
    const space = new BaselineSpace(v1(), CLASSROOM);
    expect(space.enumerable).toBe(true);
    expect(space.all()!.length).toBe(6 ** 5);
    const b = band(space, SEARCHED_V1);
    const draws = sampleCostMatched(space, 30, b, new Rng(7), [SEARCHED_V1]);
    expect(draws).toHaveLength(30);
    expectCostMatched(space, draws, SEARCHED_V1, b);
    // the MACs are those of the plain network the search would derive
    for (const c of draws)
      expect(space.point(c).macs).toBe(countCost(archFromChoices(CLASSROOM, c.blocks, 'x')).macs);
  });

  it('rejection-samples the big FBNetV2 space, still inside the band and distinct', () => {
    const space = new BaselineSpace(v2(), CLASSROOM);
    expect(space.enumerable).toBe(false);
    expect(space.size).toBe(6 ** 5 * 4 ** 5 * 2);
    const b = band(space, SEARCHED_V2);
    const draws = sampleCostMatched(space, 8, b, new Rng(7), [SEARCHED_V2]);
    expect(draws).toHaveLength(8);
    expectCostMatched(space, draws, SEARCHED_V2, b);
    expect(draws.every((c) => c.widths!.length === 5 && [1, 2].includes(c.factor!))).toBe(true);
  });

  it('is seeded: the same seed draws the same networks, another seed others', () => {
    for (const [config, searched] of [
      [v1(), SEARCHED_V1],
      [v2(), SEARCHED_V2],
    ] as const) {
      const space = new BaselineSpace(config, CLASSROOM);
      const b = band(space, searched);
      const draw = (seed: number) => sampleCostMatched(space, 6, b, new Rng(seed), [searched]);
      expect(draw(11)).toEqual(draw(11));
      expect(draw(12)).not.toEqual(draw(11));
      const uniform = (seed: number) => sampleUniform(space, 6, new Rng(seed), [searched]);
      expect(uniform(11)).toEqual(uniform(11));
      expect(uniform(12)).not.toEqual(uniform(11));
    }
  });

  it('returns what exists when a small space has too few networks, and the plan says so', () => {
    // 2 × 2 networks: 9,992 MACs for k3 · k3 (the searched one), 14,088 for k3 · k5 and k5 · k3, 18,184 for
    // k5 · k5, so a ±50 % band (4,996 to 14,988) holds two besides the searched one
    const tiny: SearchSpace = {
      id: 'tiny',
      title: 'tiny',
      description: 'two layers, k3 or k5',
      input: { size: 8, channels: 1 },
      body: [
        { kind: 'conv', k: 3, out: 4, stride: 1, act: 'relu' },
        { kind: 'search', out: 4, stride: 1, candidates: ['k3_e1', 'k5_e1'] },
        { kind: 'search', out: 4, stride: 1, candidates: ['k3_e1', 'k5_e1'] },
      ],
      head: { kind: 'landmarks', points: 1, features: 4 },
    };
    const config = { ...v1(), space: 'tiny', inputSize: 8 };
    const searched = { blocks: [0, 0] };
    const macs = (blocks: number[]) => countCost(archFromChoices(tiny, blocks, 'x')).macs;
    const s = macs([0, 0]);
    expect([s, macs([0, 1]), macs([1, 0]), macs([1, 1])]).toEqual([9992, 14088, 14088, 18184]);
    const inside = [
      [0, 1],
      [1, 0],
      [1, 1],
    ].filter((b) => inBand(macs(b), { low: 0.5 * s, high: 1.5 * s }));
    expect(inside).toEqual([
      [0, 1],
      [1, 0],
    ]);

    const space = new BaselineSpace(config, tiny);
    expect(sampleUniform(space, 10, new Rng(1), [searched])).toHaveLength(3);
    // rejection sampling (the path of big spaces) finds the same three, each once, within its tries
    const drawn = sampleUniform(new BaselineSpace(config, tiny, 0), 10, new Rng(1), [searched], 200);
    expect(drawn.map((c) => c.blocks).sort()).toEqual([
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
    const matched = sampleCostMatched(
      new BaselineSpace(config, tiny, 0),
      4,
      { low: 0.5 * s, high: 1.5 * s },
      new Rng(2),
      [searched],
      200,
    );
    expect(matched.map((c) => c.blocks).sort()).toEqual(inside);
    const plan = planBaseline({
      config,
      space: tiny,
      searched,
      settings: { uniform: 0, costMatched: 4, band: 0.5 },
    });
    expect(plan.costMatchedFound).toBe(inside.length);
    expect(plan.bandSize).toBe(inside.length);
    expect(
      plan.candidates
        .filter((c) => c.kind === 'cost-matched')
        .map((c) => c.choices.blocks)
        .sort(),
    ).toEqual(inside.sort());
    expect(plan.spaceSize).toBe(4);
    const results = Object.fromEntries(plan.candidates.map((c, i) => [c.id, [10 + i, 11 + i]]));
    const verdict = baselineVerdict(plan, results);
    expect(verdict.tooFewCostMatched).toBe(true);
    expect(verdict.sentence).toContain(
      'only 2 of the 4 cost-matched architectures asked for exist within ±50 %',
    );
  });
});

describe('planBaseline', () => {
  it('puts the searched network first, then uniform, then cost-matched, all distinct, with one recipe', () => {
    const config = v1();
    const plan = planBaseline({
      config,
      space: CLASSROOM,
      searched: SEARCHED_V1,
      settings: { steps: 7, initSeeds: 3 },
    });
    expect(plan.candidates.map((c) => c.id)).toEqual([
      'searched',
      'u1',
      'u2',
      'u3',
      'u4',
      'c1',
      'c2',
      'c3',
      'c4',
    ]);
    expect(plan.candidates.map((c) => c.kind)).toEqual([
      'searched',
      ...Array(4).fill('uniform'),
      ...Array(4).fill('cost-matched'),
    ]);
    const keys = plan.candidates.map((c) => archKey(c.arch));
    expect(new Set(keys).size).toBe(9);
    expect(plan.searched.label).toBe('k3_e3 · k5_e3 · k3_e1 · k3_e6 · skip');
    expect(plan.recipe).toEqual({
      steps: 7,
      lr: 0.05,
      batchSize: config.train.batchSize,
      weightDecay: config.train.weightDecay,
      initSeeds: [config.seeds.init, config.seeds.init + 1, config.seeds.init + 2],
      dataSeed: config.seeds.data,
    });
    for (const c of plan.candidates.filter((c) => c.kind === 'cost-matched'))
      expect(inBand(c.macs, plan.band)).toBe(true);
    expect(baselineWork(plan)).toEqual({ units: 27, steps: 189 });
    // candidate edits narrow the space the draws come from
    const edited = { ...config, candidateEdits: { 1: ['skip'], 2: ['k3_e1', 'skip'] } };
    const p2 = planBaseline({ config: edited, space: CLASSROOM, searched: { blocks: [0, 1, 0, 0, 0] } });
    expect(p2.spaceSize).toBe(2 * 6 ** 3);
    expect(p2.candidates.every((c) => c.label.startsWith('skip · '))).toBe(true);
  });

  it('refuses bad settings and choices that do not fit the space, saying what is wrong', () => {
    const input = { config: v1(), space: CLASSROOM, searched: SEARCHED_V1 };
    expect(() => planBaseline({ ...input, settings: { band: 1.5 } })).toThrow(/cost band/);
    expect(() => planBaseline({ ...input, settings: { uniform: 0, costMatched: 0 } })).toThrow(
      /at least one/,
    );
    expect(() => planBaseline({ ...input, settings: { steps: 0 } })).toThrow(/steps/);
    expect(() => planBaseline({ ...input, searched: { blocks: [1, 2] } })).toThrow(/5 searchable layers/);
    expect(() => planBaseline({ ...input, config: v2() })).toThrow(/width per searchable layer/);
    expect(() => planBaseline({ ...input, config: v2(), searched: { ...SEARCHED_V2, factor: 3 } })).toThrow(
      /factor 3/,
    );
  });

  it('builds FBNetV2 networks at the chosen width and resolution', () => {
    const plan = planBaseline({ config: v2(), space: CLASSROOM, searched: SEARCHED_V2 });
    const s = plan.searched;
    expect(s.factor).toBe(2);
    expect(s.arch.input.size).toBe(32);
    // widths options of layers with out 8, 16, 16, 32, 32 at fractions ¼, ½, ¾, 1
    expect(s.arch.body.slice(1).map((b) => (b.kind === 'dwpool' ? 0 : b.out))).toEqual([8, 8, 12, 32, 24]);
    expect(s.label).toBe('k3_e3/8 · k5_e3/8 · k3_e1/12 · k3_e6/32 · skip/24 · input ÷2 (32 px)');
    expect(s.macs).toBe(countCost(s.arch).macs);
  });
});
