/**
 * The architecture a search arrived at: per searchable layer the most likely candidate (argmax θ, what
 * FBNet reports) or a draw from softmax(θ) (FBNet samples several and retrains the best).
 */
import type { Arch } from '../arch/spec.ts';
import type { Rng } from '../rng.ts';
import { getWeights, type WeightMap } from '../model/weights.ts';
import { archFromChoices } from '../spaces/derive.ts';
import { argmax } from './gumbel.ts';
import { sampleIndex, sampleRows } from './categorical.ts';
import { countCost } from '../cost/count.ts';
import type { ArchChoices, SearchNet } from './search-net.ts';

import type { Supernet } from './supernet.ts';
import type { SearchTrainer } from './trainer.ts';

export { sampleIndex };

export interface DerivedArch {
  arch: Arch;
  /** Chosen candidate index per searchable layer. */
  choices: number[];
  /** Chosen candidate name per searchable layer. */
  names: string[];
  /** softmax(θ) per searchable layer. */
  probs: number[][];
  /** Probability of this architecture under the search distribution: Π_l p_l[choice_l]. */
  probability: number;
}

/** V1 derivation of block choices (a V1 Supernet, or a trainer's search network's blocks). */
export async function deriveArch(
  from: Supernet | SearchNet | SearchTrainer,
  mode: 'argmax' | 'sample' = 'argmax',
  rng?: Rng,
  name = 'searched',
): Promise<DerivedArch> {
  const net = 'net' in from ? from.net : from;
  const layers = 'mixed' in net ? net.mixed : net.layers;
  const probs = await net.probs();
  let choices: number[];
  if (mode === 'argmax') {
    choices = probs.map((p) => argmax(p));
  } else {
    if (!rng) throw new Error('Sampling an architecture needs an Rng');
    choices = probs.map((p) => sampleIndex(p, rng.next()));
  }
  const arch = archFromChoices(net.space, choices, name);
  return {
    arch,
    choices,
    names: choices.map((c, l) => layers[l].candidates[c]),
    probs,
    probability: choices.reduce((s, c, l) => s * probs[l][c], 1),
  };
}

/**
 * The supernet's weights for one architecture, named as createModel names the plain network: the chosen
 * candidate's `body/{i}/{candidate}/...` becomes `body/{i}/...`; fixed blocks and the head keep their names.
 * Loading them into createModel(arch) reproduces the supernet's output with those choices (a warm start for
 * retraining, as NNI's FBNet example does).
 */
export async function subnetWeights(supernet: Supernet, choices: number[]): Promise<WeightMap> {
  if (choices.length !== supernet.mixed.length) {
    throw new Error(`Expected ${supernet.mixed.length} choices, got ${choices.length}`);
  }
  const unchosen = new Set<string>();
  const rename = new Map<string, string>();
  supernet.mixed.forEach((layer, l) => {
    layer.candidates.forEach((cand, i) => {
      const from = `body/${layer.bodyIndex}/${cand}/`;
      if (i === choices[l]) rename.set(from, `body/${layer.bodyIndex}/`);
      else unchosen.add(from);
    });
  });
  const all = await getWeights(supernet.weightParams());
  const out: WeightMap = {};
  for (const [name, w] of Object.entries(all)) {
    const prefix = name.split('/').slice(0, 3).join('/') + '/';
    if (unchosen.has(prefix)) continue;
    const to = rename.get(prefix);
    out[to ? to + name.slice(prefix.length) : name] = { shape: [...w.shape], data: w.data.slice() };
  }
  return out;
}

/** A derived architecture of a search network, with what the views show of it. */
export interface NetDerivation {
  arch: Arch;
  /** Every dimension's choice (blocks, and the strategy's widths, resolution …). */
  choices: ArchChoices;
  /** softmax(θ) of the chosen block per searchable layer. */
  probs: number[];
  /** Counted cost of `arch` at its own input size. */
  macs: number;
  params: number;
}

/**
 * The architecture of `net` with argmax blocks or blocks drawn from softmax(θ) (one inverse-CDF draw per
 * layer from `rng`), every other searched dimension at its argmax.
 */
export async function deriveBlocks(
  net: SearchNet,
  mode: 'argmax' | 'sample',
  rng: Rng | null,
  name: string,
): Promise<NetDerivation> {
  const probs = await net.probs();
  let blocks: number[];
  if (mode === 'argmax') blocks = probs.map((p) => argmax(p));
  else {
    if (!rng) throw new Error('Sampling an architecture needs an Rng');
    blocks = sampleRows(probs, rng);
  }
  const choices = await net.choicesWithBlocks(blocks);
  const { arch } = net.deriveArch(choices, name);
  const cost = countCost(arch);
  return { arch, choices, probs: blocks.map((c, l) => probs[l][c]), macs: cost.macs, params: cost.params };
}
