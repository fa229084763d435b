/**
 * "Export as PyTorch project": asks the worker for the zip (src/nas/export/pytorch, built from the search's
 * supernet, θ and the derived network) and downloads it. One instance per area, so the Search and Results
 * buttons report their own progress and errors.
 */
import type { PytorchExport } from '../../worker/protocol.ts';
import { downloadFile } from './results.svelte.ts';
import { runtime } from './runtime.svelte.ts';

export class PytorchExportState {
  busy = $state(false);
  error = $state<string | null>(null);
  /** Name and size of the last zip downloaded. */
  last = $state<{ fileName: string; size: number } | null>(null);

  constructor(readonly from: 'results' | 'search') {}

  async export(experimentUrl: string): Promise<PytorchExport | null> {
    const client = runtime.client;
    if (!client || this.busy) return null;
    this.busy = true;
    this.error = null;
    try {
      const r = await client.call('exportPytorch', { from: this.from, experimentUrl });
      downloadFile(r.bytes, r.fileName, 'application/zip');
      this.last = { fileName: r.fileName, size: r.bytes.length };
      return r;
    } catch (e) {
      this.error = `PyTorch export failed: ${e instanceof Error ? e.message : String(e)}`;
      return null;
    } finally {
      this.busy = false;
    }
  }
}
