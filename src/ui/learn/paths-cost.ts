/**
 * What one search step costs in each Gumbel path mode, from the engine's cost table (the counter that
 * build, export and the loss read): FBNet's all-paths mixture (Wu et al. 2019) runs every candidate of
 * every searchable layer; GDAS's single path (Dong & Yang 2019) runs one drawn candidate per layer. The
 * single path's cost depends on the draw, so it is given as its expectation under softmax(θ) (uniform at
 * the start of a search) with the cheapest and dearest draws around it.
 */
import type { candidateCostTable, Cost } from '../../nas/index.ts';

export type CostRow = ReturnType<typeof candidateCostTable>[number];

export interface PathsCost {
  /** Searchable layers (one block each on a single path). */
  layers: number;
  /** Candidate blocks run per image: all paths. */
  allBlocks: number;
  /** Forward MACs per image. */
  allMacs: number;
  singleMacs: { expected: number; min: number; max: number };
}

/** probs[l]: the draw's distribution at layer l; absent: uniform (θ = 0, where every search starts). */
export function pathsCost(table: CostRow[], fixed: Cost, probs?: number[][]): PathsCost {
  let allMacs = fixed.macs;
  let expected = fixed.macs;
  let min = fixed.macs;
  let max = fixed.macs;
  let allBlocks = 0;
  table.forEach((row, l) => {
    const n = row.macs.length;
    const p = probs?.[l] ?? row.macs.map(() => 1 / n);
    allBlocks += n;
    for (let i = 0; i < n; i++) {
      allMacs += row.macs[i];
      expected += p[i] * row.macs[i];
    }
    min += Math.min(...row.macs);
    max += Math.max(...row.macs);
  });
  return { layers: table.length, allBlocks, allMacs, singleMacs: { expected, min, max } };
}
