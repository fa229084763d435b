import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT, type ExperimentConfig } from '../nas/index.ts';
import { decodeShare, encodeShare } from './codec.ts';
import { decodeV1 } from './decode-v1.ts';
import { defaultSharedStrategies, type SharedStrategies } from './strategies-settings.ts';
import type { ShareContext } from './types.ts';
import { K, toWireV1 } from './wire-v1.ts';

const CTX: ShareContext = {
  spaces: ['classroom'],
  candidates: ['k3_e1', 'k3_e3', 'k5_e3', 'k3_e6', 'k5_e6', 'skip'],
};

// the experiment the link below was made from: that commit's defaults (the warm-up, θ rate and β defaults
// changed since and greedy weight steps and score-function θ steps came later; an old link keeps the values it was made with)
const BASE = structuredClone(DEFAULT_EXPERIMENT);
const { greedy: _, thetaGradient: __, ...OLD_GUMBEL } = BASE.gumbel;
const SPOS: ExperimentConfig = {
  ...BASE,
  gumbel: OLD_GUMBEL,
  train: { ...BASE.train, warmupEpochs: 2, lrTheta: 0.01 },
  loss: { ...BASE.loss, beta: 0.6 },
  strategy: 'spos',
  title: 'SPOS link',
};

/** A link written by the app before the strategies block existed (commit 0d361ec). */
const OLD_SPOS_LINK =
  '1z.zX88dKtWKlGyUgoO8A9WyMnMy1bSUUoH8osL8ouBzDwlKzMDHaWcciUrAz0DI6BchpJVSVFpKpBVAFKWmZeek6pUCwA';

const CUSTOM: SharedStrategies = {
  strategies: ['sanas', 'evolution', 'random'],
  seeds: 3,
  budget: 40,
  reward: 'mnas-hard',
  target: 1_500_000,
  initTemperature: 4,
  reduceRate: 0.7,
  population: 8,
  sample: 3,
};

describe('share codec: sample strategies settings', () => {
  it('round-trips every setting; default settings leave the link unchanged', () => {
    const { value, warnings } = decodeShare(encodeShare({ config: SPOS, strategies: CUSTOM }), CTX);
    expect(warnings).toEqual([]);
    expect(value.strategies).toEqual(CUSTOM);
    expect(value.config).toEqual(SPOS);
    const plain = encodeShare({ config: SPOS });
    expect(encodeShare({ config: SPOS, strategies: defaultSharedStrategies() })).toBe(plain);
    expect(K.strategies in toWireV1({ config: SPOS, strategies: defaultSharedStrategies() })).toBe(false);
  });

  it('old links (no strategies block) keep decoding, with the defaults and no notice', () => {
    const { value, warnings } = decodeShare(OLD_SPOS_LINK, CTX);
    expect(warnings).toEqual([]);
    expect(value.config).toEqual(SPOS);
    expect(value.strategies).toBeUndefined();
    // the same experiment encodes to the same bytes as before
    expect(encodeShare({ config: SPOS })).toBe(OLD_SPOS_LINK);
  });

  it('hostile values fall back to the defaults, each with a notice', () => {
    const d = defaultSharedStrategies();
    const { value, warnings } = decodeV1(
      {
        [K.strategies]: {
          v: 1,
          g: ['sanas', 'darts'],
          n: 1e9,
          b: -5,
          k: '<script>',
          m: Number.NaN,
          t0: 0,
          r: 1,
          p: 2.5,
          s: 'x',
          zz: 1,
        },
      },
      CTX,
    );
    expect(value.strategies).toEqual({
      ...d,
      strategies: d.strategies,
      seeds: 10, // clamped to the maximum
      budget: 1, // clamped to the minimum
      population: 3, // 2.5 rounds to 3
      sample: 3, // the default 4 exceeds that population: cut to it
    });
    expect(warnings.map((w) => w.path).sort()).toEqual(
      [
        'strategies.zz',
        'strategies.strategies',
        'strategies.seeds',
        'strategies.budget',
        'strategies.reward',
        'strategies.target',
        'strategies.initTemperature',
        'strategies.reduceRate',
        'strategies.population',
        'strategies.sample',
        'strategies.sample',
      ].sort(),
    );
    expect(warnings.find((w) => w.path === 'strategies.reduceRate')!.message).toMatch(
      /less than 1; using the default 0\.85/,
    );
    // S > P is cut to P
    const big = decodeV1({ [K.strategies]: { v: 1, p: 4, s: 9 } }, CTX);
    expect(big.value.strategies).toMatchObject({ population: 4, sample: 4 });
    expect(big.warnings.map((w) => w.path)).toEqual(['strategies.sample']);
    // repeats collapse into the app's order
    expect(
      decodeV1({ [K.strategies]: { v: 1, g: ['random', 'sanas', 'random'] } }, CTX).value.strategies
        ?.strategies,
    ).toEqual(['sanas', 'random']);
    expect(decodeV1({ [K.strategies]: { v: 1, g: [] } }, CTX).warnings[0].path).toBe('strategies.strategies');
  });

  it('a block that is not an object, has no version or comes from a newer app is ignored with a notice', () => {
    for (const raw of [null, 'x', [1, 2], { g: ['sanas'] }, { v: '1' }]) {
      const { value, warnings } = decodeV1({ [K.strategies]: raw }, CTX);
      expect(value.strategies).toBeUndefined();
      expect(warnings.map((w) => w.path)).toEqual(['strategies']);
    }
    const newer = decodeV1({ [K.strategies]: { v: 2, n: 3 } }, CTX);
    expect(newer.value.strategies).toBeUndefined();
    expect(newer.warnings[0].message).toMatch(/newer version.*using the defaults/);
  });
});
