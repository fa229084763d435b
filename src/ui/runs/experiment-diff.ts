/**
 * Field-by-field differences between the experiments of runs being compared. The experiment is walked as
 * stored, so fields a strategy adds show up without this file knowing them; numbers named in the
 * experiment field table (src/nas/experiment-fields.ts) are the ones the form and links know.
 */
import { EXPERIMENT_NUMBERS } from '../../nas/index.ts';

export interface FieldDiff {
  path: string;
  /** One value per run, as text ('–' where a run's experiment has no such field). */
  values: string[];
  /** A numeric setting of the experiment field table. */
  known: boolean;
}

const KNOWN = new Set<string>(EXPERIMENT_NUMBERS.map((f) => f.path));

/** Leaves of a JSON-like value by dotted path; arrays are compared whole. */
function leaves(v: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) leaves(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out.set(prefix, typeof v === 'string' ? v : JSON.stringify(v));
  return out;
}

export function experimentDiff(experiments: readonly unknown[]): FieldDiff[] {
  const maps = experiments.map((e) => leaves(e));
  const paths = [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
  return paths
    .map((path) => ({ path, values: maps.map((m) => m.get(path) ?? '–'), known: KNOWN.has(path) }))
    .filter((d) => new Set(d.values).size > 1);
}
