/**
 * Test-only decoder: a generic protobuf wire-format reader (written independently of ../protobuf.ts)
 * plus a decoding of the ONNX fields the tests inspect. Unknown fields are kept as raw values so tests
 * can also assert that nothing unexpected was written.
 */

export type WireValue =
  | { wire: 0; value: bigint }
  | { wire: 1; bytes: Uint8Array }
  | { wire: 2; bytes: Uint8Array }
  | { wire: 5; bytes: Uint8Array };

/** field number -> values in file order. */
export type WireMessage = Map<number, WireValue[]>;

export function readVarint(buf: Uint8Array, pos: { at: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos.at >= buf.length) throw new Error('truncated varint');
    const b = buf[pos.at++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return result;
    shift += 7n;
    if (shift > 63n) throw new Error('varint longer than 10 bytes');
  }
}

export function readMessage(buf: Uint8Array): WireMessage {
  const msg: WireMessage = new Map();
  const pos = { at: 0 };
  while (pos.at < buf.length) {
    const key = readVarint(buf, pos);
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    let v: WireValue;
    if (wire === 0) v = { wire: 0, value: readVarint(buf, pos) };
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos.at + n > buf.length) throw new Error('truncated fixed field');
      v = { wire, bytes: buf.subarray(pos.at, pos.at + n) };
      pos.at += n;
    } else if (wire === 2) {
      const len = Number(readVarint(buf, pos));
      if (pos.at + len > buf.length) throw new Error(`field ${field}: length ${len} past the end`);
      v = { wire: 2, bytes: buf.subarray(pos.at, pos.at + len) };
      pos.at += len;
    } else throw new Error(`unsupported wire type ${wire} (field ${field})`);
    const list = msg.get(field) ?? [];
    list.push(v);
    msg.set(field, list);
  }
  return msg;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function all(m: WireMessage, f: number): WireValue[] {
  return m.get(f) ?? [];
}
function str(v: WireValue): string {
  if (v.wire !== 2) throw new Error('expected a length-delimited string');
  return UTF8.decode(v.bytes);
}
function bytes(v: WireValue): Uint8Array {
  if (v.wire !== 2) throw new Error('expected length-delimited bytes');
  return v.bytes;
}
function int(v: WireValue): number {
  if (v.wire !== 0) throw new Error('expected a varint');
  return Number(BigInt.asIntN(64, v.value));
}
function float(v: WireValue): number {
  if (v.wire !== 5) throw new Error('expected a fixed32');
  return new DataView(v.bytes.buffer, v.bytes.byteOffset, 4).getFloat32(0, true);
}
function one<T>(m: WireMessage, f: number, read: (v: WireValue) => T): T | undefined {
  const l = all(m, f);
  return l.length ? read(l[l.length - 1]) : undefined;
}
/** Repeated int64 accepts both packed and unpacked encodings, as a protobuf parser must. */
function ints(m: WireMessage, f: number): number[] {
  const out: number[] = [];
  for (const v of all(m, f)) {
    if (v.wire === 0) out.push(int(v));
    else if (v.wire === 2) {
      const pos = { at: 0 };
      while (pos.at < v.bytes.length) out.push(Number(BigInt.asIntN(64, readVarint(v.bytes, pos))));
    } else throw new Error('bad repeated int');
  }
  return out;
}

export interface DecodedTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** Decoded element values (float32 or int64 from raw_data). */
  values: number[];
}

export interface DecodedAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: string;
  floats: number[];
  ints: number[];
}

export interface DecodedNode {
  opType: string;
  name?: string;
  domain?: string;
  inputs: string[];
  outputs: string[];
  attributes: DecodedAttribute[];
}

export interface DecodedValueInfo {
  name: string;
  elemType: number;
  shape: (number | string)[];
}

export interface DecodedModel {
  irVersion: number;
  producerName?: string;
  producerVersion?: string;
  opsetImports: { domain: string; version: number }[];
  metadata: Record<string, string>;
  graph: {
    name?: string;
    nodes: DecodedNode[];
    initializers: DecodedTensor[];
    inputs: DecodedValueInfo[];
    outputs: DecodedValueInfo[];
  };
  /** Field numbers seen at the model level (to catch stray writes). */
  modelFields: number[];
}

function decodeTensor(buf: Uint8Array): DecodedTensor {
  const m = readMessage(buf);
  const dataType = one(m, 2, int) ?? 0;
  const raw = one(m, 9, bytes) ?? new Uint8Array();
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const values: number[] = [];
  if (dataType === 1) for (let i = 0; i < raw.length; i += 4) values.push(dv.getFloat32(i, true));
  else if (dataType === 7)
    for (let i = 0; i < raw.length; i += 8) values.push(Number(dv.getBigInt64(i, true)));
  else throw new Error(`tensor data type ${dataType} not expected`);
  return { name: one(m, 8, str) ?? '', dims: ints(m, 1), dataType, values };
}

function decodeAttribute(buf: Uint8Array): DecodedAttribute {
  const m = readMessage(buf);
  return {
    name: one(m, 1, str) ?? '',
    type: one(m, 20, int) ?? 0,
    f: one(m, 2, float),
    i: one(m, 3, int),
    s: one(m, 4, str),
    floats: all(m, 7).map(float),
    ints: ints(m, 8),
  };
}

function decodeNode(buf: Uint8Array): DecodedNode {
  const m = readMessage(buf);
  return {
    inputs: all(m, 1).map(str),
    outputs: all(m, 2).map(str),
    name: one(m, 3, str),
    opType: one(m, 4, str) ?? '',
    attributes: all(m, 5).map((v) => decodeAttribute(bytes(v))),
    domain: one(m, 7, str),
  };
}

function decodeValueInfo(buf: Uint8Array): DecodedValueInfo {
  const m = readMessage(buf);
  const type = readMessage(one(m, 2, bytes) ?? new Uint8Array());
  const tensor = readMessage(one(type, 1, bytes) ?? new Uint8Array());
  const shape = readMessage(one(tensor, 2, bytes) ?? new Uint8Array());
  return {
    name: one(m, 1, str) ?? '',
    elemType: one(tensor, 1, int) ?? 0,
    shape: all(shape, 1).map((d) => {
      const dim = readMessage(bytes(d));
      const p = one(dim, 2, str);
      return p ?? one(dim, 1, int) ?? NaN;
    }),
  };
}

export function decodeModel(buf: Uint8Array): DecodedModel {
  const m = readMessage(buf);
  const g = readMessage(one(m, 7, bytes) ?? new Uint8Array());
  const metadata: Record<string, string> = {};
  for (const e of all(m, 14)) {
    const em = readMessage(bytes(e));
    metadata[one(em, 1, str) ?? ''] = one(em, 2, str) ?? '';
  }
  return {
    irVersion: one(m, 1, int) ?? 0,
    producerName: one(m, 2, str),
    producerVersion: one(m, 3, str),
    opsetImports: all(m, 8).map((v) => {
      const om = readMessage(bytes(v));
      return { domain: one(om, 1, str) ?? '', version: one(om, 2, int) ?? 0 };
    }),
    metadata,
    graph: {
      name: one(g, 2, str),
      nodes: all(g, 1).map((v) => decodeNode(bytes(v))),
      initializers: all(g, 5).map((v) => decodeTensor(bytes(v))),
      inputs: all(g, 11).map((v) => decodeValueInfo(bytes(v))),
      outputs: all(g, 12).map((v) => decodeValueInfo(bytes(v))),
    },
    modelFields: [...m.keys()].sort((a, b) => a - b),
  };
}
