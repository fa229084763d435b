/** The seed of a derivation's sample and the check of hand-picked choices. */

/**
 * Seed of the `draw`-th sample taken at `searchStep` of a run seeded `gumbelSeed`: reproducible for the
 * same run and click count, yet each click differs.
 */
export function sampleSeed(gumbelSeed: number, searchStep: number, draw: number): number {
  return (gumbelSeed * 7919 + searchStep * 31 + draw) >>> 0;
}

/** Throws unless `manual` gives one existing candidate index per searchable layer. */
export function checkManual(probs: number[][], manual: number[] | undefined): asserts manual is number[] {
  if (!manual || manual.length !== probs.length)
    throw new Error(`Give one choice for each of the ${probs.length} searchable layers.`);
  manual.forEach((c, l) => {
    if (!Number.isInteger(c) || c < 0 || c >= probs[l].length)
      throw new Error(`Layer ${l} has no candidate ${c}.`);
  });
}
