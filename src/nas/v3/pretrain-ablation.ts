/**
 * FBNetV3's predictor-pretraining ablation in miniature (Dai et al., CVPR 2021, sec. 4.1: pre-training the
 * encoder on MACs/params lets the predictor rank well from fewer trained samples). For every predictor
 * round r ≥ 1 of a finished (or running) joint search, the predictor is fitted twice on everything measured
 * before round r — once from the encoder pre-trained on computed MACs/params, once from its untrained
 * initialisation, same seeds and sizes as the search — and both rank round r's candidates; Kendall τ of
 * each ranking against the measured scores is the row. With pre-training this reproduces the predictions
 * the search itself made (same fit, same data), so `tauWith` equals the round's recorded τ.
 */
import { kendallTau } from '../sample-search/pareto.ts';
import type { EarlyStopChoice } from './early-stop.ts';
import {
  candidateScore,
  fitPredictor,
  isCoarse,
  searchPredictor,
  type JointSearchConfig,
  type TrainedCandidate,
} from './joint-search.ts';
import { archFeatures, recipeFeatures, type JointSpace } from './joint-space.ts';

export interface PretrainAblationOptions {
  /** The search's config: seed, predictor sizes and proxy architectures (0 there: the default count). */
  config: Pick<JointSearchConfig, 'seed' | 'proxyArchs' | 'predictor'>;
  /** The search's early-stop choice: a candidate's score is its NME there, as the search scores it. */
  earlyStop: EarlyStopChoice | null;
  /** Called after each round's two fits (for a progress indicator). */
  onRound?: (done: number, total: number) => void;
}

export interface PretrainAblationRow {
  round: number;
  /** Measured candidates both predictors were fitted on (everything before the round). */
  n: number;
  /** The round's candidates ranked. */
  candidates: number;
  /** Kendall τ-b of predicted vs measured scores; null when undefined (fewer than 2, or all tied). */
  tauWith: number | null;
  tauWithout: number | null;
}

/** One row per predictor round present in `trained` (rounds with < 2 earlier measurements are skipped). */
export async function pretrainAblation(
  space: JointSpace,
  trained: readonly TrainedCandidate[],
  options: PretrainAblationOptions,
): Promise<PretrainAblationRow[]> {
  const coarse = trained.filter(isCoarse);
  const rounds = [...new Set(coarse.filter((t) => t.stage === 'round').map((t) => t.round))]
    .sort((a, b) => a - b)
    .filter((r) => coarse.filter((t) => t.round < r).length >= 2);
  if (rounds.length === 0) return [];
  const arms = [
    await searchPredictor(space, options.config, true),
    await searchPredictor(space, options.config, false),
  ];
  const rows: PretrainAblationRow[] = [];
  try {
    for (const [k, round] of rounds.entries()) {
      const before = coarse.filter((t) => t.round < round);
      const target = coarse.filter((t) => t.stage === 'round' && t.round === round);
      const measured = target.map((t) => candidateScore(options.earlyStop, t));
      const taus: (number | null)[] = [];
      for (const p of arms) {
        await fitPredictor(p, space, options.earlyStop, before);
        const { nme } = await p.predict(
          target.map((t) => archFeatures(space, t.candidate)),
          target.map((t) => recipeFeatures(space, t.candidate)),
        );
        const tau = target.length > 1 ? kendallTau(nme, measured) : NaN;
        taus.push(Number.isNaN(tau) ? null : tau);
      }
      rows.push({
        round,
        n: before.length,
        candidates: target.length,
        tauWith: taus[0],
        tauWithout: taus[1],
      });
      options.onRound?.(k + 1, rounds.length);
    }
  } finally {
    arms.forEach((p) => p.dispose());
  }
  return rows;
}
