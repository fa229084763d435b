/**
 * The cost matrix of a latency-aware search (config.loss.cost = 'latency'): the stored table's ms per
 * candidate per searchable layer, plus its fixed part. Undefined when no table is stored under `key`;
 * a table that does not fit the experiment (other space, input size or candidates) is refused with why.
 */
import { type ExperimentConfig, tableMismatch, toCostMatrix, resolveSpace, SPACES } from '../nas/index.ts';
import { LatencyTableStore } from '../storage/latency-tables.ts';
import { WorkerRequestError } from './protocol.ts';

export async function loadLatencyTable(
  key: string,
  config?: ExperimentConfig,
  store: LatencyTableStore = new LatencyTableStore(),
): Promise<{ costTable: number[][]; fixedMs: number } | undefined> {
  const table = await store.loadTable(key);
  if (!table) return undefined;
  const space = config && SPACES[config.space];
  if (config && space) {
    const why = tableMismatch(table, resolveSpace(space, config.candidateEdits), config.inputSize);
    if (why) {
      throw new WorkerRequestError(
        `The chosen latency table does not fit this experiment: ${why}. Measure a table for this setup or choose MACs as the cost.`,
        'latency-table-mismatch',
      );
    }
  }
  return { costTable: toCostMatrix(table), fixedMs: table.fixedMs };
}
