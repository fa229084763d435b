/**
 * Costs of a search space split the way the FBNet loss needs them: the fixed part (stem, fixed blocks,
 * head) once, and for every searchable layer the cost of each candidate at that layer's input shape.
 * The expected cost under the architecture distribution is then fixed + sum_l sum_i p[l][i] * cost[l][i].
 */
import { lowerCandidate } from '../arch/lower.ts';
import { isSearchLayer } from '../arch/spec.ts';
import type { SearchSpace } from '../arch/spec.ts';
import { resolveSpace } from '../spaces/derive.ts';
import { blockCost, headCost, opsCost } from './count.ts';
import type { Cost, Shape } from './count.ts';

export interface CandidateCostRow {
  /** Index of the searchable layer in space.body. */
  layer: number;
  candidates: string[];
  macs: number[];
  params: number[];
  inShape: Shape;
  outShape: Shape;
}

interface Walk {
  rows: CandidateCostRow[];
  fixed: Cost;
}

function walk(space: SearchSpace, inputSize: number): Walk {
  let x: Shape = { h: inputSize, w: inputSize, c: space.input.channels };
  const outs: Shape[] = [];
  const rows: CandidateCostRow[] = [];
  const fixed: Cost = { macs: 0, params: 0 };
  space.body.forEach((b, i) => {
    if (isSearchLayer(b)) {
      const costs = b.candidates.map((name) => {
        const part = lowerCandidate(b, name, x);
        return { name, ...opsCost(part.ops), out: part.out.shape };
      });
      const out = costs[0].out;
      for (const c of costs) {
        if (c.out.h !== out.h || c.out.w !== out.w || c.out.c !== out.c) {
          throw new Error(
            `Space "${space.id}", layer ${i}: candidate "${c.name}" gives ${c.out.h}x${c.out.w}x${c.out.c}, ` +
              `"${costs[0].name}" gives ${out.h}x${out.w}x${out.c}`,
          );
        }
      }
      rows.push({
        layer: i,
        candidates: [...b.candidates],
        macs: costs.map((c) => c.macs),
        params: costs.map((c) => c.params),
        inShape: x,
        outShape: out,
      });
      x = out;
    } else {
      const c = blockCost(b, x);
      fixed.macs += c.macs;
      fixed.params += c.params;
      x = c.out;
    }
    outs.push(x);
  });
  const h = headCost(space.head, x, outs);
  fixed.macs += h.macs;
  fixed.params += h.params;
  return { rows, fixed };
}

/** Per-candidate MACs/params of every searchable layer, after applying `edits` (body index -> names). */
export function candidateCostTable(
  space: SearchSpace,
  edits: Record<number, string[]> = {},
  inputSize: number = space.input.size,
): CandidateCostRow[] {
  return walk(resolveSpace(space, edits), inputSize).rows;
}

/** Cost of everything that is not searched: stem, fixed blocks and head. */
export function fixedCost(space: SearchSpace, inputSize: number = space.input.size): Cost {
  return walk(resolveSpace(space), inputSize).fixed;
}

/** fixed + sum over layers and candidates of p[l][i] * cost[l][i]; probs[l] lines up with table[l]. */
export function expectedCost(table: CandidateCostRow[], probs: number[][], fixed: Cost): Cost {
  if (probs.length !== table.length) {
    throw new Error(`expectedCost: ${table.length} searchable layers but ${probs.length} probability rows`);
  }
  let macs = fixed.macs;
  let params = fixed.params;
  table.forEach((row, l) => {
    const p = probs[l];
    if (p.length !== row.candidates.length) {
      throw new Error(
        `expectedCost: layer ${row.layer} has ${row.candidates.length} candidates, ${p.length} probs`,
      );
    }
    for (let i = 0; i < p.length; i++) {
      macs += p[i] * row.macs[i];
      params += p[i] * row.params[i];
    }
  });
  return { macs, params };
}
