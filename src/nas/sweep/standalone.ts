/**
 * The supernet's estimate next to the standalone truth. During the search the validation NME is that of
 * the argmax path read out of the supernet (shared weights, trained as part of a mixture); a derived
 * network is judged after it has been trained on its own. This derives the argmax network (weights
 * inherited, BatchNorm recalibrated), measures both numbers and finetunes it briefly (recipe.ts), so the
 * gap between the two is a measured figure rather than a guess.
 */
import type { BatchSource } from '../data/source.ts';
import { evaluateModel } from '../finetune/evaluate.ts';
import type { NasModel } from '../model/model.ts';
import { deriveSubnet, derivedSource } from '../results/derive.ts';
import { finetuneSeed, trainModel } from '../results/finetune.ts';
import type { ResultsArchSummary } from '../results/types.ts';
import { ARGMAX_BASIS_DEFAULT } from '../search/run-layout.ts';
import type { SearchTrainer } from '../search/trainer.ts';
import { validateArgmax } from '../search/validate.ts';
import type { FinetuneRecipe } from './recipe.ts';

export interface StandaloneCheck {
  /** What supernetNme measures, in words (SearchNet.argmaxBasis). */
  estimateBasis: string;
  /** The derived argmax network (cost and per-layer choices). */
  summary: ResultsArchSummary;
  /** Validation NME (%) of the argmax path inside the supernet, as the live chart measures it. */
  supernetNme: number | null;
  /** Validation NME (%) of the derived network with inherited weights, before finetuning. */
  inheritedNme: number;
  /** Validation NME (%) after `steps` finetune steps: the standalone result. */
  standaloneNme: number;
  steps: number;
  outcome: 'finished' | 'aborted' | 'nonFinite';
}

export interface StandaloneOptions {
  recipe: FinetuneRecipe;
  signal?: AbortSignal;
  onStep?: (step: number, total: number) => void;
}

/** Validation NME (%) of a plain network. */
async function nmeOf(model: NasModel, source: BatchSource, batchSize: number): Promise<number> {
  return 100 * (await evaluateModel(model, source, { batchSize })).nme;
}

/** Derives the argmax network of `t`, measures the supernet's estimate, finetunes and evaluates it. */
export async function checkStandalone(
  t: SearchTrainer,
  options: StandaloneOptions,
): Promise<StandaloneCheck> {
  const { recipe, signal, onStep } = options;
  const batchSize = t.config.train.batchSize;
  const supernet = await validateArgmax(t.net, t.source, batchSize);
  const { model, summary } = await deriveSubnet(t, { mode: 'argmax' });
  try {
    const source = derivedSource(t.source, summary);
    const inheritedNme = await nmeOf(model, source, batchSize);
    const { outcome, losses } = await trainModel(
      model,
      source,
      {
        steps: recipe.steps,
        lr: recipe.lr,
        batchSize,
        seed: finetuneSeed(t.config.seeds.data, 0),
        weightDecay: t.config.train.weightDecay,
      },
      (s) => onStep?.(s.step + 1, recipe.steps),
      signal,
    );
    return {
      estimateBasis: t.net.argmaxBasis ?? ARGMAX_BASIS_DEFAULT,
      summary,
      supernetNme: supernet.nme,
      inheritedNme,
      standaloneNme: await nmeOf(model, source, batchSize),
      steps: losses.length,
      outcome,
    };
  } finally {
    model.dispose();
  }
}

/**
 * The gap in one sentence, for the live chart and the comparison table; `standalone` names the network
 * compared, e.g. "the derived network after 100 finetune steps".
 */
export function explainGap(supernetNme: number, standaloneNme: number, standalone: string): string {
  const diff = supernetNme - standaloneNme;
  const direction =
    Math.abs(diff) < 0.05
      ? 'about the same as'
      : diff > 0
        ? `${diff.toFixed(2)} points worse than`
        : `${(-diff).toFixed(2)} points better than`;
  return (
    `The supernet's estimate (${supernetNme.toFixed(2)} %) is ${direction} ${standalone} ` +
    `(${standaloneNme.toFixed(2)} %): inside the supernet the argmax path shares ` +
    'weights that were trained for a mixture of candidates, while the derived network is trained for its ' +
    'one path alone.'
  );
}
