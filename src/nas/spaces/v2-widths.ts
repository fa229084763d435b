/**
 * FBNetV2 width options for an existing space: every searchable layer gets `widths` derived from fractions
 * of its own output width. The layer's `out` is always included and is the largest option, so the masked
 * supernet's tensors have V1's shapes (weights and checkpoints stay interchangeable at full width).
 */
import type { SearchSpace } from '../arch/spec.ts';

/** Ascending distinct channel counts max(1, round(out · f)) for f in (0, 1], plus out itself. */
export function widthOptions(out: number, fractions: number[]): number[] {
  const set = new Set<number>([out]);
  for (const f of fractions) {
    if (!(f > 0 && f <= 1)) throw new Error(`Width fraction ${f} is outside (0, 1]`);
    set.add(Math.max(1, Math.round(out * f)));
  }
  return [...set].sort((a, b) => a - b);
}

/** A copy of `space` whose searchable layers search their width (existing `widths` are replaced). */
export function withWidthOptions(space: SearchSpace, fractions: number[]): SearchSpace {
  return {
    ...space,
    body: space.body.map((entry) =>
      entry.kind === 'search' ? { ...entry, widths: widthOptions(entry.out, fractions) } : entry,
    ),
  };
}
