/**
 * Latency lookup tables (FBNet's LUT): the measured time of every candidate block of every searchable
 * layer at that layer's input shape, plus the fixed part (stem, fixed blocks, head) as one number. A
 * network's latency is predicted as fixed + Σ chosen candidate times, which is what makes the expected
 * latency differentiable in the architecture distribution. Plain JSON, so tables can be stored, exported
 * and imported (from another device or converted from PaddleSlim's text format).
 */
import { isSearchLayer } from '../arch/spec.ts';
import type { SearchSpace } from '../arch/spec.ts';

export type LatencySource = 'measured' | 'imported-json' | 'imported-paddleslim';

export interface LatencyLayer {
  /** Index of the searchable layer in the space's body. */
  layer: number;
  candidates: string[];
  /**
   * Time each candidate adds to a network, ms. Measured tables: max(0, rawMs[j] − overheadMs), the block's
   * median with one readback + dispatch taken out (the network pays those once, in fixedMs).
   */
  ms: number[];
  /** Interquartile range of each candidate's raw times in ms (0 when unknown, e.g. imported tables). */
  spread: number[];
  /**
   * Median of the readback probe at this layer: one trivial op on a tensor of the layer's output shape, read
   * back like the candidates. Absent in tables measured before the subtraction existed and in imported ones
   * (their ms still include a readback each).
   */
  overheadMs?: number;
  /** Median of each candidate's forward + readback before overheadMs was subtracted (absent as above). */
  rawMs?: number[];
}

export interface LatencyTable {
  version: 1;
  /** Search space id. */
  space: string;
  inputSize: number;
  batch: number;
  /** tfjs backend name ('webgpu', 'webgl', 'cpu'), or where an imported table came from. */
  backend: string;
  /** GPU / device description ('' when unknown). */
  adapter: string;
  /** ms since the epoch. */
  createdAt: number;
  layers: LatencyLayer[];
  /**
   * Stem, fixed blocks and head dispatched together with only the head's output read back, ms: the one
   * readback the end-to-end network does is here, once.
   */
  fixedMs: number;
  source: LatencySource;
}

const SOURCES: LatencySource[] = ['measured', 'imported-json', 'imported-paddleslim'];

/** Identifies a table: one per space, input size, backend and device. */
export function tableKey(space: string, inputSize: number, backend: string, adapter: string): string {
  return [space, String(inputSize), backend, adapter].map(encodeURIComponent).join(':');
}

export function keyOfTable(table: LatencyTable): string {
  return tableKey(table.space, table.inputSize, table.backend, table.adapter);
}

export function tableToJson(table: LatencyTable): string {
  return JSON.stringify(validateTable(table), null, 1);
}

export function tableFromJson(json: string): LatencyTable {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`Latency table is not valid JSON: ${(err as Error).message}`);
  }
  return validateTable(value);
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 40)}…` : s;
};

function fail(field: string, expected: string, got: unknown): never {
  throw new Error(`Latency table field "${field}": expected ${expected}, got ${show(got)}`);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function str(o: Record<string, unknown>, field: string, nonEmpty: boolean): string {
  const v = o[field];
  if (typeof v !== 'string' || (nonEmpty && v.length === 0))
    fail(field, nonEmpty ? 'a non-empty string' : 'a string', v);
  return v;
}

function posInt(o: Record<string, unknown>, field: string): number {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(field, 'a positive integer', v);
  return v;
}

function nonNegNumber(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(field, 'a finite number ≥ 0', v);
  return v;
}

/** No op takes 11 days; the bound keeps sums over a table finite (a fuzzed table of 1e308 ms values summed
 *  to Infinity and would have reached the search loss). */
export const MAX_LATENCY_MS = 1e9;

function latencyMs(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_LATENCY_MS)
    fail(field, `a number of milliseconds in [0, ${MAX_LATENCY_MS}]`, v);
  return v;
}

function numbers(v: unknown, field: string, length: number): number[] {
  if (!Array.isArray(v)) fail(field, `an array of ${length} numbers`, v);
  if (v.length !== length) fail(field, `${length} entries (one per candidate)`, `${v.length} entries`);
  return v.map((x, i) => latencyMs(x, `${field}[${i}]`));
}

function layerOf(v: unknown, i: number, previous: number): LatencyLayer {
  const f = `layers[${i}]`;
  if (!isObject(v)) fail(f, 'an object', v);
  const layer = v.layer;
  if (typeof layer !== 'number' || !Number.isInteger(layer) || layer < 0)
    fail(`${f}.layer`, 'a body index ≥ 0', layer);
  if (layer <= previous) fail(`${f}.layer`, `a body index above the previous layer's ${previous}`, layer);
  const candidates = v.candidates;
  if (!Array.isArray(candidates) || candidates.length === 0)
    fail(`${f}.candidates`, 'a non-empty array of names', candidates);
  const seen = new Set<string>();
  candidates.forEach((c, j) => {
    if (typeof c !== 'string' || c.length === 0) fail(`${f}.candidates[${j}]`, 'a candidate name', c);
    if (seen.has(c)) fail(`${f}.candidates[${j}]`, 'a name not listed before', c);
    seen.add(c);
  });
  const out: LatencyLayer = {
    layer,
    candidates: [...(candidates as string[])],
    ms: numbers(v.ms, `${f}.ms`, candidates.length),
    spread: numbers(v.spread, `${f}.spread`, candidates.length),
  };
  // optional (older tables lack them): only present keys are copied, so round-trips stay exact
  if (v.overheadMs !== undefined) out.overheadMs = latencyMs(v.overheadMs, `${f}.overheadMs`);
  if (v.rawMs !== undefined) out.rawMs = numbers(v.rawMs, `${f}.rawMs`, candidates.length);
  return out;
}

/** Checks every field of an untrusted value and returns a clean copy (unknown fields dropped). */
export function validateTable(value: unknown): LatencyTable {
  if (!isObject(value)) fail('(root)', 'a JSON object', value);
  if (value.version !== 1) fail('version', '1', value.version);
  const layersIn = value.layers;
  if (!Array.isArray(layersIn)) fail('layers', 'an array', layersIn);
  const layers: LatencyLayer[] = [];
  layersIn.forEach((l, i) => layers.push(layerOf(l, i, layers.at(-1)?.layer ?? -1)));
  const source = value.source;
  if (!SOURCES.includes(source as LatencySource))
    fail('source', SOURCES.map((s) => `"${s}"`).join(' | '), source);
  return {
    version: 1,
    space: str(value, 'space', true),
    inputSize: posInt(value, 'inputSize'),
    batch: posInt(value, 'batch'),
    backend: str(value, 'backend', true),
    adapter: str(value, 'adapter', false),
    createdAt: nonNegNumber(value.createdAt, 'createdAt'),
    layers,
    fixedMs: latencyMs(value.fixedMs, 'fixedMs'),
    source: source as LatencySource,
  };
}

/** fixedMs + Σ_l ms[l][choices[l]]: the predicted latency of one architecture. */
export function predictLatency(table: LatencyTable, choices: number[]): number {
  if (choices.length !== table.layers.length) {
    throw new Error(
      `predictLatency: the table has ${table.layers.length} searchable layers, got ${choices.length} choices`,
    );
  }
  return table.layers.reduce((sum, l, i) => {
    const ms = l.ms[choices[i]];
    if (!Number.isInteger(choices[i]) || ms === undefined) {
      throw new Error(
        `predictLatency: choice ${choices[i]} out of range at layer ${l.layer} (${l.ms.length} candidates)`,
      );
    }
    return sum + ms;
  }, table.fixedMs);
}

/** ms per candidate per searchable layer (a copy): the trainer's cost table for config.loss.cost = 'latency'. */
export function toCostMatrix(table: LatencyTable): number[][] {
  return table.layers.map((l) => [...l.ms]);
}

/**
 * Why `table` cannot drive a search of `space` (already resolved: candidate edits applied) at `inputSize`,
 * or null when it can: same space id and input size, the same searchable layers with the same candidates
 * in the same order.
 */
export function tableMismatch(table: LatencyTable, space: SearchSpace, inputSize: number): string | null {
  if (table.space !== space.id) return `the table is for space "${table.space}", not "${space.id}"`;
  if (table.inputSize !== inputSize)
    return `the table was measured at ${table.inputSize}px, not ${inputSize}px`;
  const layers: { index: number; candidates: string[] }[] = [];
  space.body.forEach((b, index) => {
    if (isSearchLayer(b)) layers.push({ index, candidates: b.candidates });
  });
  if (layers.length !== table.layers.length) {
    return `the table has ${table.layers.length} searchable layers, the space ${layers.length}`;
  }
  for (let i = 0; i < layers.length; i++) {
    const a = table.layers[i];
    const b = layers[i];
    if (a.layer !== b.index) return `table layer ${i} is body index ${a.layer}, the space's is ${b.index}`;
    if (a.candidates.join(',') !== b.candidates.join(',')) {
      return `layer ${b.index}: the table has candidates ${a.candidates.join(', ')}, the space ${b.candidates.join(', ')}`;
    }
  }
  return null;
}
