/**
 * ONNX messages as plain objects and their protobuf encoders. Only the fields this exporter writes are
 * modelled; field numbers are those of onnx/onnx.proto (proto2, stable since IR version 3).
 */
import { ProtoWriter, float32LE, int64LE } from './protobuf.ts';

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;
export type DataType = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values. */
export const AttributeType = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
} as const;
export type AttributeType = (typeof AttributeType)[keyof typeof AttributeType];

export interface TensorProto {
  name: string;
  dims: number[];
  dataType: DataType;
  /** Little-endian element bytes (TensorProto.raw_data). */
  rawData: Uint8Array;
}

export type AttributeProto =
  | { name: string; type: typeof AttributeType.FLOAT; f: number }
  | { name: string; type: typeof AttributeType.INT; i: number }
  | { name: string; type: typeof AttributeType.STRING; s: string }
  | { name: string; type: typeof AttributeType.TENSOR; t: TensorProto }
  | { name: string; type: typeof AttributeType.FLOATS; floats: number[] }
  | { name: string; type: typeof AttributeType.INTS; ints: number[] }
  | { name: string; type: typeof AttributeType.STRINGS; strings: string[] };

export interface NodeProto {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attributes?: AttributeProto[];
}

/** A tensor-typed value: a dimension is a fixed size (dim_value) or a symbolic name (dim_param). */
export interface ValueInfoProto {
  name: string;
  elemType: DataType;
  shape: (number | string)[];
}

export interface GraphProto {
  name: string;
  nodes: NodeProto[];
  initializers: TensorProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  docString?: string;
}

export interface OperatorSetIdProto {
  domain: string; // '' = the default ai.onnx domain
  version: number;
}

export interface StringStringEntryProto {
  key: string;
  value: string;
}

export interface ModelProto {
  irVersion: number;
  opsetImports: OperatorSetIdProto[];
  producerName: string;
  producerVersion: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  graph: GraphProto;
  metadataProps: StringStringEntryProto[];
}

// --- convenience constructors -----------------------------------------------------------------------

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  const n = dims.reduce((a, b) => a * b, 1);
  if (n !== values.length)
    throw new Error(`tensor ${name}: dims ${dims} hold ${n} values, got ${values.length}`);
  return { name, dims, dataType: DataType.FLOAT, rawData: float32LE(values) };
}

export function int64Tensor(name: string, dims: number[], values: ArrayLike<number | bigint>): TensorProto {
  return { name, dims, dataType: DataType.INT64, rawData: int64LE(values) };
}

export const attr = {
  int: (name: string, i: number): AttributeProto => ({ name, type: AttributeType.INT, i }),
  ints: (name: string, ints: number[]): AttributeProto => ({ name, type: AttributeType.INTS, ints }),
  float: (name: string, f: number): AttributeProto => ({ name, type: AttributeType.FLOAT, f }),
  floats: (name: string, floats: number[]): AttributeProto => ({ name, type: AttributeType.FLOATS, floats }),
  string: (name: string, s: string): AttributeProto => ({ name, type: AttributeType.STRING, s }),
};

// --- encoders ---------------------------------------------------------------------------------------

export function encodeTensor(t: TensorProto): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of t.dims) w.int(1, d); // dims (int64, unpacked as in proto2)
  w.int(2, t.dataType);
  w.string(8, t.name);
  w.bytes(9, t.rawData);
  return w;
}

const TEXT = new TextEncoder();

export function encodeAttribute(a: AttributeProto): ProtoWriter {
  const w = new ProtoWriter();
  w.string(1, a.name);
  w.int(20, a.type);
  switch (a.type) {
    case AttributeType.FLOAT:
      w.float(2, a.f);
      break;
    case AttributeType.INT:
      w.int(3, a.i);
      break;
    case AttributeType.STRING:
      w.bytes(4, TEXT.encode(a.s));
      break;
    case AttributeType.TENSOR:
      w.message(5, encodeTensor(a.t));
      break;
    case AttributeType.FLOATS:
      for (const f of a.floats) w.float(7, f);
      break;
    case AttributeType.INTS:
      for (const i of a.ints) w.int(8, i);
      break;
    case AttributeType.STRINGS:
      for (const s of a.strings) w.bytes(9, TEXT.encode(s));
      break;
  }
  return w;
}

export function encodeNode(n: NodeProto): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attributes ?? []) w.message(5, encodeAttribute(a));
  if (n.domain) w.string(7, n.domain);
  return w;
}

export function encodeValueInfo(v: ValueInfoProto): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter();
  tensorType.int(1, v.elemType);
  tensorType.message(2, shape);
  const type = new ProtoWriter();
  type.message(1, tensorType);
  const w = new ProtoWriter();
  w.string(1, v.name);
  w.message(2, type);
  return w;
}

export function encodeGraph(g: GraphProto): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, encodeNode(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, encodeTensor(t));
  if (g.docString) w.string(10, g.docString);
  for (const v of g.inputs) w.message(11, encodeValueInfo(v));
  for (const v of g.outputs) w.message(12, encodeValueInfo(v));
  return w;
}

function encodeOpset(o: OperatorSetIdProto): ProtoWriter {
  const w = new ProtoWriter();
  if (o.domain) w.string(1, o.domain);
  w.int(2, o.version);
  return w;
}

function encodeEntry(e: StringStringEntryProto): ProtoWriter {
  const w = new ProtoWriter();
  w.string(1, e.key);
  w.string(2, e.value);
  return w;
}

/** The serialised model: the bytes of an .onnx file. */
export function encodeModel(m: ModelProto): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, m.irVersion);
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  if (m.domain) w.string(4, m.domain);
  if (m.modelVersion !== undefined) w.int(5, m.modelVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, encodeGraph(m.graph));
  for (const o of m.opsetImports) w.message(8, encodeOpset(o));
  for (const e of m.metadataProps) w.message(14, encodeEntry(e));
  return w.finish();
}
