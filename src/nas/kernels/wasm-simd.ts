/**
 * Inner loops in WebAssembly with 128-bit SIMD (four float32 lanes), for the kernels where plain JS loops
 * spend most of a cpu training step. The module is written by hand (wasm-asm.ts) and compiled
 * synchronously once (a few hundred bytes: allowed on any thread); Node 20 and current browsers support
 * fixed-width SIMD. Where WebAssembly or SIMD is missing, simd() returns null and the callers keep their
 * JS loops. Operands are copied into the module's memory and results copied out (memcpy speed, small
 * beside the arithmetic).
 */
import { assemble, F32, I32, op, V128, type WasmFunc } from './wasm-asm.ts';

/**
 * mm(a, b, c, m, k, n): C[m, n] = A[m, k] · B[k, n], row-major float32 at byte offsets a, b, c;
 * m and n multiples of 4, k ≥ 1. Four rows of C by four columns per pass over k, each product rounded to
 * float32 and added in order of p (as a float32 dot product would).
 */
function mmFunc(): WasmFunc {
  const [a, b, c, m, k, n] = [0, 1, 2, 3, 4, 5];
  const [i, j, p, ap, bp, kb, nb, cp] = [6, 7, 8, 9, 10, 11, 12, 13];
  const [acc0, bv] = [14, 18];
  const rowTimes = (r: number) => [
    op.get(acc0 + r),
    op.get(ap),
    ...Array.from({ length: r }, () => [op.get(kb), op.i32Add]).flat(),
    op.f32Load(),
    op.f32x4Splat,
    op.get(bv),
    op.f32x4Mul,
    op.f32x4Add,
    op.set(acc0 + r),
  ];
  const store = (r: number) => [op.get(cp), op.get(acc0 + r), op.v128Store(), ...inc(cp, nb)];
  const inc = (local: number, by: number | number[]) => [
    op.get(local),
    typeof by === 'number' ? op.get(by) : by,
    op.i32Add,
    op.set(local),
  ];
  return {
    name: 'mm',
    params: [I32, I32, I32, I32, I32, I32],
    locals: [I32, I32, I32, I32, I32, I32, I32, I32, V128, V128, V128, V128, V128],
    body: [
      [...op.get(k), ...op.i32(4), ...op.i32Mul, ...op.set(kb)],
      [...op.get(n), ...op.i32(4), ...op.i32Mul, ...op.set(nb)],
      [...op.i32(0), ...op.set(i)],
      op.loop,
      [...op.i32(0), ...op.set(j)],
      op.loop,
      ...[0, 1, 2, 3].map((r) => [...op.v128Zero, ...op.set(acc0 + r)]),
      [...op.get(a), ...op.get(i), ...op.get(kb), ...op.i32Mul, ...op.i32Add, ...op.set(ap)],
      [...op.get(b), ...op.get(j), ...op.i32(4), ...op.i32Mul, ...op.i32Add, ...op.set(bp)],
      [...op.i32(0), ...op.set(p)],
      op.loop,
      [...op.get(bp), ...op.v128Load(), ...op.set(bv)],
      ...[0, 1, 2, 3].map((r) => rowTimes(r).flat()),
      inc(ap, op.i32(4)).flat(),
      inc(bp, nb).flat(),
      inc(p, op.i32(1)).flat(),
      [...op.get(p), ...op.get(k), ...op.i32LtU, ...op.brIf(0)],
      op.end,
      // cp = c + (i · n + j) · 4
      [...op.get(c), ...op.get(i), ...op.get(n), ...op.i32Mul, ...op.get(j), ...op.i32Add],
      [...op.i32(4), ...op.i32Mul, ...op.i32Add, ...op.set(cp)],
      ...[0, 1, 2, 3].map((r) => store(r).flat()),
      inc(j, op.i32(4)).flat(),
      [...op.get(j), ...op.get(n), ...op.i32LtU, ...op.brIf(0)],
      op.end,
      inc(i, op.i32(4)).flat(),
      [...op.get(i), ...op.get(m), ...op.i32LtU, ...op.brIf(0)],
      op.end,
    ],
  };
}

// ---- batch norm over NHWC with C a multiple of 4 (see batchnorm.ts for the arithmetic) ---------------------

type Code = number[];
const cat = (...parts: Code[]): Code => parts.flat();

/**
 * for e = 0, 16, … < lenB (byte offset of four values of every activation array), co = e mod Cb (byte
 * offset of their channels in the per-channel arrays): body.
 */
function channelLoop(e: number, co: number, lenB: number, Cb: number, body: Code): Code {
  return cat(
    op.i32(0),
    op.set(e),
    op.i32(0),
    op.set(co),
    op.loop,
    body,
    op.get(e),
    op.i32(16),
    op.i32Add,
    op.set(e),
    // co = co + 16 == Cb ? 0 : co + 16
    op.i32(0),
    op.get(co),
    op.i32(16),
    op.i32Add,
    op.tee(co),
    op.get(co),
    op.get(Cb),
    op.i32Eq,
    op.select,
    op.set(co),
    op.get(e),
    op.get(lenB),
    op.i32LtU,
    op.brIf(0),
    op.end,
  );
}

/** four float32 at base + off */
const load4 = (base: number, off: number): Code => cat(op.get(base), op.get(off), op.i32Add, op.v128Load());

/**
 * sum[c..c+3] += the f32x4 in local v, in float64 (sum a float64 array: its offset is 2 · co); `sa` a
 * scratch i32 local.
 */
function addToSums(sum: number, co: number, v: number, sa: number): Code {
  return cat(
    op.get(sum),
    op.get(co),
    op.get(co),
    op.i32Add,
    op.i32Add,
    op.set(sa),
    op.get(sa),
    op.get(sa),
    op.v128Load(),
    op.get(v),
    op.f64x2PromoteLow,
    op.f64x2Add,
    op.v128Store(),
    op.get(sa),
    op.get(sa),
    op.v128Load(16),
    op.get(v),
    op.get(v),
    op.highToLow,
    op.f64x2PromoteLow,
    op.f64x2Add,
    op.v128Store(16),
  );
}

/** bnSums(x, lenB, Cb, sum): sum[c] += x[·, c] */
function bnSumsFunc(): WasmFunc {
  const [x, lenB, Cb, sum, e, co, sa, v] = [0, 1, 2, 3, 4, 5, 6, 7];
  return {
    name: 'bnSums',
    params: [I32, I32, I32, I32],
    locals: [I32, I32, I32, V128],
    body: [channelLoop(e, co, lenB, Cb, cat(load4(x, e), op.set(v), addToSums(sum, co, v, sa)))],
  };
}

/** x̂-free centred value (x − mean) of the four values at e */
const centred = (x: number, e: number, mean: number, co: number): Code =>
  cat(load4(x, e), load4(mean, co), op.f32x4Sub);

/** bnSqSums(x, lenB, Cb, mean, sum): sum[c] += f32((x − mean)²) */
function bnSqSumsFunc(): WasmFunc {
  const [x, lenB, Cb, mean, sum, e, co, sa, v] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  return {
    name: 'bnSqSums',
    params: [I32, I32, I32, I32, I32],
    locals: [I32, I32, I32, V128],
    body: [
      channelLoop(
        e,
        co,
        lenB,
        Cb,
        cat(centred(x, e, mean, co), op.tee(v), op.get(v), op.f32x4Mul, op.set(v), addToSums(sum, co, v, sa)),
      ),
    ],
  };
}

/** bnNorm(x, lenB, Cb, mean, scale, beta, y, relu): y = (x − mean) · scale + beta, then max(·, 0) if relu */
function bnNormFunc(): WasmFunc {
  const [x, lenB, Cb, mean, scale, beta, y, relu, e, co, v] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  return {
    name: 'bnNorm',
    params: [I32, I32, I32, I32, I32, I32, I32, I32],
    locals: [I32, I32, V128],
    body: [
      channelLoop(
        e,
        co,
        lenB,
        Cb,
        cat(
          centred(x, e, mean, co),
          load4(scale, co),
          op.f32x4Mul,
          load4(beta, co),
          op.f32x4Add,
          op.set(v),
          op.get(relu),
          op.if,
          op.get(v),
          op.v128Zero,
          op.f32x4Max,
          op.set(v),
          op.end,
          op.get(y),
          op.get(e),
          op.i32Add,
          op.get(v),
          op.v128Store(),
        ),
      ),
    ],
  };
}

/**
 * ReLU's gradient of the four values at e into local g: dy where y > 0, y itself where y is NaN (NaN stays
 * NaN), else 0; without relu, dy.
 */
function gradOf(dy: number, y: number, e: number, relu: number, g: number, yv: number): Code {
  return cat(
    load4(dy, e),
    op.set(g),
    op.get(relu),
    op.if,
    load4(y, e),
    op.set(yv),
    op.get(g),
    op.get(yv),
    op.v128Zero,
    op.f32x4Gt,
    op.v128And,
    op.get(yv),
    op.get(yv),
    op.get(yv),
    op.f32x4Ne,
    op.v128And,
    op.v128Or,
    op.set(g),
    op.end,
  );
}

/** bnGradSums(dy, x, y, lenB, Cb, mean, invStd, relu, sumDy, sumDyXhat) */
function bnGradSumsFunc(): WasmFunc {
  const [dy, x, y, lenB, Cb, mean, invStd, relu, sumDy, sumDyXhat] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [e, co, sa, g, yv, t] = [10, 11, 12, 13, 14, 15];
  return {
    name: 'bnGradSums',
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32],
    locals: [I32, I32, I32, V128, V128, V128],
    body: [
      channelLoop(
        e,
        co,
        lenB,
        Cb,
        cat(
          gradOf(dy, y, e, relu, g, yv),
          addToSums(sumDy, co, g, sa),
          centred(x, e, mean, co),
          load4(invStd, co),
          op.f32x4Mul,
          op.get(g),
          op.f32x4Mul,
          op.set(t),
          addToSums(sumDyXhat, co, t, sa),
        ),
      ),
    ],
  };
}

/** bnGradInput(dy, x, y, lenB, Cb, mean, invStd, relu, dBetaN, dGammaN, gr, dx) */
function bnGradInputFunc(): WasmFunc {
  const [dy, x, y, lenB, Cb, mean, invStd, relu, dBetaN, dGammaN, gr, dx] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
  ];
  const [e, co, g, yv] = [12, 13, 14, 15];
  return {
    name: 'bnGradInput',
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32],
    locals: [I32, I32, V128, V128],
    body: [
      channelLoop(
        e,
        co,
        lenB,
        Cb,
        cat(
          gradOf(dy, y, e, relu, g, yv),
          op.get(dx),
          op.get(e),
          op.i32Add,
          // (g − dBetaN) − x̂ · dGammaN, times gr
          op.get(g),
          load4(dBetaN, co),
          op.f32x4Sub,
          centred(x, e, mean, co),
          load4(invStd, co),
          op.f32x4Mul,
          load4(dGammaN, co),
          op.f32x4Mul,
          op.f32x4Sub,
          load4(gr, co),
          op.f32x4Mul,
          op.v128Store(),
        ),
      ),
    ],
  };
}

interface Exports {
  mem: WebAssembly.Memory;
  mm(a: number, b: number, c: number, m: number, k: number, n: number): void;
  bnSums(x: number, lenB: number, Cb: number, sum: number): void;
  bnSqSums(x: number, lenB: number, Cb: number, mean: number, sum: number): void;
  bnNorm(
    x: number,
    lenB: number,
    Cb: number,
    mean: number,
    scale: number,
    beta: number,
    y: number,
    relu: number,
  ): void;
  bnGradSums(
    dy: number,
    x: number,
    y: number,
    lenB: number,
    Cb: number,
    mean: number,
    invStd: number,
    relu: number,
    sumDy: number,
    sumDyXhat: number,
  ): void;
  bnGradInput(
    dy: number,
    x: number,
    y: number,
    lenB: number,
    Cb: number,
    mean: number,
    invStd: number,
    relu: number,
    dBetaN: number,
    dGammaN: number,
    gr: number,
    dx: number,
  ): void;
}

/** The module's binary. */
export function moduleBytes(): Uint8Array<ArrayBuffer> {
  return assemble([
    mmFunc(),
    bnSumsFunc(),
    bnSqSumsFunc(),
    bnNormFunc(),
    bnGradSumsFunc(),
    bnGradInputFunc(),
  ]);
}

let instance: Exports | null | undefined;

/** The compiled module's exports, or null where WebAssembly SIMD is unavailable. */
export function simd(): Exports | null {
  if (instance !== undefined) return instance;
  instance = null;
  try {
    const bytes = moduleBytes();
    if (typeof WebAssembly === 'object' && WebAssembly.validate(bytes))
      instance = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as Exports;
  } catch {
    instance = null;
  }
  return instance;
}

/** Float32 view of the module's memory (exported for the kernels that lay out their own operands) with at least `floats` values (grows it; views of old memory die). */
export function heap(e: Exports, floats: number): Float32Array {
  const need = floats * 4;
  const have = e.mem.buffer.byteLength;
  if (need > have) e.mem.grow(Math.ceil((need - have) / 65536));
  return new Float32Array(e.mem.buffer);
}

/**
 * C = A · B for A [m, k], B [k, n] through mm, or null when the module is unavailable or n is not a
 * multiple of 4. Rows of A are padded to a multiple of 4 with zeros (their rows of C are dropped).
 */
export function simdMatMul(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
): Float32Array | null {
  if (n % 4 !== 0 || m === 0 || k === 0) return null;
  const e = simd();
  if (!e) return null;
  const m4 = Math.ceil(m / 4) * 4;
  const aOff = 0;
  const bOff = m4 * k;
  const cOff = bOff + k * n;
  const mem = heap(e, cOff + m4 * n);
  mem.set(a.subarray(0, m * k), aOff);
  mem.fill(0, m * k, m4 * k);
  mem.set(b.subarray(0, k * n), bOff);
  e.mm(aOff * 4, bOff * 4, cOff * 4, m4, k, n);
  return mem.slice(cOff, cOff + m * n);
}
