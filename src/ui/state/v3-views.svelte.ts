/**
 * State of the FBNetV3 views that need the worker: the pre-training ablation refits the predictor per
 * round (tfjs training), so it runs in the worker on request; the views that are pure functions of the
 * search state (Pareto fronts, rank crossing, coverage) derive in their components.
 */
import type { JointSearchState, PretrainAblationRow } from '../../nas/index.ts';
import { runtime } from './runtime.svelte.ts';

/** Which search an ablation belongs to: its seed and how many candidates it had measured. */
export function ablationKey(s: JointSearchState): string {
  return `${s.config.seed}:${s.trained.length}:${s.pool.length}`;
}

export class V3ViewsState {
  ablation = $state.raw<PretrainAblationRow[] | null>(null);
  /** ablationKey of the search the rows were computed for. */
  ablationOf = $state<string | null>(null);
  running = $state(false);
  progress = $state<{ done: number; total: number } | null>(null);
  error = $state<string | null>(null);

  async runAblation(search: JointSearchState): Promise<void> {
    const client = runtime.client;
    if (!client || !runtime.info) {
      this.error = 'The training worker is not ready yet.';
      return;
    }
    if (this.running) return;
    this.running = true;
    this.error = null;
    this.progress = null;
    const off = client.onEvent((e) => {
      if (e.type === 'v3-ablation-progress') this.progress = { done: e.done, total: e.total };
    });
    try {
      this.ablation = await client.call('v3Ablation', { state: search });
      this.ablationOf = ablationKey(search);
    } catch (err) {
      this.error = `The ablation stopped: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      off();
      this.running = false;
    }
  }
}

export const v3Views = new V3ViewsState();
