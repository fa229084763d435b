/**
 * Field checks for decoding: each takes the raw value from a link and the fallback, and returns the value to
 * use plus, when it had to repair something, a message saying what was wrong and what was used instead.
 * Closed bounds clamp (20 -> 10); open bounds cannot be clamped to, so they fall back to the default.
 */

export type Rule =
  | { t: 'int'; min: number; max: number }
  | { t: 'num'; min: number; max: number; minOpen?: boolean; maxOpen?: boolean }
  | { t: 'bool' }
  | { t: 'enum'; values: readonly string[] }
  | { t: 'text'; max: number }
  | { t: 'seed' };

export interface Checked<T> {
  value: T;
  problem?: string;
}

/** Short, safe rendering of an untrusted value for a message (strings quoted and cut). */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** Cuts by code points so a cut never splits a surrogate pair. */
export function cutText(s: string, max: number): string {
  const points = Array.from(s);
  return points.length > max ? points.slice(0, max).join('') : s;
}

export const MAX_UINT32 = 0xffffffff;

export function check(rule: Rule, raw: unknown, fallback: unknown): Checked<unknown> {
  // optional fields have no default: their fallback is being left out
  const useDefault = (what: string): Checked<unknown> => ({
    value: fallback,
    problem:
      fallback === undefined
        ? `${what}; the field was left out.`
        : `${what}; using the default ${show(fallback)}.`,
  });
  switch (rule.t) {
    case 'bool':
      return typeof raw === 'boolean'
        ? { value: raw }
        : useDefault(`expected true or false, got ${show(raw)}`);
    case 'enum':
      return typeof raw === 'string' && rule.values.includes(raw)
        ? { value: raw }
        : useDefault(`${show(raw)} is not one of ${rule.values.map((v) => show(v)).join(', ')}`);
    case 'text': {
      if (typeof raw !== 'string') return useDefault(`expected text, got ${show(raw)}`);
      const cut = cutText(raw, rule.max);
      return cut === raw
        ? { value: raw }
        : { value: cut, problem: `text longer than ${rule.max} characters; using the first ${rule.max}.` };
    }
    case 'seed':
      return typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= MAX_UINT32
        ? { value: raw }
        : useDefault(`${show(raw)} is not a whole number from 0 to ${MAX_UINT32}`);
    case 'int':
    case 'num': {
      if (typeof raw !== 'number' || !Number.isFinite(raw))
        return useDefault(`expected a number, got ${show(raw)}`);
      let v = raw;
      const notes: string[] = [];
      if (rule.t === 'int' && !Number.isInteger(v)) {
        v = Math.round(v);
        notes.push(`${show(raw)} is not a whole number`);
      }
      const minOpen = rule.t === 'num' && rule.minOpen;
      const maxOpen = rule.t === 'num' && rule.maxOpen;
      if (minOpen ? v <= rule.min : v < rule.min) {
        if (minOpen) return useDefault(`${show(raw)} must be greater than ${rule.min}`);
        notes.push(`${show(raw)} is below the minimum ${rule.min}`);
        v = rule.min;
      } else if (maxOpen ? v >= rule.max : v > rule.max) {
        if (maxOpen) return useDefault(`${show(raw)} must be less than ${rule.max}`);
        notes.push(`${show(raw)} is above the maximum ${rule.max}`);
        v = rule.max;
      }
      return notes.length ? { value: v, problem: `${notes.join(' and ')}; using ${show(v)}.` } : { value: v };
    }
  }
}
