/**
 * Just enough of a WebAssembly binary encoder to write the SIMD kernels of wasm-simd.ts by hand, as
 * instruction lists, without a toolchain or an npm dependency (WebAssembly core spec 2.0, section 5
 * "Binary Format", and the fixed-width SIMD proposal's opcode table). Only what those kernels use.
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const simd = (op: number) => [0xfd, ...uleb(op)];

/** Instructions, each a function returning its bytes (memory offsets in bytes, alignment hints natural). */
export const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32LtU: [0x49],
  i32Eq: [0x46],
  i32Eqz: [0x45],
  f64PromoteF32: [0xbb],
  select: [0x1b],
  if: [0x04, 0x40],
  f32Load: (offset = 0) => [0x2a, 2, ...uleb(offset)],
  f32Store: (offset = 0) => [0x38, 2, ...uleb(offset)],
  f64Load: (offset = 0) => [0x2b, 3, ...uleb(offset)],
  v128Load: (offset = 0) => [...simd(0x00), 4, ...uleb(offset)],
  v128Store: (offset = 0) => [...simd(0x0b), 4, ...uleb(offset)],
  v128Zero: [...simd(0x0c), ...new Array<number>(16).fill(0)],
  f32x4Splat: simd(0x13),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f32x4Max: simd(0xe9),
  f32x4Gt: simd(0x44),
  f32x4Ne: simd(0x42),
  v128And: simd(0x4e),
  v128Or: simd(0x50),
  /** lanes 2, 3 of a f32x4 moved to lanes 0, 1: i8x16.shuffle of the value with itself (push it twice) */
  highToLow: [...simd(0x0d), 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7],
  f64x2Add: simd(0xf0),
  f64x2Mul: simd(0xf2),
  f64x2Splat: simd(0x14),
  f64x2PromoteLow: simd(0x5f),
  /** loop with no result; `br 0` inside continues it */
  loop: [0x03, 0x40],
  block: [0x02, 0x40],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  end: [0x0b],
};

export interface WasmFunc {
  name: string;
  params: number[];
  /** extra locals, by type, numbered after the params */
  locals: number[];
  body: number[][];
}

const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
const name = (s: string) => vec([...s].map((ch) => [ch.charCodeAt(0)]));

/** A module of functions without results that exports them and one memory ("mem", 1 page to start). */
export function assemble(funcs: WasmFunc[]): Uint8Array<ArrayBuffer> {
  const types = funcs.map((f) => [0x60, ...vec(f.params.map((t) => [t])), 0]);
  const bodies = funcs.map((f) => {
    const locals = vec(f.locals.map((t) => [1, t]));
    const code = [...locals, ...f.body.flat(), 0x0b];
    return [...uleb(code.length), ...code];
  });
  const exports = [[...name('mem'), 0x02, 0], ...funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...section(5, vec([[0x00, 1]])),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ]);
}
