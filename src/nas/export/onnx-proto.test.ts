import { describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from './onnx-graph.ts';
import { AttributeType, DataType, encodeModel, type ModelProto } from './onnx-proto.ts';
import { decodeModel } from './testing/onnx-reader.ts';
import { nhwcToNchw, runOnnx } from './verify-onnx.ts';

/** y = relu(conv1x1(x; W, b)) + x  over 2 channels, plus a Clip and a channel Reshape round-trip. */
function tinyModel(): ModelProto {
  const g = new OnnxGraphBuilder();
  g.reserve('input');
  const w = g.weight('w', [2, 2, 1, 1], [1, 2, -1, 0.5]);
  const b = g.weight('b', [2], [0.5, -1]);
  let y = g.conv('input', w, b, { strides: [1, 1], pads: [0, 0, 0, 0] });
  y = g.relu(y);
  y = g.add(y, 'input');
  y = g.clip(y, -1, 6);
  y = g.reshape(y, [0, 2, 1, 2, 2]);
  y = g.reshape(y, [0, 2, 2, 2]);
  g.identity(y, 'out');
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'NAS Playground',
    producerVersion: 'test',
    graph: g.build(
      'tiny',
      [{ name: 'input', elemType: DataType.FLOAT, shape: ['N', 2, 2, 2] }],
      [{ name: 'out', elemType: DataType.FLOAT, shape: ['N', 2, 2, 2] }],
    ),
    metadataProps: [
      { key: 'k', value: 'v' },
      { key: 'json', value: '{"a":[1,2]}' },
    ],
  };
}

/** The same function in plain JS over NCHW data. */
function reference(x: Float32Array, n: number): Float32Array {
  const out = new Float32Array(x.length);
  const W = [
    [1, 2],
    [-1, 0.5],
  ];
  const B = [0.5, -1];
  for (let s = 0; s < n; s++)
    for (let p = 0; p < 4; p++)
      for (let o = 0; o < 2; o++) {
        const conv = W[o][0] * x[s * 8 + p] + W[o][1] * x[s * 8 + 4 + p] + B[o];
        const v = Math.max(conv, 0) + x[s * 8 + o * 4 + p];
        out[s * 8 + o * 4 + p] = Math.min(6, Math.max(-1, v));
      }
  return out;
}

describe('ONNX message encoders', () => {
  it('decode back to the same model', () => {
    const bytes = encodeModel(tinyModel());
    const m = decodeModel(bytes);
    expect(m.irVersion).toBe(8);
    expect(m.producerName).toBe('NAS Playground');
    expect(m.opsetImports).toEqual([{ domain: '', version: 17 }]);
    expect(m.metadata).toEqual({ k: 'v', json: '{"a":[1,2]}' });
    expect(m.modelFields).toEqual([1, 2, 3, 7, 8, 14]);
    expect(m.graph.inputs).toEqual([{ name: 'input', elemType: 1, shape: ['N', 2, 2, 2] }]);
    expect(m.graph.nodes.map((n) => n.opType)).toEqual([
      'Conv',
      'Relu',
      'Add',
      'Clip',
      'Reshape',
      'Reshape',
      'Identity',
    ]);
    const conv = m.graph.nodes[0];
    expect(conv.attributes.find((a) => a.name === 'pads')).toMatchObject({
      type: AttributeType.INTS,
      ints: [0, 0, 0, 0],
    });
    const w = m.graph.initializers.find((t) => t.name === conv.inputs[1])!;
    expect(w).toEqual({ name: 'w', dims: [2, 2, 1, 1], dataType: 1, values: [1, 2, -1, 0.5] });
    const shape = m.graph.initializers.find((t) => t.name === m.graph.nodes[4].inputs[1])!;
    expect(shape).toMatchObject({ dataType: DataType.INT64, dims: [5], values: [0, 2, 1, 2, 2] });
    // Clip's min / max are scalar (rank-0) initializers
    const clipMin = m.graph.initializers.find((t) => t.name === m.graph.nodes[3].inputs[1])!;
    expect(clipMin).toMatchObject({ dims: [], values: [-1] });
  });

  it('loads in onnxruntime-web with a dynamic batch and computes the reference', async () => {
    const bytes = encodeModel(tinyModel());
    for (const n of [1, 3]) {
      const nhwc = Float32Array.from({ length: n * 8 }, (_, i) => Math.sin(i * 1.7) * 3);
      const run = await runOnnx(bytes, nhwc, [n, 2, 2, 2]);
      expect(run.outputName).toBe('out');
      expect(run.dims).toEqual([n, 2, 2, 2]);
      const want = reference(nhwcToNchw(nhwc, [n, 2, 2, 2]), n);
      for (let i = 0; i < want.length; i++) expect(run.output[i]).toBeCloseTo(want[i], 5);
    }
  });

  it('transposes NHWC to NCHW', () => {
    // 1 x 1 x 2 x 3 (H=1, W=2, C=3): pixel-major in, channel-major out
    expect([...nhwcToNchw(Float32Array.from([1, 2, 3, 4, 5, 6]), [1, 1, 2, 3])]).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
