import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT, readNumber, type ExperimentConfig } from '../nas/index.ts';
import { decodeShare, encodeShare } from './codec.ts';
import { decodeV1 } from './decode-v1.ts';
import type { ShareContext } from './types.ts';
import { toWireV1, V1_DEFAULTS } from './wire-v1.ts';

const CTX: ShareContext = {
  spaces: ['classroom'],
  candidates: ['k3_e1', 'k3_e3', 'k5_e3', 'k3_e6', 'k5_e6', 'skip'],
};

// the wire carries what differs from v1's frozen defaults (wire-v1.ts), so those are the baseline here
const withPaths = (paths: 'all' | 'single'): ExperimentConfig => {
  const config = structuredClone(V1_DEFAULTS) as ExperimentConfig;
  config.gumbel = { ...config.gumbel, hard: true, paths };
  return config;
};

describe('share codec: gumbel.paths', () => {
  it.each(['all', 'single'] as const)('round-trips paths %s under key gp', (paths) => {
    const config = withPaths(paths);
    expect(toWireV1({ config })).toEqual({ gh: true, gp: paths });
    const { value, warnings } = decodeShare(encodeShare({ config }), CTX);
    expect(warnings).toEqual([]);
    expect(value.config).toEqual(config);
  });

  it('is absent from configs and links without it, so older links decode unchanged', () => {
    expect('paths' in V1_DEFAULTS.gumbel).toBe(false);
    expect(toWireV1({ config: V1_DEFAULTS })).toEqual({});
    const decoded = decodeShare(encodeShare({ config: V1_DEFAULTS }), CTX).value.config;
    expect(decoded.gumbel).toEqual({ tau0: 5, decay: 0.956, hard: false });
  });

  it("today's default (single path) travels as what differs from v1's defaults and decodes to itself", () => {
    expect(toWireV1({ config: DEFAULT_EXPERIMENT })).toEqual({
      n: 60,
      w: 1,
      lw: 0.02,
      lt: 0.1,
      gh: true,
      gp: 'single',
      gy: 0.7,
      gt: 'score',
      lb: 0.15,
    });
    const { value, warnings } = decodeShare(encodeShare({ config: DEFAULT_EXPERIMENT }), CTX);
    expect(warnings).toEqual([]);
    expect(value.config).toStrictEqual(DEFAULT_EXPERIMENT);
  });

  it('leaves out an unknown value and says so', () => {
    const { value, warnings } = decodeV1({ gp: 'two' }, CTX);
    expect('paths' in value.config.gumbel).toBe(false);
    expect(warnings).toEqual([
      { path: 'gumbel.paths', message: '"two" is not one of "all", "single"; the field was left out.' },
    ]);
  });

  it('greedy weight steps: absent in older links (means 0); a bad value is repaired to the form default', () => {
    expect('greedy' in decodeV1({}, CTX).value.config.gumbel).toBe(false);
    expect(readNumber(decodeV1({}, CTX).value.config, 'gumbel.greedy')).toBe(0);
    expect(decodeV1({ gy: 0.25 }, CTX).value.config.gumbel.greedy).toBe(0.25);
    const { value, warnings } = decodeV1({ gy: 'most' }, CTX);
    expect(value.config.gumbel.greedy).toBe(DEFAULT_EXPERIMENT.gumbel.greedy);
    expect(warnings.map((w) => w.path)).toEqual(['gumbel.greedy']);
    expect(decodeV1({ gy: 3 }, CTX).value.config.gumbel.greedy).toBe(1);
  });

  it('θ gradient: absent in older links (means relaxed), round-trips under gt, an unknown value is left out', () => {
    expect('thetaGradient' in decodeV1({}, CTX).value.config.gumbel).toBe(false);
    const config = withPaths('single');
    config.gumbel.thetaGradient = 'score';
    expect(toWireV1({ config })).toEqual({ gh: true, gp: 'single', gt: 'score' });
    expect(decodeShare(encodeShare({ config }), CTX).value.config).toEqual(config);
    const { value, warnings } = decodeV1({ gt: 'magic' }, CTX);
    expect('thetaGradient' in value.config.gumbel).toBe(false);
    expect(warnings.map((w) => w.path)).toEqual(['gumbel.thetaGradient']);
  });
});
