/**
 * Derivation for the results stage: block choices from the search's probabilities, a plain network with
 * inherited weights (from-search.ts), its BatchNorm statistics re-estimated for the one path, and the
 * summary the UI draws (cost, per-layer choices and probabilities).
 */
import { countCost } from '../cost/count.ts';
import { recalibrateBatchNorm } from '../finetune/recalibrate.ts';
import { sizeBytesOf } from '../finetune/model-size.ts';
import { subsampledSource } from '../finetune/subsampled-source.ts';
import type { BatchSource } from '../data/source.ts';
import type { NasModel } from '../model/model.ts';
import { Rng } from '../rng.ts';
import type { LayerLayout } from '../search/run-layout.ts';
import type { SearchTrainer } from '../search/trainer.ts';
import { deriveFromSearch, pickChoices, searchLayers, searchProbs } from './from-search.ts';
import { checkManual, sampleSeed } from './sampling.ts';
import type { DeriveMode, ResultsArchSummary, ResultsV2Choice } from './types.ts';

export interface DeriveRequest {
  mode: DeriveMode;
  /** Manual mode: one candidate index per searchable layer. */
  choices?: number[];
  /** Sample mode: how many samples this run has drawn, this one included (varies the seed per click). */
  draw?: number;
}

/** The UI's summary of a derived model: its cost and, per searchable layer, the choice and probabilities. */
export function summarizeDerived(input: {
  model: NasModel;
  mode: DeriveMode;
  choices: number[];
  probs: number[][];
  layers: LayerLayout[];
  v2: ResultsV2Choice | null;
  searchInputSize: number;
  searchStep: number;
}): ResultsArchSummary {
  const { model, v2 } = input;
  const cost = countCost(model.arch);
  const summary: ResultsArchSummary = {
    arch: model.arch,
    mode: input.mode,
    choices: input.choices,
    layers: input.layers.map((layer, l) => ({
      index: layer.index,
      out: v2 ? v2.widths[l] : layer.out,
      stride: layer.stride,
      candidates: layer.candidates,
      probs: input.probs[l],
      chosen: input.choices[l],
    })),
    macs: cost.macs,
    params: cost.params,
    bytes: sizeBytesOf(cost.params),
    inputSize: v2 ? model.arch.input.size : input.searchInputSize,
    searchStep: input.searchStep,
  };
  if (v2) summary.v2 = v2;
  return summary;
}

/**
 * The data as a derived network takes it: the search's data, subsampled when FBNetV2 chose a lower
 * resolution. Every consumer of a derived network (Results, the report, the sweep's standalone check, the
 * export's parity check) gets its images here. Throws when `source` is not the data the network was derived
 * on (its subsampled side is not the network's input side).
 */
export function derivedSource(source: BatchSource, summary: ResultsArchSummary): BatchSource {
  const factor = summary.v2?.factor ?? 1;
  const s = subsampledSource(source, factor);
  const want = summary.arch.input.size;
  if (s.inputSize !== want) {
    throw new Error(
      `The data is ${source.inputSize}x${source.inputSize}` +
        (factor > 1 ? ` (${s.inputSize}x${s.inputSize} subsampled by ${factor})` : '') +
        `, the derived network ${summary.arch.name} takes ${want}x${want}`,
    );
  }
  return s;
}

/**
 * A plain network from the search's current state (argmax, a seeded sample, or manual block choices),
 * weights inherited and BatchNorm statistics recalibrated: the supernet's statistics describe the
 * candidate mixture, not this path.
 */
export async function deriveSubnet(
  t: SearchTrainer,
  request: DeriveRequest,
): Promise<{ model: NasModel; summary: ResultsArchSummary }> {
  const probs = await searchProbs(t);
  const rng =
    request.mode === 'sample'
      ? new Rng(sampleSeed(t.config.seeds.gumbel, t.stepsDone, request.draw ?? 1))
      : null;
  if (request.mode === 'manual') checkManual(probs, request.choices);
  const choices = await pickChoices(t, request.mode, { rng: rng ?? undefined, manual: request.choices });
  const picked = choices.blocks;
  const name = `${t.config.space}-${request.mode}-step${t.stepsDone}`;
  const { model, v2 } = await deriveFromSearch(t, choices, name);
  const summary = summarizeDerived({
    model,
    mode: request.mode,
    choices: picked,
    probs,
    layers: searchLayers(t),
    v2,
    searchInputSize: t.config.inputSize,
    searchStep: t.stepsDone,
  });
  try {
    await recalibrateBatchNorm(model, derivedSource(t.source, summary), {
      batchSize: t.config.train.batchSize,
    });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, summary };
}
