/**
 * The chosen net of each fine-stage budget: among the candidates verification trained fully for it, the one
 * with the lowest measured NME. A candidate the fine stage picked for two budgets trains once (joint-search.ts
 * deduplicates), recorded under the first: it counts for every budget that picked it and fits.
 */
import { candidateKey, type JointSearchState, type TrainedCandidate } from '../../nas/index.ts';

export interface BudgetWinner {
  budget: number;
  record: TrainedCandidate;
  /** candidateKey of the winner: the key its kept weights are stored under. */
  key: string;
  /** NME (%) measured at the end of its full training. */
  nme: number;
}

export function verifiedWinners(state: JointSearchState): BudgetWinner[] {
  const verified = state.trained.filter((t) => t.stage === 'verify');
  const out: BudgetWinner[] = [];
  for (const f of state.fine) {
    const picked = new Set(f.best.slice(0, state.config.fine.verify).map((b) => candidateKey(b.candidate)));
    const mine = verified.filter(
      (t) => (t.budget === f.budget || picked.has(candidateKey(t.candidate))) && t.macs <= f.budget,
    );
    const last = (t: TrainedCandidate) => t.curve[t.curve.length - 1];
    const best = mine.reduce<TrainedCandidate | null>((a, t) => (!a || last(t) < last(a) ? t : a), null);
    if (best)
      out.push({ budget: f.budget, record: best, key: candidateKey(best.candidate), nme: last(best) });
  }
  return out;
}
