/**
 * Export of the FBNetV3 search's chosen nets: per fine-stage budget, the verified winner (ui/v3/winners.ts)
 * rebuilt in the worker with the weights its verification training kept, written to ONNX by the shared
 * exporter and checked against onnxruntime-web (the same parity limit as a derived net's export); the file
 * is offered for download only when the check passes.
 */
import type { ResultsExport } from '../../nas/index.ts';
import type { KeptWeights } from '../../storage/v3-checkpoint.ts';
import type { BudgetWinner } from '../v3/winners.ts';
import { PARITY_LIMIT } from './results.svelte.ts';
import { runtime } from './runtime.svelte.ts';
import { v3 } from './v3.svelte.ts';

/** A network name (and file name) for a budget's winner. */
export const winnerName = (budget: number): string => `fbnet-v3-${(budget / 1e6).toFixed(2)}M-macs`;

const exportKey = (w: BudgetWinner): string => `${w.budget}|${w.key}`;

export class V3ExportState {
  /**
   * Exports by the kept weights they were made from: a new search keeps new weight objects, so an export of
   * an earlier search (even of the same candidate) is never offered for it.
   */
  #done = new WeakMap<KeptWeights, ResultsExport>();
  /** Bumped on every export: the map itself is not reactive. */
  #version = $state(0);
  /** The winner being exported (its key), if any. */
  busy = $state<string | null>(null);
  error = $state<string | null>(null);

  exported(w: BudgetWinner): ResultsExport | null {
    void this.#version;
    const kept = v3.kept[w.key];
    return (kept && this.#done.get(kept)) ?? null;
  }

  passed(w: BudgetWinner): boolean {
    const e = this.exported(w);
    return !!e && e.maxAbsDiff < PARITY_LIMIT;
  }

  /** Whether the winner's trained weights are at hand (kept by its training, or restored from IndexedDB). */
  hasWeights(w: BudgetWinner): boolean {
    return w.key in v3.kept;
  }

  isBusy(w: BudgetWinner): boolean {
    return this.busy === exportKey(w);
  }

  async export(w: BudgetWinner, experimentUrl: string): Promise<void> {
    const client = runtime.client;
    const kept = v3.kept[w.key];
    const settings = v3.searchSettings;
    const state = v3.search;
    this.error = null;
    if (!client || !runtime.info) {
      this.error = 'The training worker is not ready yet.';
      return;
    }
    if (!kept || !settings || !state) {
      this.error =
        'The trained weights of this network were not kept (storage was full or the search ran before exports existed); run the search again to export it.';
      return;
    }
    const key = exportKey(w);
    this.busy = key;
    try {
      const r = await client.call('v3Export', {
        settings,
        state,
        candidate: [...w.record.candidate],
        weights: kept.weights,
        name: winnerName(w.budget),
        note: `FBNetV3 joint search: verified winner for ≤ ${w.budget} MACs, validation NME ${w.nme.toFixed(3)} %`,
        experimentUrl,
      });
      this.#done.set(kept, r);
      this.#version++;
    } catch (err) {
      this.error = `Exporting failed: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      this.busy = null;
    }
  }
}

export const v3Export = new V3ExportState();
