import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT, DEFAULT_V2, type ExperimentConfig } from '../nas/index.ts';
import { decodeShare, encodeShare } from './codec.ts';
import type { ShareContext } from './types.ts';
import { K, toWireV1 } from './wire-v1.ts';
import { decodeV1 } from './decode-v1.ts';

const CTX: ShareContext = {
  spaces: ['classroom'],
  candidates: ['k3_e1', 'k3_e3', 'k5_e3', 'k3_e6', 'k5_e6', 'skip'],
};

describe('share codec: FBNetV2 settings', () => {
  it('round-trips strategy and v2 settings; V1 configs carry no v2 key', () => {
    const config: ExperimentConfig = {
      ...structuredClone(DEFAULT_EXPERIMENT),
      strategy: 'fbnet-v2',
      v2: { widthFractions: [0.5, 0.75, 1], resolutionFactors: [1, 2, 4] },
    };
    const link = encodeShare({ config });
    const { value, warnings } = decodeShare(link, CTX);
    expect(warnings).toEqual([]);
    expect(value.config).toEqual(config);
    expect(K.v2 in toWireV1({ config: DEFAULT_EXPERIMENT })).toBe(false);
    expect(decodeShare(encodeShare({ config: DEFAULT_EXPERIMENT }), CTX).value.config).not.toHaveProperty(
      'v2',
    );
  });

  it('replaces invalid lists by the defaults and says so', () => {
    const { value, warnings } = decodeV1({ [K.v2]: { f: [1, 0.5], r: [0, 2] } }, CTX);
    expect(value.config.v2).toEqual(DEFAULT_V2);
    expect(warnings.map((w) => w.path)).toEqual(['v2.widthFractions', 'v2.resolutionFactors']);
    const bad = decodeV1({ [K.v2]: 'x' }, CTX);
    expect(bad.value.config.v2).toBeUndefined();
    expect(bad.warnings[0].path).toBe('v2');
    const ok = decodeV1({ [K.v2]: { f: [0.25, 1], r: [1] } }, CTX);
    expect(ok.value.config.v2).toEqual({ widthFractions: [0.25, 1], resolutionFactors: [1] });
    expect(ok.warnings).toEqual([]);
  });
});
