import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { simd, simdMatMul } from './wasm-simd.ts';
import { sleb, uleb } from './wasm-asm.ts';

describe('WebAssembly SIMD kernels', () => {
  it('encodes LEB128 as the spec does', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-1)).toEqual([0x7f]);
  });

  it('compiles in Node 20 (fixed-width SIMD is on)', () => {
    expect(simd()).not.toBeNull();
  });

  it('multiplies by hand, rows padded to a multiple of 4', () => {
    // A [2, 3] · B [3, 4]
    const a = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const b = Float32Array.from([1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1]);
    expect(Array.from(simdMatMul(a, b, 2, 3, 4)!)).toEqual([1, 2, 3, 6, 4, 5, 6, 15]);
    expect(simdMatMul(a, b.subarray(0, 9), 2, 3, 3)).toBeNull(); // N not a multiple of 4
  });

  it('matches a float64 product within float32 rounding, across memory growth', () => {
    const rng = new Rng(7);
    for (const [m, k, n] of [
      [5, 1, 4],
      [37, 17, 12],
      [20000, 9, 8], // > 1 page of memory
    ]) {
      const a = Float32Array.from({ length: m * k }, () => rng.normal());
      const b = Float32Array.from({ length: k * n }, () => rng.normal());
      const c = simdMatMul(a, b, m, k, n)!;
      expect(c.length).toBe(m * n);
      let worst = 0;
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          let mag = 0;
          for (let p = 0; p < k; p++) {
            s += a[i * k + p] * b[p * n + j];
            mag += Math.abs(a[i * k + p] * b[p * n + j]);
          }
          worst = Math.max(worst, Math.abs(c[i * n + j] - s) / Math.max(mag, 1e-3));
        }
      expect(worst).toBeLessThan(1e-6);
    }
  });
});
