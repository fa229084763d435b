/**
 * Sobol' low-discrepancy points in [0, 1)^d (Sobol' 1967; Bratley & Fox, ACM TOMS 14, 1988), generated in
 * Gray-code order (Antonov & Saleev 1979): point i differs from point i − 1 by one direction number, the
 * one indexed by the lowest zero bit of i − 1. 32-bit direction numbers, so 2^32 points per dimension.
 *
 * Direction numbers: Joe and Kuo's `new-joe-kuo-6.21201` set (S. Joe and F. Y. Kuo, "Constructing Sobol
 * sequences with better two-dimensional projections", SIAM J. Sci. Comput. 30, 2635–2654, 2008), the set
 * SciPy's `qmc.Sobol` uses; the first 32 dimensions are below (dimension 1 is van der Corput's sequence and
 * takes no numbers). FBNetV3 draws its initial (architecture, recipe) pool this way so that a few dozen
 * samples cover the joint space evenly.
 */

/** Rows for dimensions 2..32: [s (degree), a (inner coefficients as bits), m_1 … m_s]. */
const JOE_KUO: readonly (readonly number[])[] = [
  [1, 0, 1],
  [2, 1, 1, 3],
  [3, 1, 1, 3, 1],
  [3, 2, 1, 1, 1],
  [4, 1, 1, 1, 3, 3],
  [4, 4, 1, 3, 5, 13],
  [5, 2, 1, 1, 5, 5, 17],
  [5, 4, 1, 1, 5, 5, 5],
  [5, 7, 1, 1, 7, 11, 19],
  [5, 11, 1, 1, 5, 1, 1],
  [5, 13, 1, 1, 1, 3, 11],
  [5, 14, 1, 3, 5, 5, 31],
  [6, 1, 1, 3, 3, 9, 7, 49],
  [6, 13, 1, 1, 1, 15, 21, 21],
  [6, 16, 1, 3, 1, 13, 27, 49],
  [6, 19, 1, 1, 1, 15, 7, 5],
  [6, 22, 1, 3, 1, 15, 13, 25],
  [6, 25, 1, 1, 5, 5, 19, 61],
  [7, 1, 1, 3, 7, 11, 23, 15, 103],
  [7, 4, 1, 3, 7, 13, 13, 15, 69],
  [7, 7, 1, 1, 3, 13, 7, 35, 63],
  [7, 8, 1, 3, 5, 9, 1, 25, 53],
  [7, 14, 1, 3, 1, 13, 9, 35, 107],
  [7, 19, 1, 3, 1, 5, 27, 61, 31],
  [7, 21, 1, 1, 5, 11, 19, 41, 61],
  [7, 28, 1, 3, 5, 3, 3, 13, 69],
  [7, 31, 1, 1, 7, 13, 1, 19, 1],
  [7, 32, 1, 3, 7, 5, 13, 19, 59],
  [7, 37, 1, 1, 3, 9, 25, 29, 41],
  [7, 41, 1, 3, 5, 13, 23, 1, 55],
  [7, 42, 1, 3, 7, 3, 13, 59, 17],
];

export const SOBOL_MAX_DIM = JOE_KUO.length + 1;
const BITS = 32;

/** The 32 direction numbers V_1..V_32 of one dimension (0-based dimension index), as uint32. */
export function directionNumbers(dim: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (dim === 0) {
    for (let k = 0; k < BITS; k++) v[k] = 2 ** (BITS - 1 - k);
    return v;
  }
  const [s, a, ...m] = JOE_KUO[dim - 1];
  for (let k = 0; k < s; k++) v[k] = (m[k] * 2 ** (BITS - 1 - k)) >>> 0;
  // v_k = a_1 v_{k-1} ⊕ a_2 v_{k-2} ⊕ … ⊕ a_{s-1} v_{k-s+1} ⊕ v_{k-s} ⊕ (v_{k-s} >> s)
  for (let k = s; k < BITS; k++) {
    let x = (v[k - s] ^ (v[k - s] >>> s)) >>> 0;
    for (let j = 1; j < s; j++) {
      if ((a >>> (s - 1 - j)) & 1) x = (x ^ v[k - j]) >>> 0;
    }
    v[k] = x;
  }
  return v;
}

/** A resumable Sobol' stream; `index` is the number of points drawn so far (the state to save). */
export class Sobol {
  private readonly v: Uint32Array[];
  private readonly x: Uint32Array;
  private count = 0;

  constructor(
    readonly dims: number,
    skip = 0,
  ) {
    if (!Number.isInteger(dims) || dims < 1 || dims > SOBOL_MAX_DIM) {
      throw new Error(`Sobol points need 1..${SOBOL_MAX_DIM} dimensions, got ${dims}`);
    }
    this.v = Array.from({ length: dims }, (_, d) => directionNumbers(d));
    this.x = new Uint32Array(dims);
    for (let i = 0; i < skip; i++) this.next();
  }

  get index(): number {
    return this.count;
  }

  /** The next point; the first is the origin. */
  next(): number[] {
    if (this.count > 0) {
      // lowest zero bit of count − 1
      let c = 0;
      let n = this.count - 1;
      while (n & 1) {
        n >>>= 1;
        c++;
      }
      if (c >= BITS) throw new Error('The Sobol sequence is exhausted (2^32 points)');
      for (let d = 0; d < this.dims; d++) this.x[d] = (this.x[d] ^ this.v[d][c]) >>> 0;
    }
    this.count++;
    return Array.from(this.x, (xi) => xi / 2 ** BITS);
  }
}

/**
 * The first `n` points of the stream, after `skip`, that `accept` keeps (e.g. a MACs budget): the
 * constraint-filtered pool. Gives up with a message after `maxDraws` points, so an impossible constraint
 * cannot loop forever.
 */
export function sobolPool<T>(
  dims: number,
  n: number,
  map: (u: number[]) => T,
  accept: (t: T) => boolean,
  options: { skip?: number; maxDraws?: number } = {},
): T[] {
  const s = new Sobol(dims, options.skip ?? 0);
  const maxDraws = options.maxDraws ?? Math.max(1000, 50 * n);
  const out: T[] = [];
  while (out.length < n) {
    if (s.index >= maxDraws) {
      throw new Error(
        `Only ${out.length} of ${n} Sobol points met the constraint in ${maxDraws} draws; loosen the budget`,
      );
    }
    const t = map(s.next());
    if (accept(t)) out.push(t);
  }
  return out;
}
