import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT, type ExperimentConfig } from '../nas/index.ts';
import { decodeShare, encodeShare } from './codec.ts';
import { decodeV1 } from './decode-v1.ts';
import type { ShareContext } from './types.ts';
import { toWireV1 } from './wire-v1.ts';

const CTX: ShareContext = {
  spaces: ['classroom'],
  candidates: ['k3_e1', 'k3_e3', 'k5_e3', 'k3_e6', 'k5_e6', 'skip'],
};

const withPaths = (paths: 'all' | 'single'): ExperimentConfig => {
  const config = structuredClone(DEFAULT_EXPERIMENT);
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
    expect('paths' in DEFAULT_EXPERIMENT.gumbel).toBe(false);
    expect(toWireV1({ config: DEFAULT_EXPERIMENT })).toEqual({});
    const decoded = decodeShare(encodeShare({ config: DEFAULT_EXPERIMENT }), CTX).value.config;
    expect(decoded.gumbel).toEqual({ tau0: 5, decay: 0.956, hard: false });
  });

  it('leaves out an unknown value and says so', () => {
    const { value, warnings } = decodeV1({ gp: 'two' }, CTX);
    expect('paths' in value.config.gumbel).toBe(false);
    expect(warnings).toEqual([
      { path: 'gumbel.paths', message: '"two" is not one of "all", "single"; the field was left out.' },
    ]);
  });
});
