/**
 * The run's duration on this device, estimated before Start by timing the experiment's weight and
 * architecture steps in the worker (measureRunEstimate). An estimate belongs to one experiment: any edit
 * drops it (SearchSession.invalidate), and a measurement that finishes after an edit is discarded.
 */
import type { ExperimentConfig, RunEstimate } from '../../nas/index.ts';
import type { WorkerClient } from '../../worker/protocol.ts';

/** Longer than this and the setup offers a smaller preset. */
export const LONG_RUN_MS = 10 * 60_000;

export class RunEstimator {
  estimate = $state.raw<RunEstimate | null>(null);
  error = $state<string | null>(null);
  private inflight = $state(0);
  private version = 0;

  measuring = $derived(this.inflight > 0);

  tooLong = $derived(!!this.estimate && this.estimate.totalMs > LONG_RUN_MS);

  /** The experiment changed: the estimate no longer applies. */
  drop(): void {
    this.version++;
    this.estimate = null;
    this.error = null;
  }

  async measure(client: WorkerClient, config: ExperimentConfig): Promise<void> {
    const version = ++this.version;
    this.inflight++;
    this.error = null;
    try {
      const e = await client.call('estimateRun', { config });
      if (version === this.version && e) this.estimate = e;
    } catch (err) {
      if (version === this.version) this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.inflight--;
    }
  }
}
