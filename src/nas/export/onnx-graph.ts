/**
 * Builds an ONNX graph node by node: unique value names, float initializers, shared scalar / shape
 * constants, and one method per operator the exporter emits. Nodes are appended in call order, which is
 * a topological order because every input must already have a name when a node is added.
 */
import {
  attr,
  floatTensor,
  int64Tensor,
  type AttributeProto,
  type GraphProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './onnx-proto.ts';

export interface ConvAttrs {
  strides?: [number, number];
  /** ONNX order: [top, left, bottom, right]. */
  pads?: [number, number, number, number];
  dilations?: [number, number];
  group?: number;
}

export class OnnxGraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private used = new Set<string>();
  private constCache = new Map<string, string>();

  /** Reserve a name (a graph input's, say) so no later value takes it. */
  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`ONNX value name "${name}" already used`);
    this.used.add(name);
    return name;
  }

  /** `base`, or `base_1`, `base_2`, ... the first that is free. */
  fresh(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./:-]/g, '_') || 'v';
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  /** A float32 initializer; returns its name. */
  weight(base: string, dims: number[], values: ArrayLike<number>): string {
    const name = this.fresh(base);
    this.initializers.push(floatTensor(name, dims, values));
    return name;
  }

  /** A scalar float constant, shared between nodes that use the same value. */
  scalar(value: number): string {
    const key = `f:${value}`;
    let name = this.constCache.get(key);
    if (!name) {
      name = this.fresh(`const_${String(value).replace(/[^0-9a-z]/gi, '_')}`);
      this.initializers.push(floatTensor(name, [], [value]));
      this.constCache.set(key, name);
    }
    return name;
  }

  /** A 1-D int64 constant (Reshape shapes), shared by value. */
  int64s(values: number[]): string {
    const key = `i:${values.join(',')}`;
    let name = this.constCache.get(key);
    if (!name) {
      name = this.fresh(`shape_${values.join('_').replace(/-/g, 'm')}`);
      this.initializers.push(int64Tensor(name, [values.length], values));
      this.constCache.set(key, name);
    }
    return name;
  }

  /** Append a node with one output named after `base`; returns that output's name. */
  node(
    opType: string,
    inputs: string[],
    attributes: AttributeProto[] = [],
    base = opType.toLowerCase(),
  ): string {
    for (const i of inputs) if (!this.used.has(i)) throw new Error(`${opType}: unknown input "${i}"`);
    const out = this.fresh(base);
    this.nodes.push({ opType, inputs, outputs: [out], name: `${opType}_${this.nodes.length}`, attributes });
    return out;
  }

  conv(x: string, w: string, b: string | null, a: ConvAttrs, base = 'conv'): string {
    const attrs: AttributeProto[] = [];
    if (a.strides) attrs.push(attr.ints('strides', a.strides));
    if (a.pads) attrs.push(attr.ints('pads', a.pads));
    if (a.dilations) attrs.push(attr.ints('dilations', a.dilations));
    if (a.group && a.group > 1) attrs.push(attr.int('group', a.group));
    return this.node('Conv', b ? [x, w, b] : [x, w], attrs, base);
  }

  relu(x: string): string {
    return this.node('Relu', [x]);
  }

  /** Clip (opset >= 11 takes min / max as inputs, not attributes). */
  clip(x: string, min: number, max: number): string {
    return this.node('Clip', [x, this.scalar(min), this.scalar(max)]);
  }

  sigmoid(x: string): string {
    return this.node('Sigmoid', [x]);
  }

  hardSigmoid(x: string, alpha: number, beta: number): string {
    return this.node('HardSigmoid', [x], [attr.float('alpha', alpha), attr.float('beta', beta)]);
  }

  hardSwish(x: string): string {
    return this.node('HardSwish', [x]);
  }

  mul(a: string, b: string): string {
    return this.node('Mul', [a, b]);
  }

  add(a: string, b: string): string {
    return this.node('Add', [a, b]);
  }

  globalAveragePool(x: string): string {
    return this.node('GlobalAveragePool', [x], [], 'gap');
  }

  maxPool(x: string, kernel: [number, number], strides: [number, number], pads = [0, 0, 0, 0]): string {
    return this.node(
      'MaxPool',
      [x],
      [attr.ints('kernel_shape', kernel), attr.ints('strides', strides), attr.ints('pads', pads)],
      'maxpool',
    );
  }

  flatten(x: string): string {
    return this.node('Flatten', [x], [attr.int('axis', 1)]);
  }

  matMul(a: string, b: string): string {
    return this.node('MatMul', [a, b]);
  }

  concat(xs: string[], axis: number): string {
    return this.node('Concat', xs, [attr.int('axis', axis)]);
  }

  /** Y = X · Wᵀ + b with W stored [out, in] (PyTorch Linear layout). */
  gemmTransB(x: string, w: string, b: string, base = 'gemm'): string {
    return this.node('Gemm', [x, w, b], [attr.int('transB', 1)], base);
  }

  /** Slice with starts / ends / axes as int64 inputs (opset >= 10). */
  slice(x: string, starts: number[], ends: number[], axes: number[]): string {
    return this.node('Slice', [x, this.int64s(starts), this.int64s(ends), this.int64s(axes)]);
  }

  /** Constant-zero Pad with the pads as an int64 input (opset >= 11): [begins per axis, ends per axis]. */
  pad(x: string, pads: number[]): string {
    return this.node('Pad', [x, this.int64s(pads)]);
  }

  reshape(x: string, shape: number[]): string {
    return this.node('Reshape', [x, this.int64s(shape)]);
  }

  transpose(x: string, perm: number[]): string {
    return this.node('Transpose', [x], [attr.ints('perm', perm)]);
  }

  /** Give an existing value a final name (graph outputs must be produced by a node). */
  identity(x: string, name: string): string {
    this.reserve(name);
    this.nodes.push({
      opType: 'Identity',
      inputs: [x],
      outputs: [name],
      name: `Identity_${this.nodes.length}`,
    });
    return name;
  }

  build(name: string, inputs: ValueInfoProto[], outputs: ValueInfoProto[], docString?: string): GraphProto {
    return { name, nodes: this.nodes, initializers: this.initializers, inputs, outputs, docString };
  }
}
