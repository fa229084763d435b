/**
 * The sample-strategies settings (SANAS, aging evolution, random search side by side) in a v1 link, under
 * key `st` as `{ v, g, n, b, k, m, t0, r, p, s }`. The block carries its own version `v` so it can change
 * without a new link format: links from before it existed have no `st` and open with the defaults; a block
 * from a newer app, or one that is not an object, is ignored with a notice; each bad field falls back to
 * its default with a notice. The defaults are frozen here, like V1_DEFAULTS: an old link keeps its meaning.
 * The token space is the one derived from the experiment's space (one token per searchable layer), so it
 * travels as the config's `space`.
 */
import {
  EVOLUTION_DEFAULTS,
  SAMPLE_STRATEGY_IDS,
  SANAS_REDUCE_RATE,
  SANAS_T0_RANDOM,
  type SampleStrategyId,
} from '../nas/index.ts';
import { check, show, type Rule } from './rules.ts';

export type SharedRewardKind = 'score' | 'mnas-soft' | 'mnas-hard';

export interface SharedStrategies {
  /** The strategies run side by side, in SAMPLE_STRATEGY_IDS order. */
  strategies: SampleStrategyId[];
  /** Seeds per strategy (seeds 1..n). */
  seeds: number;
  /** Evaluations per run. */
  budget: number;
  /** Score only, or the MnasNet reward with w = −0.07 (soft) or w = 0 / −1 (hard). */
  reward: SharedRewardKind;
  /** MACs target T of the MnasNet reward and the hard budget (0: none). */
  target: number;
  /** SANAS: T0 and the reduce rate r of T = T0 · r^iteration. */
  initTemperature: number;
  reduceRate: number;
  /** Aging evolution: population P and sample S (S ≤ P). */
  population: number;
  sample: number;
}

export const STRATEGIES_BLOCK_VERSION = 1;

export const DEFAULT_SHARED_STRATEGIES: Readonly<SharedStrategies> = Object.freeze({
  strategies: Object.freeze(['sanas', 'random']) as unknown as SampleStrategyId[],
  seeds: 2,
  budget: 12,
  reward: 'score',
  target: 0,
  initTemperature: SANAS_T0_RANDOM,
  reduceRate: SANAS_REDUCE_RATE,
  population: EVOLUTION_DEFAULTS.population,
  sample: EVOLUTION_DEFAULTS.sample,
});

const REWARDS: readonly SharedRewardKind[] = ['score', 'mnas-soft', 'mnas-hard'];

/** Wire key and check of every scalar field (the strategy list is checked apart). */
const FIELDS: readonly { name: Exclude<keyof SharedStrategies, 'strategies'>; key: string; rule: Rule }[] = [
  { name: 'seeds', key: 'n', rule: { t: 'int', min: 1, max: 10 } },
  { name: 'budget', key: 'b', rule: { t: 'int', min: 1, max: 10_000 } },
  { name: 'reward', key: 'k', rule: { t: 'enum', values: REWARDS } },
  { name: 'target', key: 'm', rule: { t: 'num', min: 0, max: 1e15 } },
  { name: 'initTemperature', key: 't0', rule: { t: 'num', min: 0, max: 1e6, minOpen: true } },
  { name: 'reduceRate', key: 'r', rule: { t: 'num', min: 0, max: 1, minOpen: true, maxOpen: true } },
  { name: 'population', key: 'p', rule: { t: 'int', min: 2, max: 1000 } },
  { name: 'sample', key: 's', rule: { t: 'int', min: 1, max: 1000 } },
];
const KNOWN = new Set(['v', 'g', ...FIELDS.map((f) => f.key)]);

export function defaultSharedStrategies(): SharedStrategies {
  return { ...DEFAULT_SHARED_STRATEGIES, strategies: [...DEFAULT_SHARED_STRATEGIES.strategies] };
}

/** Whether `s` says anything the defaults do not (the link leaves the block out when not). */
export function isDefaultStrategies(s: SharedStrategies): boolean {
  const d = DEFAULT_SHARED_STRATEGIES;
  return s.strategies.join() === d.strategies.join() && FIELDS.every((f) => s[f.name] === d[f.name]);
}

export function packStrategies(s: SharedStrategies): Record<string, unknown> {
  const w: Record<string, unknown> = { v: STRATEGIES_BLOCK_VERSION, g: [...s.strategies] };
  for (const f of FIELDS) w[f.key] = s[f.name];
  return w;
}

type Warn = (path: string, message: string) => void;

function strategyList(raw: unknown, warn: Warn): SampleStrategyId[] {
  const fallback = [...DEFAULT_SHARED_STRATEGIES.strategies];
  const ids = SAMPLE_STRATEGY_IDS as readonly string[];
  if (
    !Array.isArray(raw) ||
    raw.length === 0 ||
    !raw.every((v) => typeof v === 'string' && ids.includes(v))
  ) {
    warn(
      'strategies.strategies',
      `${show(raw)} is not a list of ${ids.join(', ')}; using ${fallback.join(', ')}.`,
    );
    return fallback;
  }
  // repeats collapse, the order is the app's
  return SAMPLE_STRATEGY_IDS.filter((id) => raw.includes(id));
}

export function unpackStrategies(raw: unknown, warn: Warn): SharedStrategies | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    warn('strategies', `expected the strategies' settings, got ${show(raw)}; using the defaults.`);
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  if (r.v !== STRATEGIES_BLOCK_VERSION) {
    const newer = typeof r.v === 'number' && Number.isInteger(r.v) && r.v > STRATEGIES_BLOCK_VERSION;
    warn(
      'strategies',
      newer
        ? `the strategies' settings come from a newer version of NAS Playground (v${r.v}); using the defaults. Reload the page to get the latest app.`
        : `the strategies' settings have no readable version (${show(r.v)}); using the defaults.`,
    );
    return undefined;
  }
  for (const key of Object.keys(r))
    if (!KNOWN.has(key)) warn(`strategies.${key}`, `unknown field ${show(key)}; it was ignored.`);
  const out = defaultSharedStrategies();
  if ('g' in r) out.strategies = strategyList(r.g, warn);
  const values = out as unknown as Record<string, unknown>;
  for (const f of FIELDS) {
    if (!(f.key in r)) continue;
    const { value, problem } = check(f.rule, r[f.key], DEFAULT_SHARED_STRATEGIES[f.name]);
    if (problem) warn(`strategies.${f.name}`, problem);
    values[f.name] = value;
  }
  if (out.sample > out.population) {
    warn(
      'strategies.sample',
      `a sample of ${out.sample} exceeds the population of ${out.population}; using ${out.population}.`,
    );
    out.sample = out.population;
  }
  return out;
}
