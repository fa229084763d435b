/**
 * The numbers behind the latency-table section: three candidate blocks of one classroom layer, timed on this
 * device by the worker (the latency panel's profiler, table not stored), and how that table enters FBNet's
 * loss. The other searchable layers hold one candidate each, so the table also times them and the fixed
 * part: a network's LAT is fixed + Σ its layers' table entries (FBNet eq. 3), in the unit a search would
 * use (defaultCostUnit keeps log LAT positive), and the loss factor is α · log(LAT)^β (eq. 2).
 */
import {
  costFactor,
  defaultCostUnit,
  searchLayerIndices,
  SPACES,
  type LatencyTable,
} from '../../nas/index.ts';
import { HELD_CANDIDATE } from './loss-view.ts';

/** The three blocks the lesson times: the cheapest, a wide 3×3 and the dearest 5×5. */
export const TIMED_CANDIDATES = ['k3_e1', 'k3_e6', 'k5_e6'];

/** Candidate edits of the classroom space: `layer` (1-based searchable layer) gets the timed three, the rest the held block. */
export function latencyEdits(layer: number): Record<number, string[]> {
  const body = searchLayerIndices(SPACES.classroom);
  const edits: Record<number, string[]> = {};
  body.forEach((b, l) => (edits[b] = l === layer - 1 ? [...TIMED_CANDIDATES] : [HELD_CANDIDATE]));
  return edits;
}

export interface LatencyRow {
  candidate: string;
  /** The block's median forward time with its readback, ms. */
  rawMs: number;
  /** Its table entry: rawMs less the layer's readback probe (the network pays one readback, in fixedMs). */
  ms: number;
  /** The network's table latency with this candidate at the layer, ms. */
  latMs: number;
  /** LAT in the loss's unit. */
  lat: number;
  /** α · log(LAT)^β. */
  factor: number;
}

export interface LatencyView {
  rows: LatencyRow[];
  /** ms per loss unit. */
  unit: number;
  /** fixed + the other layers' entries, ms. */
  restMs: number;
}

/** The rows of a measured table; null when it is not this lesson's table (wrong layer edits). */
export function latencyView(
  table: LatencyTable,
  layer: number,
  alpha: number,
  beta: number,
): LatencyView | null {
  const body = searchLayerIndices(SPACES.classroom)[layer - 1];
  const timed = table.layers.find((l) => l.layer === body);
  if (!timed || timed.candidates.join() !== TIMED_CANDIDATES.join()) return null;
  const others = table.layers.filter((l) => l !== timed);
  const restMs = table.fixedMs + others.reduce((s, l) => s + l.ms[0], 0);
  const unit = defaultCostUnit(
    'latency',
    table.layers.map((l) => l.ms),
    table.fixedMs,
  );
  const rows = TIMED_CANDIDATES.map((candidate, i) => {
    const latMs = restMs + timed.ms[i];
    return {
      candidate,
      rawMs: timed.rawMs?.[i] ?? timed.ms[i],
      ms: timed.ms[i],
      latMs,
      lat: latMs / unit,
      factor: costFactor(latMs / unit, alpha, beta),
    };
  });
  return { rows, unit, restMs };
}
