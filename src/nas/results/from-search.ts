/**
 * Everything the results stage reads from a finished (or paused) search, through the search-net interface
 * (search/search-net.ts): the probabilities, the searchable layers, derivation to a plain network with
 * inherited weights, and the cost the search optimized at its distribution. Nothing here asks which
 * strategy ran.
 */
import type { Task } from '../arch/spec.ts';
import type { Cost } from '../cost/count.ts';
import type { NasModel } from '../model/model.ts';
import type { Rng } from '../rng.ts';
import type { ArchChoices } from '../search/search-net.ts';
import type { SearchTrainer } from '../search/trainer.ts';
import { layerLayouts, type LayerLayout } from '../search/run-layout.ts';
import type { DeriveMode, ResultsV2Choice } from './types.ts';
import type { MaskedChoices } from '../v2/derive.ts';

/** The task the search's network solves. */
export function searchTask(t: SearchTrainer): Task {
  return t.net.task;
}

/** softmax(θ) of every searchable layer's block choice. */
export function searchProbs(t: SearchTrainer): Promise<number[][]> {
  return t.net.probs();
}

/** The searchable layers (body index, widest output, stride, candidates). */
export function searchLayers(t: SearchTrainer): LayerLayout[] {
  return layerLayouts(t.net);
}

/**
 * The architecture a derivation asks for: argmax of every architecture variable, one draw of every
 * dimension with `rng` (blocks first), or hand-picked blocks with every other dimension at its argmax.
 */
export function pickChoices(
  t: SearchTrainer,
  mode: DeriveMode,
  input: { rng?: Rng; manual?: number[] },
): Promise<ArchChoices> {
  if (mode === 'argmax') return t.net.argmaxChoices();
  if (mode === 'sample') {
    if (!input.rng) throw new Error('Sampling needs a random stream');
    return t.net.sampleChoices(input.rng);
  }
  return t.net.choicesWithBlocks(input.manual ?? []);
}

export interface DerivedFromSearch {
  /** Owns its variables: later steps of the search do not touch it. */
  model: NasModel;
  /** Searches that choose more than blocks (FBNetV2): the other dimensions chosen, else null. */
  v2: ResultsV2Choice | null;
}

/** The plain network of `choices`, weights inherited (copied or sliced) from the supernet. */
export async function deriveFromSearch(
  t: SearchTrainer,
  choices: ArchChoices,
  name: string,
): Promise<DerivedFromSearch> {
  const { model, derived } = await t.net.deriveModel(choices, name);
  // a search with dimensions beyond the block choice reports them (and the widths they gave each layer)
  if (Object.keys(derived.choices).every((k) => k === 'blocks')) return { model, v2: null };
  const widths = t.net.layers.map((l) => {
    const spec = derived.arch.body[l.bodyIndex];
    return spec.kind === 'dwpool' ? 0 : spec.out;
  });
  return {
    model,
    v2: {
      choices: derived.choices as MaskedChoices,
      widths,
      factor: derived.factor,
      searchInputSize: t.config.inputSize,
    },
  };
}

export interface ExpectedSearchCost {
  cost: Cost;
  /** How the cost was obtained, in words for the comparison table. */
  basis: string;
}

/** The cost the search optimized, at its distribution instead of a Gumbel sample. */
export async function expectedSearchCost(t: SearchTrainer): Promise<ExpectedSearchCost> {
  return { cost: await t.net.softCost(), basis: t.net.softCostBasis };
}

/** The search's latency-table cost rows and fixed part (ms), or null when it did not search for latency. */
export function searchLatencyTable(t: SearchTrainer): { rows: number[][]; fixed: number } | null {
  if (t.config.loss.cost !== 'latency') return null;
  return { rows: t.options.costTable, fixed: t.options.fixedCost };
}
