/**
 * The weight-sharing caveat, measured: a handful of candidates scored one-shot (inherited supernet weights,
 * recalibrated BatchNorm) and trained standalone from scratch, and Kendall's τ between the two NME
 * rankings. τ near 1: the supernet ranks candidates as training them would; near 0: one-shot scores say
 * little (a known weakness of weight sharing, e.g. Yu et al., "Evaluating the Search Phase of Neural
 * Architecture Search", ICLR 2020).
 */
import { evaluateModel } from '../finetune/evaluate.ts';
import { createModel } from '../model/model.ts';
import { trainModel } from '../results/finetune.ts';
import { subsampledSource } from '../finetune/subsampled-source.ts';
import type { SearchTrainer } from '../search/trainer.ts';
import type { OneShotEvaluator } from './one-shot.ts';
import { kendallTau } from './pareto.ts';

export interface StandaloneTraining {
  steps: number;
  lr: number;
  seed: number;
  batchSize?: number;
}

export interface WeightSharingRow {
  tokens: number[];
  oneShotNme: number;
  standaloneNme: number;
}

export interface WeightSharingReport {
  rows: WeightSharingRow[];
  /** Kendall τ-b between one-shot NME and standalone NME (1: same ranking). */
  tau: number;
}

/** Trains the candidate `blocks` from scratch (seeded) and returns its validation NME. */
export async function standaloneNme(
  t: SearchTrainer,
  blocks: readonly number[],
  options: StandaloneTraining,
  signal?: AbortSignal,
): Promise<number> {
  const batchSize = options.batchSize ?? t.config.train.batchSize;
  const derived = t.net.deriveArch(
    await t.net.choicesWithBlocks([...blocks]),
    `standalone-${blocks.join('')}`,
  );
  const model = createModel(derived.arch, { seed: options.seed });
  try {
    const source = subsampledSource(t.source, derived.factor);
    await trainModel(
      model,
      source,
      { steps: options.steps, lr: options.lr, batchSize, seed: options.seed },
      () => {},
      signal,
    );
    return (await evaluateModel(model, source, { batchSize })).nme;
  } finally {
    model.dispose();
  }
}

export async function weightSharingCheck(
  evaluator: OneShotEvaluator,
  candidates: readonly number[][],
  options: StandaloneTraining,
  onRow?: (row: WeightSharingRow, done: number) => unknown,
  signal?: AbortSignal,
): Promise<WeightSharingReport> {
  if (candidates.length < 2) throw new Error('The weight-sharing check needs at least 2 candidates');
  const rows: WeightSharingRow[] = [];
  for (const tokens of candidates) {
    if (signal?.aborted) break;
    const oneShotNme = (await evaluator.score(tokens)).nme;
    const standalone = await standaloneNme(evaluator.trainer, tokens, options, signal);
    const row = { tokens: [...tokens], oneShotNme, standaloneNme: standalone };
    rows.push(row);
    await onRow?.(row, rows.length);
  }
  return {
    rows,
    tau: kendallTau(
      rows.map((r) => r.oneShotNme),
      rows.map((r) => r.standaloneNme),
    ),
  };
}
