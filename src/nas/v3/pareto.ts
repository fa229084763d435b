/**
 * Pareto fronts of the joint search on the MACs–NME plane (both lower is better): the measured front of
 * every trained candidate, and per fine-stage budget the front the predictor believes in (its genetic
 * search's best candidates at their predicted NME). Built on the one dominance rule of
 * sample-search/pareto.ts.
 */
import { paretoFront } from '../sample-search/pareto.ts';
import type { EarlyStopChoice } from './early-stop.ts';
import { candidateScore, type FineResult, type TrainedCandidate } from './joint-search.ts';
import { candidateCost, type JointSpace } from './joint-space.ts';

export interface MacsNme {
  macs: number;
  nme: number;
}

/** The non-dominated points (no other is ≤ in both and < in one), by increasing MACs; ties kept once. */
export function macsNmeFront<T extends MacsNme>(points: readonly T[]): T[] {
  return paretoFront(points.map((p) => ({ cost: p.macs, nme: p.nme }))).map((i) => points[i]);
}

/**
 * Every trained candidate at its score — NME at the early-stop point, the unit the predictor is fitted
 * and predicts in, so measured and predicted fronts share an axis.
 */
export function measuredPoints(
  trained: readonly TrainedCandidate[],
  earlyStop: EarlyStopChoice | null,
): (MacsNme & { index: number })[] {
  return trained.map((t, index) => ({ macs: t.macs, nme: candidateScore(earlyStop, t), index }));
}

/** Per fine-stage budget, the front of its best candidates at their predicted NME. */
export function predictedFronts(
  space: JointSpace,
  fine: readonly FineResult[],
): { budget: number; front: MacsNme[] }[] {
  return fine.map((f) => ({
    budget: f.budget,
    front: macsNmeFront(f.best.map((b) => ({ macs: candidateCost(space, b.candidate).macs, nme: b.score }))),
  }));
}
