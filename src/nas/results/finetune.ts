/** Finetuning (or training from scratch) a derived or baseline network for the results stage. */
import type { BatchSource } from '../data/source.ts';
import {
  Finetuner,
  type FinetuneOptions,
  type FinetuneOutcome,
  type FinetuneStep,
} from '../finetune/finetuner.ts';
import type { NasModel } from '../model/model.ts';

/**
 * The finetune recipe Results offers after a search (steps and learning rate; batch size, weight decay and
 * seed come from the search's experiment), and the one `npm run report:classroom` runs.
 */
// 400 steps at 0.05 (was 100 at 0.005): on the classroom default (seed 0, 64 px, 512 faces) the derived net
// went from 0.80× the mean-shape NME to 0.48×; SGD with momentum at 0.005 barely moved the inherited weights
// (`npm run report:classroom` with REPORT_FINETUNE / REPORT_FINETUNE_LR, issue 18)
export const DEFAULT_FINETUNE = { steps: 400, lr: 0.05 } as const;

/** Steps whose mean loss is reported as the final loss. */
export const FINAL_LOSS_STEPS = 5;

/** Mean of the last `n` losses; NaN when there are none. */
export function finalLoss(losses: number[], n = FINAL_LOSS_STEPS): number {
  const tail = losses.slice(-n);
  return tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : NaN;
}

/**
 * The Finetuner's seed for a model already trained `stepsSoFar` steps: a continued run draws different
 * batches than the first one.
 */
export function finetuneSeed(dataSeed: number, stepsSoFar: number): number {
  return (dataSeed + stepsSoFar) >>> 0;
}

/** Runs `options.steps` steps on `model` (its variables are updated in place); every step's loss is kept. */
export async function trainModel(
  model: NasModel,
  source: BatchSource,
  options: FinetuneOptions,
  onStep: (s: FinetuneStep) => void,
  signal?: AbortSignal,
): Promise<{ outcome: FinetuneOutcome; losses: number[] }> {
  const ft = new Finetuner(model, source, options);
  const losses: number[] = [];
  try {
    const outcome = await ft.run((s) => {
      losses.push(s.loss);
      onStep(s);
    }, signal);
    return { outcome, losses };
  } finally {
    ft.dispose();
  }
}
