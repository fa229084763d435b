/**
 * The optional FBNetV2 settings (config.v2) in a v1 link: { f: width fractions, r: resolution factors }.
 * Absent from the config means absent from the link, so V1 links and the default link are unchanged.
 * Decoding validates both lists; a bad list falls back to DEFAULT_V2's and says so.
 */
import { DEFAULT_V2, type V2Settings, isOptionList, type V2OptionKind } from '../nas/index.ts';
import { show } from './rules.ts';

export const V2_KEYS = { widthFractions: 'f', resolutionFactors: 'r' } as const;

export function packV2(v2: V2Settings): Record<string, unknown> {
  return {
    [V2_KEYS.widthFractions]: [...v2.widthFractions],
    [V2_KEYS.resolutionFactors]: [...v2.resolutionFactors],
  };
}

function list(raw: unknown, kind: V2OptionKind, warn: (path: string, message: string) => void): number[] {
  if (isOptionList(kind, raw)) return [...raw];
  const fallback = DEFAULT_V2[kind];
  warn(`v2.${kind}`, `${show(raw)} is not an ascending list of valid options; using ${fallback.join(', ')}.`);
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
    widthFractions: list(r[V2_KEYS.widthFractions], 'widthFractions', warn),
    resolutionFactors: list(r[V2_KEYS.resolutionFactors], 'resolutionFactors', warn),
  };
}
