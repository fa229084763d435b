/**
 * An architecture as a list of integer tokens, the encoding of PaddleSlim's SANAS: token i takes values
 * 0 .. ranges[i] − 1 (the range table's exclusive upper bounds; lower bounds are always 0 here), and a
 * decoder turns a token list into a concrete Arch. Every sample-based strategy (sanas.ts,
 * aging-evolution.ts, random-search.ts) searches a TokenSpace and never looks inside the decoder.
 */
import type { Arch } from '../arch/spec.ts';
import type { Rng } from '../rng.ts';

export interface TokenSpace {
  id: string;
  title: string;
  /** Exclusive upper bound of every token (the range table). */
  ranges: number[];
  /** What each token decides, for the UI. */
  labels: string[];
  /** PaddleSlim-style initial tokens, when the space has a hand-picked starting point. */
  init?: number[];
  decode(tokens: readonly number[]): Arch;
}

/** The key of a token list in seen sets and caches. */
export function tokenKey(tokens: readonly number[]): string {
  return tokens.join(',');
}

/** Throws a message naming the first token outside its range (or a length mismatch). */
export function checkTokens(space: Pick<TokenSpace, 'ranges' | 'id'>, tokens: readonly number[]): void {
  if (tokens.length !== space.ranges.length) {
    throw new Error(`Space "${space.id}" has ${space.ranges.length} tokens, got ${tokens.length}`);
  }
  tokens.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 0 || t >= space.ranges[i]) {
      throw new Error(
        `Token ${i} of space "${space.id}" must be an integer in [0, ${space.ranges[i]}), got ${t}`,
      );
    }
  });
}

/** How many token lists the space holds. */
export function spaceSize(ranges: readonly number[]): number {
  return ranges.reduce((a, r) => a * r, 1);
}

/** Every token uniform in its range. */
export function randomTokens(ranges: readonly number[], rng: Rng): number[] {
  return ranges.map((r) => rng.int(r));
}

/**
 * One token changed uniformly at random: the position uniform among those with more than one value, the
 * new value uniform among the position's other values (so the result always differs in exactly one token).
 */
export function mutateOneToken(tokens: readonly number[], ranges: readonly number[], rng: Rng): number[] {
  const movable = ranges.map((r, i) => (r > 1 ? i : -1)).filter((i) => i >= 0);
  if (movable.length === 0) throw new Error('No token can change: every range holds a single value');
  const i = movable[rng.int(movable.length)];
  const step = 1 + rng.int(ranges[i] - 1);
  const out = [...tokens];
  out[i] = (tokens[i] + step) % ranges[i];
  return out;
}

/** Every token list that differs from `tokens` in exactly one token. */
export function oneTokenNeighbours(tokens: readonly number[], ranges: readonly number[]): number[][] {
  const out: number[][] = [];
  ranges.forEach((r, i) => {
    for (let v = 0; v < r; v++) {
      if (v === tokens[i]) continue;
      const t = [...tokens];
      t[i] = v;
      out.push(t);
    }
  });
  return out;
}

/** Spaces up to this many token lists are listed exhaustively when random draws keep colliding. */
export const ENUMERABLE_SPACE = 100_000;

/** Every token list of a small space (empty above ENUMERABLE_SPACE: too many to list). */
export function allTokenLists(ranges: readonly number[]): number[][] {
  if (spaceSize(ranges) > ENUMERABLE_SPACE) return [];
  let out: number[][] = [[]];
  for (const r of ranges) out = out.flatMap((t) => Array.from({ length: r }, (_, v) => [...t, v]));
  return out;
}
