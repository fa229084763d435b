/** Number formatting shared by the results panels. */

export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)}`;

export function macs(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  return `${(n / 1e3).toFixed(1)} k`;
}

export function params(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  return `${(n / 1e3).toFixed(1)} k`;
}

/** A fraction as a percentage, or a dash for a missing value. */
export const pct = (v: number | null | undefined, digits = 2): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(digits)}`;

export const ms = (v: number | null): string =>
  v === null || !Number.isFinite(v) ? '–' : v.toFixed(v < 10 ? 2 : 1);

/** Scientific notation for tiny differences: 3.1e-7. */
export const sci = (v: number): string =>
  v === 0 ? '0' : Number.isFinite(v) ? v.toExponential(1) : String(v);
