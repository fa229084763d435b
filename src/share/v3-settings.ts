/**
 * The FBNetV3 joint search's settings (the V3 panel's form) in a v1 link, under key `x3` as
 * `{ v, <only the fields that differ from the defaults> }`. The block carries its own version `v`, like the
 * strategies block: links from before it existed have no `x3` and open with the defaults and no notice; a
 * block from a newer app, or one that is not an object, is ignored with a notice; each bad field falls back
 * to its default with a notice, and a pool too small for round 0 plus the rounds falls back to the default
 * pool and rounds. The defaults are frozen here (the form's defaults when the block was defined): an old
 * link keeps its meaning if the app's defaults change.
 */
import { check, show, type Rule } from './rules.ts';

/** The form of the V3 panel as a link carries it (the same fields as the worker's V3Settings). */
export interface SharedV3 {
  seed: number;
  faces: number;
  size: number;
  batch: number;
  poolSize: number;
  round0: number;
  rounds: number;
  perRound: number;
  steps: number;
  checkpoints: number;
  earlyStopTau: number;
  maxMacs: number;
  budgets: number[];
  proxyArchs: number;
  predictorSteps: number;
  generations: number;
  population: number;
  /** Architectures trained under both recipes after verification (0: the stage is off). */
  sensitivity: number;
}

export const V3_BLOCK_VERSION = 1;

export const V3_SHARE_DEFAULTS: Readonly<SharedV3> = Object.freeze({
  seed: 1,
  faces: 40,
  size: 32,
  batch: 4,
  poolSize: 12,
  round0: 4,
  rounds: 2,
  perRound: 2,
  steps: 6,
  checkpoints: 3,
  earlyStopTau: 0.92,
  maxMacs: 3e6,
  budgets: Object.freeze([1.5e6, 3e6]) as unknown as number[],
  proxyArchs: 200,
  predictorSteps: 60,
  generations: 4,
  population: 8,
  // added after v1 links existed: absent from a link = 0, the stage off (what those links ran)
  sensitivity: 0,
});

/** Most fine-stage budgets a link may ask for (each is a genetic search and a verification training). */
export const V3_MAX_BUDGETS = 8;
const MAX_MACS = 1e12;

type ScalarName = Exclude<keyof SharedV3, 'budgets'>;

/** Wire key and check of every scalar field; bounds are the form's (jointConfigOf) and sane maxima. */
const FIELDS: readonly { name: ScalarName; key: string; rule: Rule }[] = [
  { name: 'seed', key: 's', rule: { t: 'seed' } },
  { name: 'faces', key: 'f', rule: { t: 'int', min: 10, max: 20_000 } },
  { name: 'size', key: 'z', rule: { t: 'int', min: 16, max: 256 } },
  { name: 'batch', key: 'b', rule: { t: 'int', min: 1, max: 512 } },
  { name: 'poolSize', key: 'p', rule: { t: 'int', min: 2, max: 4096 } },
  { name: 'round0', key: 'r0', rule: { t: 'int', min: 2, max: 4096 } },
  { name: 'rounds', key: 'r', rule: { t: 'int', min: 0, max: 100 } },
  { name: 'perRound', key: 'k', rule: { t: 'int', min: 1, max: 4096 } },
  { name: 'steps', key: 'n', rule: { t: 'int', min: 3, max: 1_000_000 } },
  { name: 'checkpoints', key: 'c', rule: { t: 'int', min: 1, max: 100 } },
  { name: 'earlyStopTau', key: 't', rule: { t: 'num', min: 0, max: 1, minOpen: true } },
  { name: 'maxMacs', key: 'm', rule: { t: 'num', min: 0, max: MAX_MACS, minOpen: true } },
  { name: 'proxyArchs', key: 'pa', rule: { t: 'int', min: 0, max: 100_000 } },
  { name: 'predictorSteps', key: 'ps', rule: { t: 'int', min: 1, max: 100_000 } },
  { name: 'generations', key: 'g', rule: { t: 'int', min: 1, max: 10_000 } },
  { name: 'population', key: 'pp', rule: { t: 'int', min: 2, max: 10_000 } },
  { name: 'sensitivity', key: 'se', rule: { t: 'int', min: 0, max: 100 } },
];
const BUDGETS_KEY = 'bg';
const KNOWN = new Set(['v', BUDGETS_KEY, ...FIELDS.map((f) => f.key)]);

export function defaultSharedV3(): SharedV3 {
  return { ...V3_SHARE_DEFAULTS, budgets: [...V3_SHARE_DEFAULTS.budgets] };
}

const sameBudgets = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** Whether `s` says anything the defaults do not (the link leaves the block out when not). */
export function isDefaultV3(s: SharedV3): boolean {
  const d = V3_SHARE_DEFAULTS;
  return sameBudgets(s.budgets, d.budgets) && FIELDS.every((f) => s[f.name] === d[f.name]);
}

/** The block: its version and the fields that differ from the defaults. */
export function packV3(s: SharedV3): Record<string, unknown> {
  const w: Record<string, unknown> = { v: V3_BLOCK_VERSION };
  for (const f of FIELDS) if (s[f.name] !== V3_SHARE_DEFAULTS[f.name]) w[f.key] = s[f.name];
  if (!sameBudgets(s.budgets, V3_SHARE_DEFAULTS.budgets)) w[BUDGETS_KEY] = [...s.budgets];
  return w;
}

type Warn = (path: string, message: string) => void;

function budgetList(raw: unknown, warn: Warn): number[] {
  const ok =
    Array.isArray(raw) &&
    raw.length >= 1 &&
    raw.length <= V3_MAX_BUDGETS &&
    raw.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= MAX_MACS);
  if (ok) return [...(raw as number[])];
  const fallback = [...V3_SHARE_DEFAULTS.budgets];
  warn(
    'v3.budgets',
    `${show(raw)} is not a list of 1 to ${V3_MAX_BUDGETS} positive MACs budgets; using ${fallback.join(', ')}.`,
  );
  return fallback;
}

export function unpackV3(raw: unknown, warn: Warn): SharedV3 | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    warn('v3', `expected the FBNetV3 search settings, got ${show(raw)}; using the defaults.`);
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  if (r.v !== V3_BLOCK_VERSION) {
    const newer = typeof r.v === 'number' && Number.isInteger(r.v) && r.v > V3_BLOCK_VERSION;
    warn(
      'v3',
      newer
        ? `the FBNetV3 search settings come from a newer version of NAS Playground (v${r.v}); using the defaults. Reload the page to get the latest app.`
        : `the FBNetV3 search settings have no readable version (${show(r.v)}); using the defaults.`,
    );
    return undefined;
  }
  for (const key of Object.keys(r))
    if (!KNOWN.has(key)) warn(`v3.${key}`, `unknown field ${show(key)}; it was ignored.`);
  const out = defaultSharedV3();
  const values = out as unknown as Record<string, unknown>;
  for (const f of FIELDS) {
    if (!(f.key in r)) continue;
    const { value, problem } = check(f.rule, r[f.key], V3_SHARE_DEFAULTS[f.name]);
    if (problem) warn(`v3.${f.name}`, problem);
    values[f.name] = value;
  }
  if (BUDGETS_KEY in r) out.budgets = budgetList(r[BUDGETS_KEY], warn);
  const need = out.round0 + out.rounds * out.perRound;
  if (need > out.poolSize) {
    const d = V3_SHARE_DEFAULTS;
    warn(
      'v3.poolSize',
      `a pool of ${out.poolSize} is smaller than round 0 plus the rounds (${need}); using the default pool of ${d.poolSize}, round 0 of ${d.round0} and ${d.rounds} rounds of ${d.perRound}.`,
    );
    Object.assign(out, { poolSize: d.poolSize, round0: d.round0, rounds: d.rounds, perRound: d.perRound });
  }
  return out;
}
