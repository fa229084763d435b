/**
 * Training the plan: every (candidate, init seed) unit from scratch with the plan's one recipe, then its
 * validation NME. Resumable: a unit with a result is never retrained; a unit interrupted by the signal
 * records nothing and is retrained from scratch on the next call (no half-trained weights are kept, so
 * every result comes from exactly the recipe). A training that goes non-finite records NaN.
 */
import type { BatchSource } from '../data/source.ts';
import { evaluateModel } from '../finetune/evaluate.ts';
import { subsampledSource } from '../finetune/subsampled-source.ts';
import { createModel } from '../model/model.ts';
import { trainModel } from '../results/finetune.ts';
import { subsampledSize } from '../v2/resolution.ts';
import type { BaselineCheckState, BaselineResults, BaselineRunOptions } from './types.ts';

/** Whether a unit has a result (NaN, or null after a JSON round trip, counts: it finished non-finite). */
export function unitDone(results: BaselineResults, id: string, seedIndex: number): boolean {
  const xs = results[id];
  return xs !== undefined && seedIndex < xs.length && xs[seedIndex] !== undefined;
}

/** Throws, saying what does not fit, unless every candidate can be fed by `source`. */
function checkSource(state: BaselineCheckState, source: BatchSource): void {
  if (source.task !== 'landmarks')
    throw new Error('The random baseline compares landmark NMEs; this data is for classification');
  for (const c of state.plan.candidates) {
    const size = subsampledSize(source.inputSize, c.factor);
    if (size !== c.arch.input.size || source.channels !== c.arch.input.channels)
      throw new Error(
        `The data is ${source.inputSize}x${source.inputSize}x${source.channels}; network ${c.id} expects ` +
          `${c.arch.input.size}x${c.arch.input.size}x${c.arch.input.channels} after subsampling by ${c.factor}`,
      );
  }
}

export async function runBaselineCheck(
  state: BaselineCheckState,
  source: BatchSource,
  options: BaselineRunOptions = {},
): Promise<{ outcome: 'finished' | 'aborted'; state: BaselineCheckState }> {
  const { plan } = state;
  const { signal, onProgress, onResult } = options;
  const { recipe } = plan;
  checkSource(state, source);
  const results: BaselineResults = {};
  for (const [id, xs] of Object.entries(state.results)) results[id] = [...xs];
  const now = () => ({ plan, results });
  const units = plan.candidates.flatMap((c) =>
    recipe.initSeeds.map((seed, seedIndex) => ({ c, seed, seedIndex })),
  );
  let done = units.filter((u) => unitDone(results, u.c.id, u.seedIndex)).length;
  for (const { c, seed, seedIndex } of units) {
    if (unitDone(results, c.id, seedIndex)) continue;
    if (signal?.aborted) return { outcome: 'aborted', state: now() };
    const progress = (step: number) =>
      onProgress?.({ done, total: units.length, candidate: c.id, seedIndex, step, steps: recipe.steps });
    progress(0);
    const data = subsampledSource(source, c.factor);
    const model = createModel(c.arch, { seed });
    let nme: number;
    try {
      const { outcome } = await trainModel(
        model,
        data,
        {
          steps: recipe.steps,
          lr: recipe.lr,
          batchSize: recipe.batchSize,
          seed: recipe.dataSeed,
          weightDecay: recipe.weightDecay,
        },
        (s) => progress(s.step + 1),
        signal,
      );
      if (outcome === 'aborted') return { outcome: 'aborted', state: now() };
      nme =
        outcome === 'nonFinite'
          ? NaN
          : 100 * (await evaluateModel(model, data, { batchSize: recipe.batchSize })).nme;
    } finally {
      model.dispose();
    }
    const row = results[c.id] ?? [];
    while (row.length < seedIndex) row.push(undefined as unknown as number);
    row[seedIndex] = nme;
    results[c.id] = row;
    done += 1;
    // awaited: a reload right after this unit finds it stored, so it is never trained twice
    await onResult?.(c.id, seedIndex, nme);
  }
  return { outcome: 'finished', state: now() };
}
