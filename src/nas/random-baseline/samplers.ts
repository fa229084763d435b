/**
 * Random architectures for the baseline: uniform over the space, or uniform over the networks whose MACs
 * lie in a band around the searched one's (cost-matched). Every draw comes from the given Rng; the
 * networks returned are distinct (by their plain network, not merely their choices) and never one of
 * `exclude`. A small space is listed in full and sampled without replacement, so "the band holds only N"
 * is exact; a big one is rejection-sampled with at most `maxTries` draws, so fewer than asked may come
 * back even though more exist. Either way the caller gets what was found and decides what to say.
 */
import type { Rng } from '../rng.ts';
import type { BaselineSpace, SpacePoint } from './baseline-space.ts';
import type { BaselineChoices } from './types.ts';

/** Draws per requested network in a big space, and at least this many in all. */
export const TRIES_PER_NETWORK = 500;
export const MIN_TRIES = 5_000;

export interface CostBand {
  low: number;
  high: number;
}

export function inBand(macs: number, band: CostBand): boolean {
  return macs >= band.low && macs <= band.high;
}

function excludedKeys(space: BaselineSpace, exclude: readonly BaselineChoices[]): Set<string> {
  return new Set(exclude.map((c) => space.point(c).key));
}

/** `count` distinct points of `pool` drawn without replacement (a partial Fisher–Yates shuffle). */
function pick(pool: SpacePoint[], count: number, rng: Rng): SpacePoint[] {
  const a = [...pool];
  const n = Math.min(count, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(a.length - i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, n);
}

function sample(
  space: BaselineSpace,
  count: number,
  rng: Rng,
  exclude: readonly BaselineChoices[],
  accept: (p: SpacePoint) => boolean,
  maxTries: number,
): BaselineChoices[] {
  if (!(Number.isInteger(count) && count >= 0)) throw new Error(`Cannot draw ${count} networks`);
  const skip = excludedKeys(space, exclude);
  const all = space.all();
  if (all)
    return pick(
      all.filter((p) => !skip.has(p.key) && accept(p)),
      count,
      rng,
    ).map((p) => p.choices);
  const out: BaselineChoices[] = [];
  for (let t = 0; t < maxTries && out.length < count; t++) {
    const p = space.point(space.draw(rng));
    if (skip.has(p.key) || !accept(p)) continue;
    skip.add(p.key);
    out.push(p.choices);
  }
  return out;
}

const triesFor = (count: number) => Math.max(MIN_TRIES, TRIES_PER_NETWORK * count);

/** `count` distinct networks drawn uniformly from the space (fewer if the space has fewer). */
export function sampleUniform(
  space: BaselineSpace,
  count: number,
  rng: Rng,
  exclude: readonly BaselineChoices[] = [],
  maxTries = triesFor(count),
): BaselineChoices[] {
  return sample(space, count, rng, exclude, () => true, maxTries);
}

/** `count` distinct networks drawn uniformly from those with band.low ≤ MACs ≤ band.high. */
export function sampleCostMatched(
  space: BaselineSpace,
  count: number,
  band: CostBand,
  rng: Rng,
  exclude: readonly BaselineChoices[] = [],
  maxTries = triesFor(count),
): BaselineChoices[] {
  return sample(space, count, rng, exclude, (p) => inBand(p.macs, band), maxTries);
}

/** Distinct networks in the band that are not excluded, when the space is small enough to list; else null. */
export function bandSize(
  space: BaselineSpace,
  band: CostBand,
  exclude: readonly BaselineChoices[] = [],
): number | null {
  const all = space.all();
  if (!all) return null;
  const skip = excludedKeys(space, exclude);
  return all.filter((p) => !skip.has(p.key) && inBand(p.macs, band)).length;
}
