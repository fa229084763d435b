/**
 * The results area's evaluation: the derived network's accuracy (CED over a range that says something),
 * its latency on this device, the comparison with the PFLD baseline and the supernet's own estimate, the
 * worst validation faces and the mean-shape bar. Reads the search's trainer; owns no model.
 */
import * as tf from '@tensorflow/tfjs';
import {
  baselineRow,
  derivedSource,
  evaluateModel,
  expectedLatency,
  expectedSearchCost,
  LATENCY_REPEATS,
  measureLatency,
  searchLatencyTable,
  searchProbs,
  subnetRow,
  supernetRow,
  withCedRange,
  worstSamples,
  type ComparisonRow,
  type NasModel,
  type ResultsArchSummary,
  type ResultsEvaluation,
  type SearchTrainer,
  meanShapeNme,
  validateArgmax,
} from '../nas/index.ts';

interface TrainedModel {
  model: NasModel;
  steps: number;
  fromScratch: boolean;
}

export async function evaluateResults(
  t: SearchTrainer,
  subnet: TrainedModel & { summary: ResultsArchSummary },
  baseline: TrainedModel | null,
): Promise<ResultsEvaluation> {
  const batchSize = t.config.train.batchSize;
  const seed = t.config.seeds.init;
  const source = derivedSource(t.source, subnet.summary);
  const r = withCedRange(await evaluateModel(subnet.model, source, { batchSize }));
  const lat = await measureLatency(subnet.model, subnet.model.arch.input.size, LATENCY_REPEATS, { seed });
  const rows = [
    subnetRow(subnet.summary, subnet, { latencyMs: lat.medianMs, nme: r.nme, failureRate: r.failureRate }),
    await baselineRow(t.config.inputSize, baseline, t.source, { batchSize, seed }),
    await supernetEstimate(t),
  ];
  const worst = await worstSamples(t.source, r);
  const mean = await meanShapeNme(t.source, batchSize);
  return {
    rows,
    nme: r.nme,
    failureRate: r.failureRate,
    auc: r.auc,
    ced: r.ced,
    normaliser: r.normaliser,
    valCount: r.count,
    meanShapeNme: mean === null ? null : mean / 100,
    worst,
    backend: tf.getBackend(),
  };
}

/** The supernet's estimate: expected cost and latency under its distribution, NME of its argmax path. */
async function supernetEstimate(t: SearchTrainer): Promise<ComparisonRow> {
  const probs = await searchProbs(t);
  const { cost, basis } = await expectedSearchCost(t);
  const table = searchLatencyTable(t);
  const latencyMs = table ? expectedLatency(table.rows, probs, table.fixed) : null;
  const v = await validateArgmax(t.net, t.source, t.config.train.batchSize);
  return supernetRow({ expected: cost, basis, latencyMs, nmePercent: v.nme, searchStep: t.stepsDone });
}
