/**
 * BatchMatMul for float32 on the cpu backend: [..., M, K] · [..., K, N] with equal batch dims, or a batch of
 * one on either side broadcast.
 * The 1×1 convolutions are MatMuls over all pixels ([N·H·W, C_in] · [C_in, C_out]) and their gradients are
 * the transposed products, so this is the bulk of a subnet step's arithmetic. Every case keeps its
 * innermost loop on contiguous memory (row times matrix, or dot products of rows); sums over long K
 * (the weight gradient sums over every pixel) accumulate in float64.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { floatValues, output, type CpuBackend } from './cpu-data.ts';
import { simdMatMul, simdMatMul64, simdMatMulTA } from './wasm-simd.ts';

/** Above this K the products are summed in float64 (tfjs's kernel sums in float32 blocks). */
const F64_ABOVE_K = 64;

/** C = op(A) · op(B) with op = transpose where asked; A is [M, K] (or [K, M]), B [K, N] (or [N, K]). */
export function matMul(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  transposeA: boolean,
  transposeB: boolean,
): Float32Array {
  // B is a weight or a gradient of one in the nets here (small): transposing it costs K·N, once
  if (transposeB) b = transpose(b, n, k);
  // float32 sums (short K) go through WebAssembly SIMD where it is available: ~5x the JS loops
  if (!transposeA && k <= F64_ABOVE_K) {
    const fast = simdMatMul(a, b, m, k, n);
    if (fast) return fast;
  }
  if (!transposeA) {
    const fast = simdMatMul64(a, b, m, k, n);
    if (fast) return fast;
  }
  // Aᵀ · B (a weight gradient, summed over the pixels) in float64 lanes, for any K
  if (transposeA) {
    const fast = simdMatMulTA(a, b, m, k, n);
    if (fast) return fast;
  }
  const c = new Float32Array(m * n);
  const acc = k > F64_ABOVE_K ? new Float64Array(m * n) : c;
  if (transposeA) rowsTimesRowsT(a, b, acc, m, k, n);
  else rowsTimesMatrix(a, b, acc, m, k, n);
  if (acc !== c) for (let i = 0; i < c.length; i++) c[i] = acc[i];
  return c;
}

function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) t[q * rows + r] = x[r * cols + q];
  return t;
}

/**
 * C[i, :] += Σ_p A[i, p] · B[p, :]: two rows of C at a time, four rows of B per pass, so each value of B
 * read serves eight products (about 1.5x over one row at a time on the classroom's 1×1 conv shapes).
 */
function rowsTimesMatrix(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array | Float64Array,
  m: number,
  k: number,
  n: number,
): void {
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const c0 = i * n;
    const c1 = c0 + n;
    const a0 = i * k;
    const a1 = a0 + k;
    let p = 0;
    for (; p + 3 < k; p += 4) {
      const x0 = a[a0 + p];
      const x1 = a[a0 + p + 1];
      const x2 = a[a0 + p + 2];
      const x3 = a[a0 + p + 3];
      const y0 = a[a1 + p];
      const y1 = a[a1 + p + 1];
      const y2 = a[a1 + p + 2];
      const y3 = a[a1 + p + 3];
      const b0 = p * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      for (let j = 0; j < n; j++) {
        const q0 = b[b0 + j];
        const q1 = b[b1 + j];
        const q2 = b[b2 + j];
        const q3 = b[b3 + j];
        c[c0 + j] += x0 * q0 + x1 * q1 + x2 * q2 + x3 * q3;
        c[c1 + j] += y0 * q0 + y1 * q1 + y2 * q2 + y3 * q3;
      }
    }
    for (; p < k; p++) {
      const x = a[a0 + p];
      const y = a[a1 + p];
      const bp = p * n;
      for (let j = 0; j < n; j++) {
        const q = b[bp + j];
        c[c0 + j] += x * q;
        c[c1 + j] += y * q;
      }
    }
  }
  for (; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const v = a[i * k + p];
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j] += v * b[bp + j];
    }
  }
}

/**
 * C[i, :] += Σ_p A[p, i] · B[p, :] with A stored [K, M]: K (the pixels, for a weight gradient) outermost,
 * so A and B are each read once in memory order while the small C stays in cache.
 */
function rowsTimesRowsT(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array | Float64Array,
  m: number,
  k: number,
  n: number,
): void {
  let p = 0;
  for (; p + 3 < k; p += 4) {
    const a0 = p * m;
    const a1 = a0 + m;
    const a2 = a1 + m;
    const a3 = a2 + m;
    const b0 = p * n;
    const b1 = b0 + n;
    const b2 = b1 + n;
    const b3 = b2 + n;
    for (let i = 0; i < m; i++) {
      const v0 = a[a0 + i];
      const v1 = a[a1 + i];
      const v2 = a[a2 + i];
      const v3 = a[a3 + i];
      const ci = i * n;
      for (let j = 0; j < n; j++)
        c[ci + j] += v0 * b[b0 + j] + v1 * b[b1 + j] + v2 * b[b2 + j] + v3 * b[b3 + j];
    }
  }
  for (; p < k; p++) {
    const bp = p * n;
    for (let i = 0; i < m; i++) {
      const v = a[p * m + i];
      const ci = i * n;
      for (let j = 0; j < n; j++) c[ci + j] += v * b[bp + j];
    }
  }
}

export function batchMatMulKernel(
  inputs: { a: TensorInfo; b: TensorInfo },
  backend: CpuBackend,
  attrs: { transposeA: boolean; transposeB: boolean },
): TensorInfo | null {
  const a = floatValues(backend, inputs.a);
  const b = floatValues(backend, inputs.b);
  const sa = inputs.a.shape;
  const sb = inputs.b.shape;
  if (!a || !b || sa.length < 2 || sb.length < 2) return null;
  const { transposeA, transposeB } = attrs;
  const ra = sa.length;
  const rb = sb.length;
  const m = transposeA ? sa[ra - 1] : sa[ra - 2];
  const k = transposeA ? sa[ra - 2] : sa[ra - 1];
  const n = transposeB ? sb[rb - 2] : sb[rb - 1];
  if ((transposeB ? sb[rb - 1] : sb[rb - 2]) !== k) return null; // tfjs reports the mismatch
  const outerA = sa.slice(0, -2);
  const outerB = sb.slice(0, -2);
  const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
  const ba = size(outerA);
  const bb = size(outerB);
  let outer: number[];
  if (outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i])) outer = outerA;
  else if (bb === 1 && outerB.length <= outerA.length) outer = outerA;
  else if (ba === 1 && outerA.length <= outerB.length) outer = outerB;
  else return null;
  const batch = size(outer);
  const out = new Float32Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    const at = ba === 1 ? a.subarray(0, m * k) : a.subarray(t * m * k, (t + 1) * m * k);
    const bt = bb === 1 ? b.subarray(0, k * n) : b.subarray(t * k * n, (t + 1) * k * n);
    out.set(matMul(at, bt, m, k, n, transposeA, transposeB), t * m * n);
  }
  return output(backend, [...outer, m, n], out);
}
