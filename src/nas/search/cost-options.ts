/**
 * The trainer's options and the cost they resolve to: the raw cost table of the candidates (counted MACs /
 * parameters, or a latency lookup table) and the cost unit that keeps the loss's log(COST) positive.
 */
import type { SearchSpace } from '../arch/spec.ts';
import type { CostSource, ExperimentConfig } from '../experiment.ts';
import { candidateCostTable, fixedCost as fixedCostOf } from '../cost/table.ts';
import type { ResolvedSearchOptions } from './trainer-state.ts';

export interface SearchOptions {
  /** The space to search; defaults to SPACES[config.space]. */
  space?: SearchSpace;
  /**
   * Raw cost of every candidate of every searchable layer (MACs, parameters, or a latency lookup table in
   * ms) and of the fixed part. Defaults to counted MACs/params for config.loss.cost; required for latency.
   */
  costTable?: number[][];
  fixedCost?: number;
  /** Raw cost per loss unit; default from defaultCostUnit. */
  costUnit?: number;
  momentum?: number;
  lrSchedule?: 'cosine' | 'constant';
  /** L2 weight decay of θ's Adam (FBNet: 5e-4). */
  thetaWeightDecay?: number;
  /** Pass the data Rng to 'weights' batches so the source may augment them. */
  augment?: boolean;
  /** Hard samples: run only the sampled candidate in weight steps. */
  skipUnsampled?: boolean;
  /** Most recent StepMetrics kept in the history (and checkpoints). */
  historyLimit?: number;
  /** FBNetV2: steps between channel feature-map summaries in StepMetrics.v2.features (0 = never). */
  featureEvery?: number;
}

const NATURAL_UNIT: Record<CostSource, number> = { macs: 1e6, params: 1e3, latency: 1 };

/**
 * The loss needs log(COST) > 0. Costs are expressed in millions of MACs, thousands of parameters or ms,
 * unless the cheapest network of the space would then cost less than e (log < 1, e.g. a small space at a
 * small input size); the unit is then divided by 10 until the cheapest network costs at least e.
 */
export function defaultCostUnit(source: CostSource, table: number[][], fixed: number): number {
  const cheapest = table.reduce((s, row) => s + Math.min(...row), fixed);
  let unit = NATURAL_UNIT[source];
  if (!(cheapest > 0)) return unit;
  while (cheapest / unit < Math.E) unit /= 10;
  return unit;
}

/**
 * Options with every default filled in. `shrink` (SearchNet.costShrink) lowers the cheapest cost the
 * default unit must keep above e, for strategies whose networks can be cheaper than the table's.
 */
export function resolveOptions(
  config: ExperimentConfig,
  space: SearchSpace,
  options: SearchOptions,
  shrink: number,
): ResolvedSearchOptions {
  let costTable = options.costTable;
  let fixed = options.fixedCost;
  const source = config.loss.cost;
  if (!costTable) {
    if (source === 'latency')
      throw new Error('A latency search needs a latency table (options.costTable, in ms)');
    const rows = candidateCostTable(space, config.candidateEdits, config.inputSize);
    costTable = rows.map((r) => (source === 'macs' ? r.macs : r.params));
    if (fixed === undefined) {
      const f = fixedCostOf(space, config.inputSize);
      fixed = source === 'macs' ? f.macs : f.params;
    }
  }
  fixed ??= 0;
  // × shrink (1 for V1) is exact for V1: the unit is the one of the table itself
  const costUnit =
    options.costUnit ??
    defaultCostUnit(
      source,
      costTable.map((r) => r.map((c) => c * shrink)),
      fixed * shrink,
    );
  return {
    costTable: costTable.map((r) => [...r]),
    fixedCost: fixed,
    costUnit,
    momentum: options.momentum ?? 0.9,
    lrSchedule: options.lrSchedule ?? 'cosine',
    thetaWeightDecay: options.thetaWeightDecay ?? 5e-4,
    augment: options.augment ?? true,
    skipUnsampled: options.skipUnsampled ?? true,
    historyLimit: options.historyLimit ?? 10000,
    featureEvery: options.featureEvery ?? 10,
  };
}
