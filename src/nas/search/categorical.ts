/**
 * The one inverse-CDF categorical draw of the project (sampling an architecture from softmax(θ) and the
 * like): the first index whose cumulative probability exceeds u ∈ [0, 1), the last index if rounding leaves
 * the sum below u. Training steps draw with the Gumbel-max trick instead (gumbel.ts).
 */
import type { Rng } from '../rng.ts';

export function sampleIndex(p: ArrayLike<number>, u: number): number {
  let acc = 0;
  for (let i = 0; i < p.length; i++) {
    acc += p[i];
    if (u < acc) return i;
  }
  return p.length - 1;
}

/** One draw per row, in row order, one rng.next() each. */
export function sampleRows(rows: ArrayLike<number>[], rng: Rng): number[] {
  return rows.map((p) => sampleIndex(p, rng.next()));
}
