/**
 * The cost the search loss uses: counted MACs or parameters (the trainer's default), or a latency lookup
 * table measured on this device and stored in IndexedDB.
 */
import type { ExperimentConfig, SearchOptions } from '../nas/index.ts';
import { WorkerRequestError } from './protocol.ts';

export async function resolveCost(config: ExperimentConfig): Promise<{ options: SearchOptions }> {
  if (config.loss.cost !== 'latency') return { options: {} };
  const key = config.loss.latencyTable;
  const { loadLatencyTable } = await import('./latency-lookup.ts');
  const table = key ? await loadLatencyTable(key, config) : undefined;
  if (!table) {
    throw new WorkerRequestError(
      key
        ? `The latency table "${key}" is not stored in this browser. Measure one for this space (Latency tables panel) or choose MACs as the cost.`
        : 'A latency-aware search needs a latency table: measure one for this space in the Latency tables panel, or choose MACs as the cost.',
      'no-latency-table',
    );
  }
  return { options: { costTable: table.costTable, fixedCost: table.fixedMs, costUnit: 1 } };
}
