/**
 * The check of the supernet's live estimate: when a search ends, its argmax network is derived and
 * finetuned briefly in the worker, and both numbers are kept here, keyed by the run and step they belong
 * to, so the live chart and the Results comparison show them side by side.
 */
import { DEFAULT_FINETUNE, type StandaloneCheck } from '../../nas/index.ts';
import type { WorkerEvent } from '../../worker/protocol.ts';
import { runtime } from './runtime.svelte.ts';

export class EstimateCheckState {
  /** `${runId}@${step}` of the search the result (or the running check) belongs to. */
  key = $state<string | null>(null);
  result = $state.raw<StandaloneCheck | null>(null);
  running = $state(false);
  progress = $state<{ step: number; total: number } | null>(null);
  error = $state<string | null>(null);

  /** The result when it belongs to `key`, else null. */
  resultFor(key: string | null): StandaloneCheck | null {
    return key !== null && this.key === key ? this.result : null;
  }

  /** Runs the check once per key (a finished run, or a stopped one at its step). */
  async runFor(key: string, finetuneSteps = DEFAULT_FINETUNE.steps): Promise<void> {
    const client = runtime.client;
    if (!client || this.key === key) return;
    this.key = key;
    this.result = null;
    this.error = null;
    this.running = true;
    this.progress = { step: 0, total: finetuneSteps };
    const off = client.onEvent((e) => this.onEvent(e));
    try {
      const r = await client.call('estimateCheck', { finetuneSteps });
      if (this.key === key) {
        if (r.outcome === 'finished') this.result = r;
        else this.error = 'The check was cancelled.';
      }
    } catch (err) {
      if (this.key === key) this.error = err instanceof Error ? err.message : String(err);
    } finally {
      off();
      this.running = false;
      this.progress = null;
    }
  }

  private onEvent(e: WorkerEvent): void {
    if (e.type === 'estimate-progress') this.progress = { step: e.step, total: e.total };
  }
}

export const estimateCheck = new EstimateCheckState();
