/**
 * FBNetV3's early-stopping rule (Dai et al., CVPR 2021, sec. 3.2): train a first batch of candidates to
 * the full budget, logging validation NME along the way; the early-stop point is the first logged step
 * whose ranking of the candidates agrees with the final ranking to Kendall τ ≥ a threshold (0.92 in the
 * paper). Later candidates are trained only to that step, and their NME there stands in for the final one.
 */
import { kendallTau } from '../sample-search/pareto.ts';

export const DEFAULT_EARLY_STOP_TAU = 0.92;

export interface EarlyStopChoice {
  /** Index into the logged steps of the chosen early-stop point. */
  index: number;
  /** The step (or whatever position label the curves were logged at) of that point. */
  step: number;
  /**
   * Kendall τ-b between the NME at each logged step and the final NME; null where it is undefined (a
   * constant column), so the choice survives JSON (which has no NaN).
   */
  taus: (number | null)[];
  threshold: number;
}

/**
 * curves[c][k]: candidate c's validation NME at logged step steps[k]; every curve has one value per step
 * and the last is the full-budget result.
 */
export function chooseEarlyStop(
  curves: readonly (readonly number[])[],
  steps: readonly number[],
  threshold = DEFAULT_EARLY_STOP_TAU,
): EarlyStopChoice {
  if (curves.length < 2) throw new Error('The early-stop rule needs the curves of at least 2 candidates');
  if (!(threshold > -1 && threshold <= 1))
    throw new Error(`The τ threshold must be in (−1, 1], got ${threshold}`);
  if (steps.length === 0) throw new Error('The early-stop rule needs at least one logged step');
  curves.forEach((c, i) => {
    if (c.length !== steps.length) {
      throw new Error(`Curve ${i} has ${c.length} values for ${steps.length} logged steps`);
    }
  });
  const last = steps.length - 1;
  const final = curves.map((c) => c[last]);
  const taus = steps.map((_, k) => {
    const t = kendallTau(
      curves.map((c) => c[k]),
      final,
    );
    return Number.isNaN(t) ? null : t;
  });
  // τ at the last step is 1 by definition (or undefined when every final NME is equal: train fully)
  let index = taus.findIndex((t) => t !== null && t >= threshold);
  if (index < 0) index = last;
  return { index, step: steps[index], taus, threshold };
}
