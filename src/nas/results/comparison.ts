/**
 * The comparison table of the results stage: the searched subnet, the PFLD baseline and the supernet's own
 * estimate, with parameters, multiply-adds, size, latency on this device and validation NME.
 */
import type { Cost } from '../cost/count.ts';
import { countCost } from '../cost/count.ts';
import type { BatchSource } from '../data/source.ts';
import { evaluateModel } from '../finetune/evaluate.ts';
import { measureLatency } from '../finetune/latency.ts';
import { sizeBytesOf } from '../finetune/model-size.ts';
import { createModel, type NasModel } from '../model/model.ts';
import { baselineArch } from './baseline.ts';
import type { ComparisonRow, ResultsArchSummary } from './types.ts';

/** Timed batch-1 forwards per latency measurement (the median is reported). */
export const LATENCY_REPEATS = 15;

/** How a model's weights came about, in words. */
export function trainingNote(t: { fromScratch: boolean; steps: number }): string {
  if (t.fromScratch) return `trained from scratch, ${t.steps} steps`;
  return t.steps > 0 ? `supernet weights + ${t.steps} finetune steps` : 'supernet weights, not finetuned';
}

export function subnetRow(
  summary: ResultsArchSummary,
  training: { fromScratch: boolean; steps: number },
  measured: { latencyMs: number; nme: number; failureRate: number },
): ComparisonRow {
  return {
    id: 'subnet',
    label: 'Searched subnet',
    note: trainingNote(training),
    params: summary.params,
    macs: summary.macs,
    bytes: summary.bytes,
    ...measured,
  };
}

/**
 * The PFLD baseline's row at `inputSize`: latency always (it does not depend on the weights, so an
 * untrained copy is timed when none was trained), accuracy only when `trained` is given.
 */
export async function baselineRow(
  inputSize: number,
  trained: { model: NasModel; steps: number } | null,
  source: BatchSource,
  options: { batchSize: number; seed: number; repeats?: number },
): Promise<ComparisonRow> {
  const arch = baselineArch(inputSize);
  const cost = countCost(arch);
  const model = trained?.model ?? createModel(arch, { seed: options.seed });
  try {
    const repeats = options.repeats ?? LATENCY_REPEATS;
    const lat = await measureLatency(model, inputSize, repeats, { seed: options.seed });
    const r = trained ? await evaluateModel(model, source, { batchSize: options.batchSize }) : null;
    return {
      id: 'baseline',
      label: 'PFLD-106 baseline',
      note: trained ? `trained from scratch, ${trained.steps} steps` : 'not trained (accuracy not measured)',
      params: cost.params,
      macs: cost.macs,
      bytes: sizeBytesOf(cost.params),
      latencyMs: lat.medianMs,
      nme: r?.nme ?? null,
      failureRate: r?.failureRate ?? null,
    };
  } finally {
    if (!trained) model.dispose();
  }
}

/** Latency (ms) expected under the probabilities: Σ_l Σ_i p_li · table_li + the fixed part. */
export function expectedLatency(rows: number[][], probs: number[][], fixed: number): number {
  return rows.reduce((sum, row, l) => sum + row.reduce((a, c, i) => a + c * probs[l][i], 0), fixed);
}

/**
 * The supernet's own estimate: the expected cost (`basis` says how it was computed), the expected latency
 * from the lookup table when the search used one, and `nmePercent`, the validation NME of the argmax path
 * with shared weights at `searchStep`.
 */
export function supernetRow(input: {
  expected: Cost;
  basis: string;
  latencyMs: number | null;
  nmePercent: number | null;
  searchStep: number;
}): ComparisonRow {
  const { expected, latencyMs, nmePercent } = input;
  return {
    id: 'supernet',
    label: 'Supernet estimate',
    note:
      input.basis +
      (latencyMs !== null ? ' (latency from the lookup table)' : '') +
      `; NME of the argmax path with shared weights at search step ${input.searchStep}`,
    params: expected.params,
    macs: expected.macs,
    bytes: sizeBytesOf(expected.params),
    latencyMs,
    nme: nmePercent === null ? null : nmePercent / 100,
    failureRate: null,
  };
}
