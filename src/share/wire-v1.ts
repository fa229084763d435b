/**
 * Link format v1: a flat JSON object with short keys holding only the fields that differ from V1_DEFAULTS.
 * V1_DEFAULTS is a frozen copy of the defaults at the time v1 was defined, NOT DEFAULT_EXPERIMENT: if the
 * app's defaults change later, old links must still mean what they meant when they were made.
 */
import {
  type ExperimentConfig,
  GUMBEL_PATHS,
  THETA_GRADIENTS,
  numberField,
  type NumberField,
  type NumberPath,
} from '../nas/index.ts';
import { packArch } from './arch-compact.ts';
import type { Rule } from './rules.ts';
import { packV2 } from './v2-settings.ts';
import { isDefaultStrategies, packStrategies } from './strategies-settings.ts';
import { isDefaultV3, packV3 } from './v3-settings.ts';
import type { SharedExperiment } from './types.ts';

export const V1_DEFAULTS: ExperimentConfig = deepFreeze({
  version: 1,
  title: 'Classroom search on synthetic faces',
  space: 'classroom',
  candidateEdits: {},
  dataset: { kind: 'synthface', count: 512, size: 64, difficulty: 0.5, seed: 1 },
  inputSize: 64,
  strategy: 'fbnet-v1',
  train: {
    batchSize: 16,
    epochs: 12,
    stepsPerEpoch: 20,
    warmupEpochs: 2,
    lrWeights: 0.01,
    lrTheta: 0.01,
    weightDecay: 1e-4,
    valFraction: 0.2,
  },
  gumbel: { tau0: 5, decay: 0.956, hard: false },
  loss: { alpha: 0.2, beta: 0.6, cost: 'macs' },
  seeds: { split: 1, init: 2, gumbel: 3, data: 4 },
});

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') for (const v of Object.values(o)) deepFreeze(v);
  return Object.freeze(o);
}

export interface FieldDef {
  path: string;
  key: string;
  rule: Rule;
  optional?: boolean;
}

export const TITLE_MAX = 120;
export const NAME_MAX = 64;

/** The check a link's number gets: the experiment's field table says which values are valid. */
export function numberRule(f: NumberField): Rule {
  if (f.kind === 'seed') return { t: 'seed' };
  if (f.kind === 'int') return { t: 'int', min: f.min, max: f.max };
  const open = { ...(f.minOpen ? { minOpen: true } : {}), ...(f.maxOpen ? { maxOpen: true } : {}) };
  return { t: 'num', min: f.min, max: f.max, ...open };
}

const num = (path: NumberPath) => numberRule(numberField(path));

/** Plain config leaves. `space`, `dataset` and `candidateEdits` need the context and are handled apart. */
export const FIELDS: readonly FieldDef[] = [
  { path: 'title', key: 't', rule: { t: 'text', max: TITLE_MAX } },
  { path: 'inputSize', key: 'i', rule: num('inputSize') },
  { path: 'strategy', key: 'g', rule: { t: 'enum', values: ['fbnet-v1', 'fbnet-v2', 'spos'] } },
  { path: 'train.batchSize', key: 'b', rule: num('train.batchSize') },
  { path: 'train.epochs', key: 'e', rule: num('train.epochs') },
  { path: 'train.stepsPerEpoch', key: 'n', rule: num('train.stepsPerEpoch') },
  { path: 'train.warmupEpochs', key: 'w', rule: num('train.warmupEpochs') },
  { path: 'train.lrWeights', key: 'lw', rule: num('train.lrWeights') },
  { path: 'train.lrTheta', key: 'lt', rule: num('train.lrTheta') },
  { path: 'train.weightDecay', key: 'wd', rule: num('train.weightDecay') },
  { path: 'train.valFraction', key: 'vf', rule: num('train.valFraction') },
  { path: 'gumbel.tau0', key: 't0', rule: num('gumbel.tau0') },
  { path: 'gumbel.decay', key: 'gd', rule: num('gumbel.decay') },
  { path: 'gumbel.hard', key: 'gh', rule: { t: 'bool' } },
  // optional: absent (links from before it existed) means 'all'; present, it is carried even when 'all'
  { path: 'gumbel.paths', key: 'gp', rule: { t: 'enum', values: GUMBEL_PATHS }, optional: true },
  // optional: absent (links from before it existed) means 0, no greedy weight steps
  { path: 'gumbel.greedy', key: 'gy', rule: num('gumbel.greedy'), optional: true },
  // optional: absent (links from before it existed) means 'relaxed', the Gumbel-softmax gradient
  { path: 'gumbel.thetaGradient', key: 'gt', rule: { t: 'enum', values: THETA_GRADIENTS }, optional: true },
  { path: 'loss.alpha', key: 'la', rule: num('loss.alpha') },
  { path: 'loss.beta', key: 'lb', rule: num('loss.beta') },
  { path: 'loss.cost', key: 'lc', rule: { t: 'enum', values: ['latency', 'macs', 'params'] } },
  { path: 'loss.latencyTable', key: 'lk', rule: { t: 'text', max: NAME_MAX }, optional: true },
  { path: 'seeds.split', key: 'ss', rule: num('seeds.split') },
  { path: 'seeds.init', key: 'si', rule: num('seeds.init') },
  { path: 'seeds.gumbel', key: 'sg', rule: num('seeds.gumbel') },
  { path: 'seeds.data', key: 'sd', rule: num('seeds.data') },
];

/** Synthetic dataset leaves (dataset.kind = 'synthface'); paths are relative to `dataset`. */
export const SYNTH_FIELDS: readonly FieldDef[] = [
  { path: 'count', key: 'dc', rule: num('dataset.count') },
  { path: 'size', key: 'ds', rule: num('dataset.size') },
  { path: 'difficulty', key: 'dd', rule: num('dataset.difficulty') },
  { path: 'seed', key: 'dz', rule: num('dataset.seed') },
];

/** Remaining top-level keys. */
export const K = {
  space: 's',
  datasetKind: 'dk',
  datasetName: 'dn',
  candidateEdits: 'ce',
  result: 'r',
  view: 'v',
  v2: 'x2',
  strategies: 'st',
  v3: 'x3',
} as const;

/** Keys inside `r` (result) and `v` (view). */
export const RESULT_KEYS = { arch: 'a', metrics: 'm' } as const;
export const METRIC_KEYS = { nme: 'n', macs: 'm', params: 'p', latencyMs: 'l', steps: 's' } as const;
export const VIEW_KEYS = { hide: 'h', lesson: 'l', area: 'a' } as const;

export function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) cur = cur[part] as Record<string, unknown>;
  const last = parts[parts.length - 1];
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

/** The v1 payload for an experiment: only what differs from V1_DEFAULTS. */
export function toWireV1(s: SharedExperiment): Record<string, unknown> {
  const c = s.config;
  const w: Record<string, unknown> = {};
  for (const f of FIELDS) {
    const v = getPath(c, f.path);
    if (v !== undefined && v !== getPath(V1_DEFAULTS, f.path)) w[f.key] = v;
  }
  if (c.space !== V1_DEFAULTS.space) w[K.space] = c.space;

  const ds = c.dataset;
  if (ds.kind !== V1_DEFAULTS.dataset.kind) w[K.datasetKind] = ds.kind;
  if (ds.kind === 'user') w[K.datasetName] = ds.name;
  else {
    const base = V1_DEFAULTS.dataset.kind === 'synthface' ? V1_DEFAULTS.dataset : undefined;
    for (const f of SYNTH_FIELDS) {
      const v = getPath(ds, f.path);
      if (v !== getPath(base, f.path)) w[f.key] = v;
    }
  }

  const edits = Object.entries(c.candidateEdits ?? {});
  if (edits.length) w[K.candidateEdits] = Object.fromEntries(edits);

  if (c.v2) w[K.v2] = packV2(c.v2);
  if (s.strategies && !isDefaultStrategies(s.strategies)) w[K.strategies] = packStrategies(s.strategies);
  if (s.v3 && !isDefaultV3(s.v3)) w[K.v3] = packV3(s.v3);

  if (s.result) {
    const m: Record<string, unknown> = {};
    for (const [name, key] of Object.entries(METRIC_KEYS)) {
      const v = s.result.metrics[name as keyof typeof METRIC_KEYS];
      if (v !== undefined) m[key] = v;
    }
    w[K.result] = { [RESULT_KEYS.arch]: packArch(s.result.arch), [RESULT_KEYS.metrics]: m };
  }

  if (s.view) {
    const v: Record<string, unknown> = {};
    if (s.view.hide !== undefined) v[VIEW_KEYS.hide] = s.view.hide;
    if (s.view.lesson !== undefined) v[VIEW_KEYS.lesson] = s.view.lesson;
    if (s.view.area !== undefined) v[VIEW_KEYS.area] = s.view.area;
    w[K.view] = v;
  }
  return w;
}
