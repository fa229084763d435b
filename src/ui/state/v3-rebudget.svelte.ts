/**
 * Re-budgeting the FBNetV3 fine stage (issue 15, point 5): once a joint search has its final predictor, a new
 * MACs budget is searched on the predictor alone in the worker (v3Budgets) — seconds, nothing trained. Each
 * answer joins a list so several budgets can be compared; the list belongs to the search it was asked of.
 */
import { candidateCost, classroomJointSpace, isCoarse, type JointSearchState } from '../../nas/index.ts';
import { candidateSummary } from '../v3/candidate-table.ts';
import { runtime } from './runtime.svelte.ts';

/** Picks shown per budget. */
export const REBUDGET_TOP = 3;

export interface RebudgetPick {
  /** Predicted NME (%). */
  predicted: number;
  macs: number;
  arch: string;
  recipe: string;
}

export interface RebudgetResult {
  budget: number;
  /** Wall time of the request, ms (the worker's genetic search and the round trip). */
  ms: number;
  picks: RebudgetPick[];
  /** Which search it was asked of (searchKey). */
  search: string;
}

/** Identifies a search's predictor: its config and its coarse-stage measurements. */
export function searchKey(s: JointSearchState): string {
  return `${JSON.stringify(s.config)}|${s.trained.filter(isCoarse).length}`;
}

/** Phases in which the search's predictor is final (the fine stage has been reached). */
export function reachedFine(s: JointSearchState): boolean {
  return s.phase === 'fine' || s.phase === 'verify' || s.phase === 'sensitivity' || s.phase === 'done';
}

/** A budget typed in millions of MACs, or why it is not one. */
export function parseBudgetM(text: string): { macs: number } | { error: string } {
  const t = text.trim();
  const m = t === '' ? Number.NaN : Number(t);
  if (!Number.isFinite(m) || !(m > 0)) {
    return { error: `“${t}” is not a budget: give a positive number of millions of MACs, e.g. 2.5.` };
  }
  return { macs: Math.round(m * 1e6) };
}

export class V3RebudgetState {
  /** The budget as typed, in millions of MACs. */
  text = $state('2');
  busy = $state(false);
  error = $state<string | null>(null);
  results = $state.raw<RebudgetResult[]>([]);

  /** The answers asked of this search, newest first. */
  of(s: JointSearchState): RebudgetResult[] {
    const key = searchKey(s);
    return this.results.filter((r) => r.search === key);
  }

  async search(s: JointSearchState): Promise<void> {
    const parsed = parseBudgetM(this.text);
    if ('error' in parsed) {
      this.error = parsed.error;
      return;
    }
    const client = runtime.client;
    if (!client || !runtime.info) {
      this.error = 'The training worker is not ready yet.';
      return;
    }
    this.error = null;
    this.busy = true;
    const started = performance.now();
    try {
      const [r] = await client.call('v3Budgets', { state: s, budgets: [parsed.macs] });
      const space = classroomJointSpace(s.config.space);
      const picks = r.best.slice(0, REBUDGET_TOP).map((b) => ({
        predicted: b.score,
        macs: candidateCost(space, b.candidate).macs,
        ...candidateSummary(space, b.candidate),
      }));
      const result = { budget: r.budget, ms: performance.now() - started, picks, search: searchKey(s) };
      this.results = [result, ...this.results];
    } catch (err) {
      this.error = `Searching ${parsed.macs / 1e6} M MACs failed: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      this.busy = false;
    }
  }

  clear(): void {
    this.results = [];
    this.error = null;
  }
}

export const v3Rebudget = new V3RebudgetState();
