/**
 * The stored "Better than random?" check of one run, read for the lesson without touching the Results
 * panel's state (its form and the check it shows stay as the learner left them). Read again on every visit:
 * the check may have grown since in Results.
 */
import type { BaselineCheckState } from '../../nas/index.ts';
import { BaselineCheckStore } from '../../storage/baseline-checks.ts';
import { idbKV } from '../../storage/kv.ts';

/** Where the worker and the Results panel keep the check: the runs library's store, by run id. */
const store = new BaselineCheckStore(idbKV('nas-playground-library', 'runs'));

export class StoredCheck {
  runId = $state<string | null>(null);
  check = $state.raw<BaselineCheckState | null>(null);
  /** Why the stored check could not be read (the store's message), or null. */
  problem = $state<string | null>(null);
  loading = $state(false);

  async load(runId: string): Promise<void> {
    this.runId = runId;
    this.check = null;
    this.problem = null;
    this.loading = true;
    try {
      const { state, problem } = await store.load(runId);
      if (this.runId !== runId) return;
      this.check = state;
      this.problem = problem ?? null;
    } catch (err) {
      if (this.runId === runId)
        this.problem = `The stored check could not be read: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      if (this.runId === runId) this.loading = false;
    }
  }
}
