/**
 * One-shot evaluation: a candidate's score is the validation NME of the subnet that inherits its weights
 * from the trained supernet, with BatchNorm statistics recalibrated on training images: the same derive
 * path the results stage uses (results/from-search.ts and finetune/recalibrate.ts), so a candidate scored
 * here and derived into Results are the same network. Each candidate is scored once (a cache by token
 * list); the supernet's weights must not change while an evaluator is in use.
 */
import { evaluateModel } from '../finetune/evaluate.ts';
import { recalibrateBatchNorm } from '../finetune/recalibrate.ts';
import { subsampledSource } from '../finetune/subsampled-source.ts';
import { countCost } from '../cost/count.ts';
import { deriveFromSearch } from '../results/from-search.ts';
import type { SearchTrainer } from '../search/trainer.ts';
import { tokenKey } from './token-space.ts';

export interface OneShotOptions {
  /** Batch size of recalibration and evaluation (default the search's). */
  batchSize?: number;
  /** Recalibration batches (default 20, as the results stage). */
  recalibrationBatches?: number;
}

export interface OneShotScore {
  nme: number;
  macs: number;
  params: number;
}

/** Scores `blocks` (one candidate index per searchable layer) on the trainer's supernet; not cached. */
export async function scoreOneShot(
  t: SearchTrainer,
  blocks: readonly number[],
  options: OneShotOptions = {},
): Promise<OneShotScore> {
  const batchSize = options.batchSize ?? t.config.train.batchSize;
  const choices = await t.net.choicesWithBlocks([...blocks]);
  const { model, v2 } = await deriveFromSearch(t, choices, `one-shot-${blocks.join('')}`);
  try {
    const source = subsampledSource(t.source, v2?.factor ?? 1);
    await recalibrateBatchNorm(model, source, { batchSize, batches: options.recalibrationBatches ?? 20 });
    const ev = await evaluateModel(model, source, { batchSize });
    const cost = countCost(model.arch);
    return { nme: ev.nme, macs: cost.macs, params: cost.params };
  } finally {
    model.dispose();
  }
}

/** scoreOneShot with a cache: each token list is derived and evaluated once. */
export class OneShotEvaluator {
  hits = 0;
  misses = 0;
  private readonly cache = new Map<string, Promise<OneShotScore>>();

  constructor(
    readonly trainer: SearchTrainer,
    readonly options: OneShotOptions = {},
  ) {}

  score(blocks: readonly number[]): Promise<OneShotScore> {
    const key = tokenKey(blocks);
    const hit = this.cache.get(key);
    if (hit) {
      this.hits += 1;
      return hit;
    }
    this.misses += 1;
    const p = scoreOneShot(this.trainer, blocks, this.options);
    this.cache.set(key, p);
    // a failed evaluation is not remembered: the next query tries again
    p.catch(() => this.cache.delete(key));
    return p;
  }

  get size(): number {
    return this.cache.size;
  }
}
