/** How the results stage picks block choices from the search's probabilities. */
import type { Rng } from '../rng.ts';
import { argmax } from '../search/gumbel.ts';
import type { DeriveMode } from './types.ts';

/**
 * One categorical draw from each row of probabilities by inverse CDF with a single uniform: the first
 * index where the running sum reaches u; the last index when rounding leaves u above the total.
 */
export function sampleRows(rows: number[][], rng: Rng): number[] {
  return rows.map((p) => {
    let u = rng.next();
    for (let i = 0; i < p.length; i++) if ((u -= p[i]) <= 0) return i;
    return p.length - 1;
  });
}

/**
 * Seed of the `draw`-th sample taken at `searchStep` of a run seeded `gumbelSeed`: reproducible for the
 * same run and click count, yet each click differs.
 */
export function sampleSeed(gumbelSeed: number, searchStep: number, draw: number): number {
  return (gumbelSeed * 7919 + searchStep * 31 + draw) >>> 0;
}

/**
 * The block choice of every layer: argmax of its probabilities, a draw with `rng`, or `manual` as given.
 * Throws when a required input is missing or the manual choices do not fit the layers.
 */
export function pickBlocks(
  mode: DeriveMode,
  probs: number[][],
  input: { rng?: Rng; manual?: number[] } = {},
): number[] {
  if (mode === 'argmax') return probs.map((p) => argmax(p));
  if (mode === 'sample') {
    if (!input.rng) throw new Error('Sampling needs a random stream');
    return sampleRows(probs, input.rng);
  }
  const manual = input.manual;
  if (!manual || manual.length !== probs.length)
    throw new Error(`Give one choice for each of the ${probs.length} searchable layers.`);
  manual.forEach((c, l) => {
    if (!Number.isInteger(c) || c < 0 || c >= probs[l].length)
      throw new Error(`Layer ${l} has no candidate ${c}.`);
  });
  return [...manual];
}
