/**
 * A minimal protocol-buffers wire-format writer: just what ONNX needs (varints, 64-bit ints, fixed32
 * floats, length-delimited strings / bytes / sub-messages, packed repeated scalars). No schema, no
 * reflection: the ONNX encoders call it with field numbers taken from onnx.proto.
 *
 * Bytes are collected as a list of chunks and concatenated once in `finish()`, so nesting a message
 * (graph inside model, initializers inside graph) never copies the large weight buffers more than once.
 */

export const WireType = { Varint: 0, Fixed64: 1, LengthDelimited: 2, Fixed32: 5 } as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

const TEXT = new TextEncoder();
const TWO_POW_32 = 4294967296;

export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  /** Small writes (tags, varints) accumulate here and become a chunk when a big buffer follows. */
  private pending: number[] = [];
  private size = 0;

  /** Number of bytes written so far. */
  get length(): number {
    return this.size;
  }

  private flushPending(): void {
    if (this.pending.length === 0) return;
    this.chunks.push(Uint8Array.from(this.pending));
    this.pending = [];
  }

  private pushByte(b: number): void {
    this.pending.push(b);
    this.size++;
  }

  private pushBytes(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.flushPending();
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  /**
   * Raw varint of a non-negative integer or any int64. Negative values are written as their 64-bit two's
   * complement (10 bytes), which is how protobuf encodes negative int32/int64 fields.
   */
  rawVarint(value: number | bigint): void {
    if (typeof value === 'number') {
      if (!Number.isInteger(value)) throw new Error(`varint of non-integer ${value}`);
      if (value >= 0 && value <= Number.MAX_SAFE_INTEGER) {
        // division instead of bit operators: JS bit ops truncate to 32 bits
        let v = value;
        while (v >= 128) {
          this.pushByte((v % 128) + 128);
          v = Math.floor(v / 128);
        }
        this.pushByte(v);
        return;
      }
      value = BigInt(value);
    }
    let v = BigInt.asUintN(64, value);
    while (v >= 128n) {
      this.pushByte(Number(v & 127n) | 128);
      v >>= 7n;
    }
    this.pushByte(Number(v));
  }

  tag(field: number, wire: WireType): void {
    this.rawVarint(field * 8 + wire);
  }

  /** int32 / int64 / uint64 / enum / bool fields. */
  int(field: number, value: number | bigint): void {
    this.tag(field, WireType.Varint);
    this.rawVarint(value);
  }

  float(field: number, value: number): void {
    this.tag(field, WireType.Fixed32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    for (const x of b) this.pushByte(x);
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, WireType.LengthDelimited);
    this.rawVarint(data.length);
    this.pushBytes(data);
  }

  string(field: number, s: string): void {
    this.bytes(field, TEXT.encode(s));
  }

  /** An embedded message: its length, then its bytes (the sub-writer's chunks are reused, not copied). */
  message(field: number, sub: ProtoWriter): void {
    this.tag(field, WireType.LengthDelimited);
    this.rawVarint(sub.length);
    sub.flushPending();
    this.flushPending();
    for (const c of sub.chunks) this.chunks.push(c);
    this.size += sub.length;
  }

  /** `repeated float x = n [packed = true]`: little-endian float32s in one length-delimited field. */
  packedFloats(field: number, values: ArrayLike<number>): void {
    const b = new Uint8Array(values.length * 4);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < values.length; i++) dv.setFloat32(i * 4, values[i], true);
    this.bytes(field, b);
  }

  /** `repeated int64 x = n [packed = true]`. */
  packedVarints(field: number, values: ArrayLike<number | bigint>): void {
    const sub = new ProtoWriter();
    for (let i = 0; i < values.length; i++) sub.rawVarint(values[i]);
    this.message(field, sub);
  }

  finish(): Uint8Array {
    this.flushPending();
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** Little-endian float32 bytes, independent of the host's endianness (for TensorProto.raw_data). */
export function float32LE(values: ArrayLike<number>): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < values.length; i++) dv.setFloat32(i * 4, values[i], true);
  return b;
}

/** Little-endian int64 bytes (for TensorProto.raw_data of INT64 tensors such as Reshape shapes). */
export function int64LE(values: ArrayLike<number | bigint>): Uint8Array {
  const b = new Uint8Array(values.length * 8);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'bigint') dv.setBigInt64(i * 8, v, true);
    else {
      // split into 32-bit halves so plain numbers need no BigInt
      const lo = ((v % TWO_POW_32) + TWO_POW_32) % TWO_POW_32;
      const hi = Math.floor((v - lo) / TWO_POW_32);
      dv.setUint32(i * 8, lo, true);
      dv.setInt32(i * 8 + 4, hi, true);
    }
  }
  return b;
}
