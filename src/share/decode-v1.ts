/**
 * Turns a v1 payload (after migrations) into a SharedExperiment, repairing every field it can and
 * recording a warning for each repair. Missing keys mean "the v1 default", as the encoder wrote them.
 */
import { DEFAULT_EXPERIMENT, type DatasetRef, type ExperimentConfig } from '../nas/index.ts';
import { unpackArch } from './arch-compact.ts';
import type { ShareWarning } from './errors.ts';
import { check, cutText, show, type Rule } from './rules.ts';
import { unpackV2 } from './v2-settings.ts';
import { unpackStrategies } from './strategies-settings.ts';
import { unpackV3 } from './v3-settings.ts';
import type { ShareArea, ShareContext, SharedExperiment, ShareMetrics } from './types.ts';
import {
  FIELDS,
  K,
  METRIC_KEYS,
  NAME_MAX,
  RESULT_KEYS,
  SYNTH_FIELDS,
  V1_DEFAULTS,
  VIEW_KEYS,
  getPath,
  setPath,
} from './wire-v1.ts';

const MAX_LAYER_INDEX = 999;
const MAX_HIDE = 200;
const AREAS: readonly ShareArea[] = ['learn', 'search', 'data', 'results'];
const KNOWN_KEYS = new Set<string>([
  ...FIELDS.map((f) => f.key),
  ...SYNTH_FIELDS.map((f) => f.key),
  ...Object.values(K),
]);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

export function decodeV1(
  w: Record<string, unknown>,
  ctx: ShareContext,
): { value: SharedExperiment; warnings: ShareWarning[] } {
  const warnings: ShareWarning[] = [];
  const warn = (path: string, message: string) => warnings.push({ path, message });
  const config = structuredClone(V1_DEFAULTS) as ExperimentConfig & Record<string, unknown>;

  for (const key of Object.keys(w))
    if (!KNOWN_KEYS.has(key)) warn(key, `unknown field ${show(key)} in the link; it was ignored.`);

  for (const f of FIELDS) {
    if (!(f.key in w)) continue;
    // an absent field means what it meant when v1 was defined (V1_DEFAULTS); a value that cannot be read
    // is replaced by today's default, the value the experiment form falls back to as well (an optional
    // field, one v1 did not have, is left out instead, except a number: the form keeps today's default)
    const fallback =
      getPath(V1_DEFAULTS, f.path) === undefined && f.rule.t !== 'num'
        ? undefined
        : getPath(DEFAULT_EXPERIMENT, f.path);
    const { value, problem } = check(f.rule, w[f.key], fallback);
    if (problem) warn(f.path, problem);
    setPath(config, f.path, value);
  }

  const t = config.train;
  if (t.warmupEpochs > t.epochs) {
    warn(
      'train.warmupEpochs',
      `${t.warmupEpochs} warm-up epochs exceed the ${t.epochs} epochs; using ${t.epochs}.`,
    );
    t.warmupEpochs = t.epochs;
  }

  if (K.space in w) config.space = decodeSpace(w[K.space], ctx, warn);
  config.dataset = decodeDataset(w, ctx, warn);
  if (K.candidateEdits in w) config.candidateEdits = decodeEdits(w[K.candidateEdits], ctx, warn);
  if (K.v2 in w) {
    const v2 = unpackV2(w[K.v2], warn);
    if (v2) config.v2 = v2;
  }

  const value: SharedExperiment = { config };
  if (K.strategies in w) {
    const st = unpackStrategies(w[K.strategies], warn);
    if (st) value.strategies = st;
  }
  if (K.v3 in w) {
    const v3 = unpackV3(w[K.v3], warn);
    if (v3) value.v3 = v3;
  }
  if (K.result in w) {
    const result = decodeResult(w[K.result], warn);
    if (result) value.result = result;
  }
  if (K.view in w) {
    const view = decodeView(w[K.view], warn);
    if (view) value.view = view;
  }
  return { value, warnings };
}

type Warn = (path: string, message: string) => void;

function decodeSpace(raw: unknown, ctx: ShareContext, warn: Warn): string {
  if (typeof raw === 'string' && ctx.spaces.includes(raw)) return raw;
  const fallback = ctx.spaces.includes(V1_DEFAULTS.space)
    ? V1_DEFAULTS.space
    : (ctx.spaces[0] ?? V1_DEFAULTS.space);
  const what =
    typeof raw === 'string' ? `unknown search space ${show(raw)}` : `expected a space id, got ${show(raw)}`;
  warn('space', `${what}; using ${show(fallback)}.`);
  return fallback;
}

function defaultSynth(): DatasetRef {
  return structuredClone(V1_DEFAULTS.dataset);
}

function describeDefaultDataset(): string {
  const d = V1_DEFAULTS.dataset;
  return d.kind === 'synthface'
    ? `the default synthetic dataset (${d.count} faces, ${d.size} px)`
    : `the default dataset ${show(d.name)}`;
}

function decodeDataset(w: Record<string, unknown>, ctx: ShareContext, warn: Warn): DatasetRef {
  const kind = K.datasetKind in w ? w[K.datasetKind] : V1_DEFAULTS.dataset.kind;
  if (kind === 'user') {
    const name = w[K.datasetName];
    if (typeof name !== 'string' || name === '') {
      warn(
        'dataset.name',
        `the link names no dataset (got ${show(name)}); using ${describeDefaultDataset()}.`,
      );
      return defaultSynth();
    }
    if (cutText(name, NAME_MAX) !== name) {
      warn(
        'dataset.name',
        `the dataset name is longer than ${NAME_MAX} characters; using ${describeDefaultDataset()}.`,
      );
      return defaultSynth();
    }
    if (ctx.datasets && !ctx.datasets.includes(name)) {
      warn(
        'dataset',
        `dataset ${show(name)} is not on this device (import it on the Data page first); ` +
          `using ${describeDefaultDataset()} instead.`,
      );
      return defaultSynth();
    }
    return { kind: 'user', name };
  }
  if (kind !== 'synthface') {
    warn('dataset.kind', `unknown dataset kind ${show(kind)}; using ${describeDefaultDataset()}.`);
    return defaultSynth();
  }
  const base = (V1_DEFAULTS.dataset.kind === 'synthface' ? V1_DEFAULTS.dataset : undefined) as
    Record<string, unknown> | undefined;
  const ds: Record<string, unknown> = { kind: 'synthface' };
  for (const f of SYNTH_FIELDS) {
    const fallback = base?.[f.path];
    if (!(f.key in w)) {
      ds[f.path] = fallback;
      continue;
    }
    const { value, problem } = check(f.rule, w[f.key], fallback);
    if (problem) warn(`dataset.${f.path}`, problem);
    ds[f.path] = value;
  }
  return ds as unknown as DatasetRef;
}

function decodeEdits(raw: unknown, ctx: ShareContext, warn: Warn): Record<number, string[]> {
  const out: Record<number, string[]> = {};
  if (!isRecord(raw)) {
    warn('candidateEdits', `expected per-layer candidate lists, got ${show(raw)}; using no edits.`);
    return out;
  }
  const known = new Set(ctx.candidates);
  for (const [key, list] of Object.entries(raw)) {
    const path = `candidateEdits.${key}`;
    const layer = Number(key);
    if (!/^\d+$/.test(key) || layer > MAX_LAYER_INDEX) {
      warn(path, `${show(key)} is not a layer index 0..${MAX_LAYER_INDEX}; this edit was ignored.`);
      continue;
    }
    if (!Array.isArray(list)) {
      warn(
        path,
        `expected a list of candidate names, got ${show(list)}; the layer keeps its own candidates.`,
      );
      continue;
    }
    const names: string[] = [];
    const bad: string[] = [];
    let repeated = false;
    for (const n of list) {
      if (typeof n !== 'string' || !known.has(n)) bad.push(show(n));
      else if (names.includes(n)) repeated = true;
      else names.push(n);
    }
    if (repeated) warn(path, `repeated candidate names; each is used once.`);
    if (bad.length)
      warn(
        path,
        `unknown candidate ${bad.length > 1 ? 'blocks' : 'block'} ${bad.join(', ')} ` +
          (names.length
            ? `removed; using ${names.join(', ')}.`
            : `removed; the layer keeps its own candidates.`),
      );
    else if (names.length === 0) warn(path, 'empty candidate list; the layer keeps its own candidates.');
    if (names.length) out[layer] = names;
  }
  return out;
}

const METRIC_RULES: Record<keyof ShareMetrics, Rule> = {
  nme: { t: 'num', min: 0, max: Number.MAX_VALUE },
  macs: { t: 'num', min: 0, max: Number.MAX_VALUE },
  params: { t: 'num', min: 0, max: Number.MAX_VALUE },
  latencyMs: { t: 'num', min: 0, max: Number.MAX_VALUE },
  steps: { t: 'int', min: 0, max: Number.MAX_SAFE_INTEGER },
};

function decodeResult(raw: unknown, warn: Warn): SharedExperiment['result'] | undefined {
  if (!isRecord(raw)) {
    warn('result', `the result is not readable (got ${show(raw)}); the link opens without a result.`);
    return undefined;
  }
  const arch = unpackArch(raw[RESULT_KEYS.arch], (m) => warn('result.arch.name', m));
  if (typeof arch === 'string') {
    warn('result.arch', `the result architecture is invalid (${arch}); the link opens without a result.`);
    return undefined;
  }
  const metrics: ShareMetrics = {};
  const m = raw[RESULT_KEYS.metrics];
  if (m !== undefined && !isRecord(m))
    warn('result.metrics', `expected metrics, got ${show(m)}; none are shown.`);
  if (isRecord(m)) {
    for (const [name, key] of Object.entries(METRIC_KEYS) as [keyof ShareMetrics, string][]) {
      if (!(key in m)) continue;
      const v = m[key];
      const ok = check(METRIC_RULES[name], v, undefined);
      // a repaired metric would be a made-up number, so anything not exactly valid is dropped
      if (ok.problem) warn(`result.metrics.${name}`, `${show(v)} is not a valid ${name}; it is not shown.`);
      else metrics[name] = ok.value as number;
    }
  }
  return { arch, metrics };
}

function decodeView(raw: unknown, warn: Warn): SharedExperiment['view'] | undefined {
  if (!isRecord(raw)) {
    warn('view', `the classroom view settings are not readable (got ${show(raw)}); using the normal view.`);
    return undefined;
  }
  const view: NonNullable<SharedExperiment['view']> = {};
  const hide = raw[VIEW_KEYS.hide];
  if (hide !== undefined) {
    if (!Array.isArray(hide))
      warn('view.hide', `expected a list of control ids, got ${show(hide)}; nothing is hidden.`);
    else {
      const ids = hide.filter(
        (h): h is string => typeof h === 'string' && h.length > 0 && h.length <= NAME_MAX,
      );
      if (ids.length !== hide.length || ids.length > MAX_HIDE)
        warn('view.hide', `some hidden-control entries were not valid ids; ignored them.`);
      view.hide = ids.slice(0, MAX_HIDE);
    }
  }
  const lesson = raw[VIEW_KEYS.lesson];
  if (lesson !== undefined) {
    // a cut lesson id would name no lesson, so invalid ids are dropped rather than repaired
    if (typeof lesson === 'string' && lesson.length <= NAME_MAX) view.lesson = lesson;
    else warn('view.lesson', `${show(lesson)} is not a lesson id; no lesson is opened.`);
  }
  const area = raw[VIEW_KEYS.area];
  if (area !== undefined) {
    if (typeof area === 'string' && (AREAS as readonly string[]).includes(area))
      view.area = area as ShareArea;
    else warn('view.area', `${show(area)} is not one of ${AREAS.join(', ')}; opening the default page.`);
  }
  return view;
}
