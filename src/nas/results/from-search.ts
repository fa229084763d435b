/**
 * Everything the results stage reads from a finished (or paused) search, in one place: the probabilities,
 * the searchable layers, derivation to a plain network with inherited weights, the cost the search
 * optimized at its distribution, and the supernet that argmax validation runs. This is the only results
 * file that knows the trainer's strategy-specific parts (V1's `supernet`, FBNetV2's `masked`), so moving to
 * a common search-net interface means porting these functions and nothing else.
 */
import * as tf from '@tensorflow/tfjs';
import type { Task } from '../arch/spec.ts';
import { candidateCostTable, expectedCost, fixedCost } from '../cost/table.ts';
import type { Cost } from '../cost/count.ts';
import { inheritWeights } from '../finetune/inherit.ts';
import type { NasModel } from '../model/model.ts';
import type { Rng } from '../rng.ts';
import { softmaxArray } from '../search/gumbel.ts';
import type { Supernet } from '../search/supernet.ts';
import type { SearchTrainer } from '../search/trainer.ts';
import { argmaxChoices, deriveModel, type MaskedChoices } from '../v2/derive.ts';
import { effectiveCost } from '../v2/effective-shape.ts';
import type { MaskedMix, MaskedSupernet } from '../v2/masked-supernet.ts';
import { sampleRows } from './sampling.ts';
import type { ResultsV2Choice } from './types.ts';

/** A searchable layer as the results list it. */
export interface SearchLayerInfo {
  /** Body index in the space. */
  index: number;
  /** Output channels in the space (the widest option when widths are searched). */
  out: number;
  stride: number;
  candidates: string[];
}

/** The task the search's network solves. */
export function searchTask(t: SearchTrainer): Task {
  return t.supernet.task;
}

/** softmax(θ) of every searchable layer's block choice. */
export function searchProbs(t: SearchTrainer): Promise<number[][]> {
  return t.supernet.probs();
}

export function searchLayers(t: SearchTrainer): SearchLayerInfo[] {
  const net = t.supernet;
  return net.mixed.map((m) => {
    const spec = net.space.body[m.bodyIndex];
    return {
      index: m.bodyIndex,
      out: spec.kind === 'search' ? spec.out : 0,
      stride: spec.kind === 'search' ? spec.stride : 1,
      candidates: [...m.candidates],
    };
  });
}

/** The network whose argmax path validation scores (V1: the supernet; FBNetV2: its V1-shaped view). */
export function validationSupernet(t: SearchTrainer): Supernet {
  return t.supernet;
}

export interface DerivedFromSearch {
  /** Owns its variables: later steps of the search do not touch it. */
  model: NasModel;
  /** FBNetV2 only: the other dimensions chosen (null for V1). */
  v2: ResultsV2Choice | null;
}

/**
 * The plain network of the block choices `blocks`, weights inherited from the supernet. FBNetV2 also picks
 * every width, expansion and the resolution: drawn from their softmax with `rng` (sampling, continuing the
 * same stream as the block draws), else at their argmax.
 */
export async function deriveFromSearch(
  t: SearchTrainer,
  blocks: number[],
  rng: Rng | null,
  name: string,
): Promise<DerivedFromSearch> {
  if (!t.masked) return { model: inheritWeights(t.supernet, blocks, name), v2: null };
  const net = t.masked;
  const choices: MaskedChoices = rng
    ? { ...(await sampleOtherDimensions(net, rng)), blocks }
    : { ...(await argmaxChoices(net)), blocks };
  const { model, derived } = await deriveModel(net, choices, name);
  const widths = net.layers.map((l) => {
    const spec = derived.arch.body[l.bodyIndex];
    return spec.kind === 'dwpool' ? 0 : spec.out;
  });
  return {
    model,
    v2: { choices: derived.choices, widths, factor: derived.factor, searchInputSize: t.config.inputSize },
  };
}

/** One draw from the softmax of every width, then every expansion logit, then the resolution's. */
async function sampleOtherDimensions(net: MaskedSupernet, rng: Rng): Promise<Omit<MaskedChoices, 'blocks'>> {
  const draw = async (v: tf.Variable | null | undefined) =>
    v ? sampleRows([softmaxArray(await v.data())], rng)[0] : undefined;
  const widths: (number | undefined)[] = [];
  const expansions: (number | undefined)[] = [];
  for (const l of net.layers) widths.push(await draw(l.widthSearch?.logits));
  for (const l of net.layers) expansions.push(await draw(l.expansionSearch?.logits));
  return { widths, expansions, resolution: (await draw(net.resolution?.logits)) ?? 0 };
}

export interface ExpectedSearchCost {
  cost: Cost;
  /** How the cost was obtained, in words for the comparison table. */
  basis: string;
}

/** The cost the search optimized, at its distribution instead of a Gumbel sample (`probs`: searchProbs). */
export async function expectedSearchCost(t: SearchTrainer, probs: number[][]): Promise<ExpectedSearchCost> {
  if (t.masked) {
    return {
      cost: await softEffectiveCost(t.masked),
      basis: 'FBNetV2 effective cost under the softmax of every architecture logit',
    };
  }
  const size = t.config.inputSize;
  const table = candidateCostTable(t.space, t.config.candidateEdits, size);
  return {
    cost: expectedCost(table, probs, fixedCost(t.space, size)),
    basis: 'cost expected under softmax(θ)',
  };
}

/** The search's latency-table cost rows and fixed part (ms), or null when it did not search for latency. */
export function searchLatencyTable(t: SearchTrainer): { rows: number[][]; fixed: number } | null {
  if (t.config.loss.cost !== 'latency') return null;
  return { rows: t.options.costTable, fixed: t.options.fixedCost };
}

/**
 * FBNetV2's differentiable cost with every search's softmax as its weights: the cost the search optimized,
 * at the distribution instead of a Gumbel sample.
 */
async function softEffectiveCost(net: MaskedSupernet): Promise<Cost> {
  const soft = (v: tf.Variable | null | undefined) => (v ? (tf.softmax(v) as tf.Tensor1D) : undefined);
  const mix: MaskedMix = {
    blocks: net.layers.map((l) => tf.softmax(l.theta) as tf.Tensor1D),
    widths: net.layers.map((l) => soft(l.widthSearch?.logits)),
    expansions: net.layers.map((l) => soft(l.expansionSearch?.logits)),
    resolution: soft(net.resolution?.logits),
  };
  const cost = effectiveCost(net.plan, mix);
  try {
    const [macs, params] = await Promise.all([cost.macs.data(), cost.params.data()]);
    return { macs: macs[0], params: params[0] };
  } finally {
    const parts = [...mix.blocks, ...(mix.widths ?? []), ...(mix.expansions ?? []), mix.resolution];
    tf.dispose([cost.macs, cost.params, ...parts.filter((p): p is tf.Tensor1D => p instanceof tf.Tensor)]);
  }
}
