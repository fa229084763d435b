/**
 * From a search space to concrete networks: apply the user's per-layer candidate edits, and turn one
 * choice per searchable layer into a plain Arch (what the search hands to retraining and export).
 */
import { candidateSpec, hasCandidate } from '../arch/candidates.ts';
import { isSearchLayer } from '../arch/spec.ts';
import type { Arch, BlockSpec, SearchLayerSpec, SearchSpace } from '../arch/spec.ts';

/** Body indices of the searchable layers, in order. */
export function searchLayerIndices(space: SearchSpace): number[] {
  const out: number[] = [];
  space.body.forEach((b, i) => {
    if (isSearchLayer(b)) out.push(i);
  });
  return out;
}

function checkLayer(space: SearchSpace, index: number, layer: SearchLayerSpec): void {
  if (layer.candidates.length === 0) {
    throw new Error(`Space "${space.id}": searchable layer ${index} has no candidates`);
  }
  const seen = new Set<string>();
  for (const name of layer.candidates) {
    if (!hasCandidate(name)) {
      throw new Error(`Space "${space.id}": unknown candidate "${name}" at searchable layer ${index}`);
    }
    if (seen.has(name)) {
      throw new Error(`Space "${space.id}": candidate "${name}" listed twice at searchable layer ${index}`);
    }
    seen.add(name);
  }
}

/**
 * The space with `edits` (body index -> candidate names) applied to its searchable layers. Every name is
 * checked against the candidate library; a bad layer index or name throws an error naming it.
 */
export function resolveSpace(space: SearchSpace, edits: Record<number, string[]> = {}): SearchSpace {
  for (const key of Object.keys(edits)) {
    const i = Number(key);
    const layer = space.body[i];
    if (!Number.isInteger(i) || !layer) {
      throw new Error(`Space "${space.id}": candidate edit for body index ${key}, which does not exist`);
    }
    if (!isSearchLayer(layer)) {
      throw new Error(`Space "${space.id}": body index ${i} is a fixed ${layer.kind} block, not searchable`);
    }
  }
  const body = space.body.map((b, i) => {
    if (!isSearchLayer(b)) return b;
    const edited = edits[i];
    const layer: SearchLayerSpec = edited ? { ...b, candidates: [...edited] } : b;
    checkLayer(space, i, layer);
    return layer;
  });
  return { ...space, body };
}

/** A plain network: choices[j] indexes the candidates of the j-th searchable layer. */
export function archFromChoices(space: SearchSpace, choices: number[], name: string): Arch {
  const layers = searchLayerIndices(space);
  if (choices.length !== layers.length) {
    throw new Error(
      `Space "${space.id}" has ${layers.length} searchable layers, got ${choices.length} choices`,
    );
  }
  let j = 0;
  const body: BlockSpec[] = space.body.map((b, i) => {
    if (!isSearchLayer(b)) return b;
    const c = choices[j++];
    const cand = b.candidates[c];
    if (!Number.isInteger(c) || cand === undefined) {
      throw new Error(`Space "${space.id}": choice ${c} out of range at searchable layer ${i}`);
    }
    return candidateSpec(cand, b.out, b.stride);
  });
  return { name, input: { ...space.input }, body, head: structuredClone(space.head) };
}
