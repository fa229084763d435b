/**
 * The optional FBNetV2 settings (config.v2) in a v1 link: { f: width fractions, r: resolution factors }.
 * Absent from the config means absent from the link, so V1 links and the default link are unchanged.
 * Decoding validates both lists; a bad list falls back to DEFAULT_V2's and says so.
 */
import { DEFAULT_V2, type V2Settings } from '../nas/index.ts';
import { show } from './rules.ts';

export const V2_KEYS = { widthFractions: 'f', resolutionFactors: 'r' } as const;
const MAX_OPTIONS = 8;

export function packV2(v2: V2Settings): Record<string, unknown> {
  return {
    [V2_KEYS.widthFractions]: [...v2.widthFractions],
    [V2_KEYS.resolutionFactors]: [...v2.resolutionFactors],
  };
}

function list(
  raw: unknown,
  ok: (v: number) => boolean,
  fallback: number[],
  path: string,
  warn: (path: string, message: string) => void,
): number[] {
  const good =
    Array.isArray(raw) &&
    raw.length > 0 &&
    raw.length <= MAX_OPTIONS &&
    raw.every((v) => typeof v === 'number' && Number.isFinite(v) && ok(v)) &&
    raw.every((v, i) => i === 0 || v > raw[i - 1]);
  if (good) return [...(raw as number[])];
  warn(path, `${show(raw)} is not an ascending list of valid options; using ${fallback.join(', ')}.`);
  return [...fallback];
}

export function unpackV2(
  raw: unknown,
  warn: (path: string, message: string) => void,
): V2Settings | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    warn('v2', `expected FBNetV2 settings, got ${show(raw)}; they were ignored.`);
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  return {
    widthFractions: list(
      r[V2_KEYS.widthFractions],
      (v) => v > 0 && v <= 1,
      DEFAULT_V2.widthFractions,
      'v2.widthFractions',
      warn,
    ),
    resolutionFactors: list(
      r[V2_KEYS.resolutionFactors],
      (v) => Number.isInteger(v) && v >= 1 && v <= 8,
      DEFAULT_V2.resolutionFactors,
      'v2.resolutionFactors',
      warn,
    ),
  };
}
