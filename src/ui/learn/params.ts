/**
 * A lesson widget's settings, declared as data: each names its bounds and default, which the sliders draw
 * their ranges from and the lesson-link codec checks links against (one table, as experiment-fields.ts is
 * for experiments).
 */
export type ParamSpec =
  | { kind: 'num'; label: string; min: number; max: number; step: number; default: number }
  | { kind: 'int'; label: string; min: number; max: number; default: number }
  | { kind: 'bool'; label: string; default: boolean }
  /** A fixed-length list of numbers (θ over the candidates). */
  | { kind: 'nums'; label: string; min: number; max: number; step: number; default: number[] };

export type ParamValue = number | boolean | number[];
export type WidgetState = Record<string, ParamValue>;
export type ParamSpecs = Record<string, ParamSpec>;

export function defaultsOf(specs: ParamSpecs): WidgetState {
  const out: WidgetState = {};
  for (const [key, spec] of Object.entries(specs))
    out[key] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
  return out;
}

export const num = (label: string, min: number, max: number, step: number, def: number): ParamSpec => ({
  kind: 'num',
  label,
  min,
  max,
  step,
  default: def,
});
export const int = (label: string, min: number, max: number, def: number): ParamSpec => ({
  kind: 'int',
  label,
  min,
  max,
  default: def,
});
export const bool = (label: string, def: boolean): ParamSpec => ({ kind: 'bool', label, default: def });
export const nums = (label: string, min: number, max: number, step: number, def: number[]): ParamSpec => ({
  kind: 'nums',
  label,
  min,
  max,
  step,
  default: def,
});

/** Typed reads of a widget's state (the codec guarantees each key holds its spec's kind). */
export const numOf = (s: WidgetState, key: string): number => s[key] as number;
export const boolOf = (s: WidgetState, key: string): boolean => s[key] as boolean;
export const numsOf = (s: WidgetState, key: string): number[] => s[key] as number[];
