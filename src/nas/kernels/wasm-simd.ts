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

/**
 * mmTA(a, b, c, m, k, n): C[m, n] += Σ_p A[p, m] · B[p, n] with A stored [k, m], B [k, n] float32 and C
 * float64 (a weight gradient: the sum runs over every pixel); k even, n a multiple of 4. Two rows of A and B
 * per pass over the small C, which stays in cache; float32 products are exact in float64.
 */
function mmTAFunc(): WasmFunc {
  const [a, b, c, m, k, n] = [0, 1, 2, 3, 4, 5];
  const [mb, nb, ap, bp, pEnd, cp, ai, i, bj, j] = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  const [s0, s1, b0, b1] = [16, 17, 18, 19];
  const splatA = (s: number, rows: number) =>
    cat(
      op.get(ai),
      rows ? cat(op.get(mb), op.i32Add) : [],
      op.f32Load(),
      op.f64PromoteF32,
      op.f64x2Splat,
      op.set(s),
    );
  // c[cp + off] += s0 · promote(half of b0) + s1 · promote(half of b1)
  const half = (off: number, high: boolean) =>
    cat(
      op.get(cp),
      op.get(cp),
      op.v128Load(off),
      op.get(s0),
      op.get(b0),
      high ? cat(op.get(b0), op.highToLow) : [],
      op.f64x2PromoteLow,
      op.f64x2Mul,
      op.get(s1),
      op.get(b1),
      high ? cat(op.get(b1), op.highToLow) : [],
      op.f64x2PromoteLow,
      op.f64x2Mul,
      op.f64x2Add,
      op.f64x2Add,
      op.v128Store(off),
    );
  const add = (local: number, by: Code) => cat(op.get(local), by, op.i32Add, op.set(local));
  return {
    name: 'mmTA',
    params: [I32, I32, I32, I32, I32, I32],
    locals: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, V128, V128, V128, V128],
    body: [
      cat(op.get(m), op.i32(4), op.i32Mul, op.set(mb)),
      cat(op.get(n), op.i32(4), op.i32Mul, op.set(nb)),
      cat(op.get(a), op.set(ap), op.get(b), op.set(bp)),
      cat(op.get(a), op.get(k), op.get(mb), op.i32Mul, op.i32Add, op.set(pEnd)),
      op.loop,
      cat(op.get(c), op.set(cp), op.get(ap), op.set(ai), op.i32(0), op.set(i)),
      op.loop,
      splatA(s0, 0),
      splatA(s1, 1),
      cat(op.get(bp), op.set(bj), op.i32(0), op.set(j)),
      op.loop,
      cat(
        op.get(bj),
        op.v128Load(),
        op.set(b0),
        op.get(bj),
        op.get(nb),
        op.i32Add,
        op.v128Load(),
        op.set(b1),
      ),
      half(0, false),
      half(16, true),
      add(bj, op.i32(16)),
      add(cp, op.i32(32)),
      add(j, op.i32(4)),
      cat(op.get(j), op.get(n), op.i32LtU, op.brIf(0)),
      op.end,
      add(ai, op.i32(4)),
      add(i, op.i32(1)),
      cat(op.get(i), op.get(m), op.i32LtU, op.brIf(0)),
      op.end,
      add(ap, cat(op.get(mb), op.get(mb), op.i32Add)),
      add(bp, cat(op.get(nb), op.get(nb), op.i32Add)),
      cat(op.get(ap), op.get(pEnd), op.i32LtU, op.brIf(0)),
      op.end,
    ],
  };
}

/**
 * dwAxpy(dst, dstStep, src, srcStep, w, count, Cb): count times, dst[0..C) += src[0..C) · w[0..C) (each
 * product rounded to float32), then dst += dstStep, src += srcStep (bytes); C = Cb / 4 a multiple of 4.
 * One output row's stretch of a depthwise conv for one filter tap (forward: dst = y, src = x; input
 * gradient: dst = dx, src = dy).
 */
function dwAxpyFunc(): WasmFunc {
  const [dst, dstStep, src, srcStep, w, count, Cb] = [0, 1, 2, 3, 4, 5, 6];
  const [t, ch] = [7, 8];
  const add = (local: number, by: Code) => cat(op.get(local), by, op.i32Add, op.set(local));
  return {
    name: 'dwAxpy',
    params: [I32, I32, I32, I32, I32, I32, I32],
    locals: [I32, I32],
    body: [
      cat(op.get(count), op.i32Eqz, op.brIf(0)),
      cat(op.i32(0), op.set(t)),
      op.loop,
      cat(op.i32(0), op.set(ch)),
      op.loop,
      cat(
        op.get(dst),
        op.get(ch),
        op.i32Add,
        load4(dst, ch),
        load4(src, ch),
        load4(w, ch),
        op.f32x4Mul,
        op.f32x4Add,
        op.v128Store(),
      ),
      add(ch, op.i32(16)),
      cat(op.get(ch), op.get(Cb), op.i32LtU, op.brIf(0)),
      op.end,
      add(dst, op.get(dstStep)),
      add(src, op.get(srcStep)),
      add(t, op.i32(1)),
      cat(op.get(t), op.get(count), op.i32LtU, op.brIf(0)),
      op.end,
    ],
  };
}

/**
 * dwAcc(x, xStep, dy, acc, count, Cb): count times, acc[0..C) += x[0..C) · dy[0..C) in float64 (acc a
 * float64 array; float32 products are exact there), then x += xStep, dy += Cb (bytes). One output row's
 * stretch of a depthwise conv's filter gradient for one filter tap, summed in the JS loop's order.
 */
function dwAccFunc(): WasmFunc {
  const [x, xStep, dy, acc, count, Cb] = [0, 1, 2, 3, 4, 5];
  const [t, ch, sa, xv, dv] = [6, 7, 8, 9, 10];
  const add = (local: number, by: Code) => cat(op.get(local), by, op.i32Add, op.set(local));
  const half = (off: number, high: boolean) =>
    cat(
      op.get(sa),
      op.get(sa),
      op.v128Load(off),
      op.get(xv),
      high ? cat(op.get(xv), op.highToLow) : [],
      op.f64x2PromoteLow,
      op.get(dv),
      high ? cat(op.get(dv), op.highToLow) : [],
      op.f64x2PromoteLow,
      op.f64x2Mul,
      op.f64x2Add,
      op.v128Store(off),
    );
  return {
    name: 'dwAcc',
    params: [I32, I32, I32, I32, I32, I32],
    locals: [I32, I32, I32, V128, V128],
    body: [
      cat(op.get(count), op.i32Eqz, op.brIf(0)),
      cat(op.i32(0), op.set(t)),
      op.loop,
      cat(op.i32(0), op.set(ch)),
      op.loop,
      cat(load4(x, ch), op.set(xv), load4(dy, ch), op.set(dv)),
      cat(op.get(acc), op.get(ch), op.get(ch), op.i32Add, op.i32Add, op.set(sa)),
      half(0, false),
      half(16, true),
      add(ch, op.i32(16)),
      cat(op.get(ch), op.get(Cb), op.i32LtU, op.brIf(0)),
      op.end,
      add(x, op.get(xStep)),
      add(dy, op.get(Cb)),
      add(t, op.i32(1)),
      cat(op.get(t), op.get(count), op.i32LtU, op.brIf(0)),
      op.end,
    ],
  };
}

/**
 * mm64(a, b, c, m, k, n): C[m, n] = A[m, k] · B[k, n] as mm does, but summed in float64 lanes into a
 * float64 C (long K: the products are exact there); m and n multiples of 4.
 */
function mm64Func(): WasmFunc {
  const [a, b, c, m, k, n] = [0, 1, 2, 3, 4, 5];
  const [i, j, p, ap, bp, kb, nb, cp] = [6, 7, 8, 9, 10, 11, 12, 13];
  const acc = (r: number, h: number) => 14 + 2 * r + h;
  const [blo, bhi, sv] = [22, 23, 24];
  const add = (local: number, by: Code) => cat(op.get(local), by, op.i32Add, op.set(local));
  const row = (r: number) =>
    cat(
      op.get(ap),
      ...Array.from({ length: r }, () => cat(op.get(kb), op.i32Add)),
      op.f32Load(),
      op.f64PromoteF32,
      op.f64x2Splat,
      op.set(sv),
      op.get(acc(r, 0)),
      op.get(sv),
      op.get(blo),
      op.f64x2Mul,
      op.f64x2Add,
      op.set(acc(r, 0)),
      op.get(acc(r, 1)),
      op.get(sv),
      op.get(bhi),
      op.f64x2Mul,
      op.f64x2Add,
      op.set(acc(r, 1)),
    );
  const store = (r: number) =>
    cat(
      op.get(cp),
      op.get(acc(r, 0)),
      op.v128Store(),
      op.get(cp),
      op.get(acc(r, 1)),
      op.v128Store(16),
      add(cp, cat(op.get(nb), op.get(nb), op.i32Add)),
    );
  return {
    name: 'mm64',
    params: [I32, I32, I32, I32, I32, I32],
    locals: [I32, I32, I32, I32, I32, I32, I32, I32, ...new Array<number>(11).fill(V128)],
    body: [
      cat(op.get(k), op.i32(4), op.i32Mul, op.set(kb)),
      cat(op.get(n), op.i32(4), op.i32Mul, op.set(nb)),
      cat(op.i32(0), op.set(i)),
      op.loop,
      cat(op.i32(0), op.set(j)),
      op.loop,
      ...[0, 1, 2, 3].map((r) => cat(op.v128Zero, op.set(acc(r, 0)), op.v128Zero, op.set(acc(r, 1)))),
      cat(op.get(a), op.get(i), op.get(kb), op.i32Mul, op.i32Add, op.set(ap)),
      cat(op.get(b), op.get(j), op.i32(4), op.i32Mul, op.i32Add, op.set(bp)),
      cat(op.i32(0), op.set(p)),
      op.loop,
      cat(op.get(bp), op.v128Load(), op.tee(bhi), op.f64x2PromoteLow, op.set(blo)),
      cat(op.get(bhi), op.get(bhi), op.highToLow, op.f64x2PromoteLow, op.set(bhi)),
      ...[0, 1, 2, 3].map(row),
      add(ap, op.i32(4)),
      add(bp, op.get(nb)),
      add(p, op.i32(1)),
      cat(op.get(p), op.get(k), op.i32LtU, op.brIf(0)),
      op.end,
      // cp = c + (i · n + j) · 8
      cat(op.get(c), op.get(i), op.get(n), op.i32Mul, op.get(j), op.i32Add, op.i32(8), op.i32Mul, op.i32Add),
      op.set(cp),
      ...[0, 1, 2, 3].map(store),
      add(j, op.i32(4)),
      cat(op.get(j), op.get(n), op.i32LtU, op.brIf(0)),
      op.end,
      add(i, op.i32(4)),
      cat(op.get(i), op.get(m), op.i32LtU, op.brIf(0)),
      op.end,
    ],
  };
}

interface Exports {
  mem: WebAssembly.Memory;
  mm(a: number, b: number, c: number, m: number, k: number, n: number): void;
  mm64(a: number, b: number, c: number, m: number, k: number, n: number): void;
  mmTA(a: number, b: number, c: number, m: number, k: number, n: number): void;
  dwAcc(x: number, xStep: number, dy: number, acc: number, count: number, Cb: number): void;
  dwAxpy(
    dst: number,
    dstStep: number,
    src: number,
    srcStep: number,
    w: number,
    count: number,
    Cb: number,
  ): void;
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
    mmTAFunc(),
    mm64Func(),
    dwAxpyFunc(),
    dwAccFunc(),
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

/**
 * C = Aᵀ · B for A [k, m], B [k, n] with float64 sums through mmTA, or null when the module is unavailable
 * or n is not a multiple of 4. An odd k gets a zero row (adds nothing).
 */
export function simdMatMulTA(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
): Float32Array | null {
  if (n % 4 !== 0 || m === 0 || k === 0) return null;
  const e = simd();
  if (!e) return null;
  const k2 = k + (k % 2);
  const aOff = 0;
  const bOff = Math.ceil((k2 * m) / 4) * 4;
  const cOff = bOff + k2 * n; // float64 [m, n]: 2 · m · n floats, 16-byte aligned
  const mem = heap(e, cOff + 2 * m * n);
  mem.set(a.subarray(0, k * m), aOff);
  mem.fill(0, k * m, k2 * m);
  mem.set(b.subarray(0, k * n), bOff);
  mem.fill(0, bOff + k * n, bOff + k2 * n);
  const c64 = new Float64Array(mem.buffer, cOff * 4, m * n);
  c64.fill(0);
  e.mmTA(aOff * 4, bOff * 4, cOff * 4, m, k2, n);
  return Float32Array.from(c64);
}

/** simdMatMul with float64 sums (mm64), for long K; null under the same conditions. */
export function simdMatMul64(
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
  const bOff = m4 * k;
  const cOff = bOff + k * n; // float64 [m4, n]
  const mem = heap(e, cOff + 2 * m4 * n);
  mem.set(a.subarray(0, m * k), 0);
  mem.fill(0, m * k, m4 * k);
  mem.set(b.subarray(0, k * n), bOff);
  e.mm64(0, bOff * 4, cOff * 4, m4, k, n);
  return Float32Array.from(new Float64Array(mem.buffer, cOff * 4, m * n));
}
