import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../nas/index.ts';
import { DEFAULT_V3_SETTINGS } from '../worker/v3-session.ts';
import { decodeShare, encodeShare } from './codec.ts';
import { decodeV1 } from './decode-v1.ts';
import type { ShareContext } from './types.ts';
import { defaultSharedV3, V3_SHARE_DEFAULTS, type SharedV3 } from './v3-settings.ts';
import { K, toWireV1 } from './wire-v1.ts';

const CTX: ShareContext = {
  spaces: ['classroom', 'fbnet-v1', 'pfld'],
  candidates: ['k3_e1', 'k3_e1_g2', 'k3_e3', 'k3_e6', 'k5_e1', 'k5_e1_g2', 'k5_e3', 'k5_e6', 'skip'],
  datasets: ['my-faces'],
};

const CUSTOM: SharedV3 = {
  seed: 7,
  faces: 60,
  size: 48,
  batch: 8,
  poolSize: 20,
  round0: 6,
  rounds: 3,
  perRound: 3,
  steps: 12,
  checkpoints: 4,
  earlyStopTau: 0.8,
  maxMacs: 4e6,
  budgets: [1e6, 2.5e6, 4e6],
  proxyArchs: 500,
  predictorSteps: 80,
  generations: 6,
  population: 10,
  sensitivity: 2,
};

/** CUSTOM on the default experiment, as the first version of the block wrote it (compat fixture). */
const V3_LINK_BLOCK_V1 =
  '1z.7a4Ffy2OXQ6CQAyE7zLPjdkuoqRXMT6IwdWIhAD-RMLdGQr70Jnufp3uiAZ2CIIvTAU1JexCpBvc5YJ0hw3du6JrYegfTaorkCgXQkn8MtiIjyf0sKPgtob-YftCQJCVw5F3XeAbBZYJnl75BeXKK2mB7yX-Yhf8cPQCy90wvqAmz2gZqexKtifd4Ehw0W34PE0z';

describe('share codec: FBNetV3 search settings', () => {
  it('round-trips every setting; the defaults leave the link unchanged', () => {
    const config = structuredClone(DEFAULT_EXPERIMENT);
    const { value, warnings } = decodeShare(encodeShare({ config, v3: CUSTOM }), CTX);
    expect(warnings).toEqual([]);
    expect(value.v3).toEqual(CUSTOM);
    expect(value.config).toEqual(config);
    expect(encodeShare({ config, v3: defaultSharedV3() })).toBe(encodeShare({ config }));
    expect(K.v3 in toWireV1({ config, v3: defaultSharedV3() })).toBe(false);
    // only what differs travels
    const one = { ...defaultSharedV3(), rounds: 1 };
    expect(toWireV1({ config, v3: one })[K.v3]).toEqual({ v: 1, r: 1 });
    expect(decodeShare(encodeShare({ config, v3: one }), CTX).value.v3).toEqual(one);
  });

  it('the link written by the first version of the block keeps decoding to the same settings', () => {
    const { value, warnings } = decodeShare(V3_LINK_BLOCK_V1, CTX);
    expect(warnings).toEqual([]);
    // written before the sensitivity field existed: absent = 0, the stage off
    const asWritten = { ...CUSTOM, sensitivity: 0 };
    expect(value.v3).toEqual(asWritten);
    expect(encodeShare({ config: value.config, v3: asWritten })).toBe(V3_LINK_BLOCK_V1);
  });

  it('old links (no FBNetV3 block) keep decoding as before, with no settings and no notice', () => {
    const links = JSON.parse(
      readFileSync(new URL('../compat/fixtures/share-links.json', import.meta.url), 'utf8'),
    ) as { name: string; token: string; decoded: unknown }[];
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) {
      const { value, warnings } = decodeShare(l.token, CTX);
      expect(warnings).toEqual([]);
      expect(value.v3).toBeUndefined();
      expect(JSON.parse(JSON.stringify(value))).toEqual(l.decoded);
    }
  });

  it('hostile values fall back to the defaults, each with a notice', () => {
    const d = V3_SHARE_DEFAULTS;
    const { value, warnings } = decodeV1(
      {
        [K.v3]: {
          v: 1,
          s: -1,
          f: 1e9,
          z: '<img src=x onerror=alert(1)>',
          b: 2.5,
          t: 0,
          m: Number.POSITIVE_INFINITY,
          n: null,
          bg: [1e6, -3],
          zz: 1,
          // as JSON.parse makes it from a link: an own key, not the prototype
          ...JSON.parse('{"__proto__": {"polluted": true}}'),
        },
      },
      CTX,
    );
    const v3 = value.v3!;
    expect(v3.seed).toBe(d.seed);
    expect(v3.faces).toBe(20_000); // clamped to the maximum
    expect(v3.size).toBe(d.size);
    expect(v3.batch).toBe(3); // rounded
    expect(v3.earlyStopTau).toBe(d.earlyStopTau); // τ must be > 0
    expect(v3.maxMacs).toBe(d.maxMacs);
    expect(v3.steps).toBe(d.steps);
    expect(v3.budgets).toEqual(d.budgets);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const paths = warnings.map((w) => w.path);
    for (const p of [
      'v3.seed',
      'v3.faces',
      'v3.size',
      'v3.batch',
      'v3.earlyStopTau',
      'v3.maxMacs',
      'v3.steps',
      'v3.budgets',
      'v3.zz',
      'v3.__proto__',
    ])
      expect(paths).toContain(p);
    // shown as quoted text (the page renders it as text, never as markup)
    expect(warnings.find((w) => w.path === 'v3.size')!.message).toMatch(
      /^expected a number, got ".*"; using the default 32\.$/,
    );
  });

  it('a pool too small for round 0 plus the rounds falls back to the default pool and rounds', () => {
    const { value, warnings } = decodeV1({ [K.v3]: { v: 1, p: 5, r0: 4, r: 2, k: 2, s: 9 } }, CTX);
    expect(value.v3).toMatchObject({ poolSize: 12, round0: 4, rounds: 2, perRound: 2, seed: 9 });
    expect(warnings.map((w) => w.path)).toEqual(['v3.poolSize']);
    expect(warnings[0].message).toMatch(/a pool of 5 is smaller than round 0 plus the rounds \(8\)/);
  });

  it('a block that is not an object, has no version or comes from a newer app is ignored with a notice', () => {
    for (const [raw, msg] of [
      ['x', /expected the FBNetV3 search settings/],
      [[1, 2], /expected the FBNetV3 search settings/],
      [{ p: 20 }, /no readable version/],
      [{ v: 2, p: 20 }, /newer version of NAS Playground \(v2\)/],
    ] as const) {
      const { value, warnings } = decodeV1({ [K.v3]: raw }, CTX);
      expect(value.v3).toBeUndefined();
      expect(warnings).toHaveLength(1);
      expect(warnings[0].path).toBe('v3');
      expect(warnings[0].message).toMatch(msg);
    }
    const tooMany = decodeV1({ [K.v3]: { v: 1, bg: Array(9).fill(1e6) } }, CTX);
    expect(tooMany.value.v3!.budgets).toEqual(V3_SHARE_DEFAULTS.budgets);
    expect(tooMany.warnings[0].message).toMatch(/1 to 8 positive MACs budgets/);
  });

  it('the block carries every field of the V3 form (a new form field needs a link field)', () => {
    expect(Object.keys(V3_SHARE_DEFAULTS).sort()).toEqual(Object.keys(DEFAULT_V3_SETTINGS).sort());
  });
});
