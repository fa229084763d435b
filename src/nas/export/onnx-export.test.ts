import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, type NasModel } from '../model/model.ts';
import { ARCH_METADATA_KEY, exportOnnx, verifyOnnx } from './index.ts';
import { decodeModel, type DecodedModel } from './testing/onnx-reader.ts';
import { useLocalOrtWasm } from './testing/ort-node.ts';
import { randomInput, randomizeModel } from './testing/randomize.ts';
import { TEST_ARCHS as ARCHS } from './testing/test-archs.ts';

/** Structural checks on the decoded graph (SSA order, no BatchNorm, initializer accounting). */
function checkGraph(m: DecodedModel, model: NasModel): void {
  const g = m.graph;
  const known = new Set<string>([...g.inputs.map((v) => v.name), ...g.initializers.map((t) => t.name)]);
  expect(known.size).toBe(g.inputs.length + g.initializers.length); // distinct names
  for (const n of g.nodes) {
    for (const i of n.inputs) expect(known.has(i), `${n.opType} input ${i} defined before use`).toBe(true);
    for (const o of n.outputs) {
      expect(known.has(o), `${o} assigned once`).toBe(false);
      known.add(o);
    }
  }
  for (const o of g.outputs) expect(known.has(o.name)).toBe(true);
  expect(g.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(false);

  // Σ float weight initializers (rank >= 1) = Σ conv kernels + one bias per conv output channel + FC.
  // Each BN becomes a per-channel bias, so the same number is paramCount - Σ |γ| (γ and β -> one bias).
  const params = model.params();
  const size = (suffix: RegExp) =>
    params.filter((p) => suffix.test(p.name)).reduce((s, p) => s + p.variable.size, 0);
  const kernels = size(/\/(kernel|depthwise_kernel)$/);
  const gammas = size(/\/bn\/gamma$/);
  const biases = size(/\/bias$/); // noBn convs, SE convs, dwpool, FC
  // the grid pooling matrix is a constant, not a parameter
  const weightInits = g.initializers.filter(
    (t) => t.dataType === 1 && t.dims.length > 0 && !t.name.endsWith('/grid_pool'),
  );
  const initSum = weightInits.reduce((s, t) => s + t.values.length, 0);
  expect(initSum).toBe(kernels + biases + gammas);
  expect(initSum).toBe(model.paramCount() - gammas);
  // the rest are constants: rank-0 Clip bounds, int64 shape / slice vectors, the grid pooling matrix
  const cells = model.arch.head.kind === 'landmarks' ? (model.arch.head.grid ?? 1) ** 2 : 1;
  for (const t of g.initializers.filter((t) => !weightInits.includes(t))) {
    if (t.name.endsWith('/grid_pool')) expect(t.dims[1]).toBe(cells);
    else expect(t.dataType === 7 || t.dims.length === 0).toBe(true);
  }
  expect(g.nodes.filter((n) => n.opType === 'MatMul').length).toBe(cells > 1 ? 1 : 0);
  // one Conv per conv / depthwise kernel, one Gemm for the FC
  const convKernels = params.filter(
    (p) => /\/(kernel|depthwise_kernel)$/.test(p.name) && !p.name.startsWith('head/fc/'),
  );
  expect(g.nodes.filter((n) => n.opType === 'Conv').length).toBe(convKernels.length);
  expect(g.nodes.filter((n) => n.opType === 'Gemm').length).toBe(1);
}

describe('exportOnnx', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await useLocalOrtWasm();
  });

  const models: NasModel[] = [];
  afterAll(() => models.forEach((m) => m.dispose()));

  for (const [index, arch] of ARCHS.entries()) {
    it(`${arch.name}: loads in onnxruntime-web and matches tfjs (batch 1 and 3)`, async () => {
      const model = createModel(arch, { seed: 100 + index });
      models.push(model);
      randomizeModel(model, 7 + index);
      const bytes = await exportOnnx(model, {
        metadata: { 'nas_playground.url': 'https://example.test/#x' },
      });

      const decoded = decodeModel(bytes);
      expect(decoded.irVersion).toBe(8);
      expect(decoded.opsetImports).toEqual([{ domain: '', version: 17 }]);
      expect(decoded.producerName).toBe('NAS Playground');
      expect(JSON.parse(decoded.metadata[ARCH_METADATA_KEY])).toEqual(arch);
      expect(decoded.metadata['nas_playground.url']).toBe('https://example.test/#x');
      const s = arch.input.size;
      expect(decoded.graph.inputs).toEqual([{ name: 'input', elemType: 1, shape: ['N', 3, s, s] }]);
      const outName = arch.head.kind === 'landmarks' ? 'landmarks' : 'logits';
      const outSize = arch.head.kind === 'landmarks' ? 2 * arch.head.points : arch.head.classes;
      expect(decoded.graph.outputs).toEqual([{ name: outName, elemType: 1, shape: ['N', outSize] }]);
      checkGraph(decoded, model);

      for (const n of [1, 3]) {
        const shape: [number, number, number, number] = [n, s, s, 3];
        const x = randomInput(shape, 1000 * index + n);
        const expected = tf.tidy(() => model.predict(tf.tensor4d(x, shape)).dataSync() as Float32Array);
        // outputs are O(1), so a 1e-4 agreement is meaningful
        expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(0.1);
        const r = await verifyOnnx(bytes, x, shape, Float32Array.from(expected));
        expect(r.outputName).toBe(outName);
        expect(r.dims).toEqual([n, outSize]);
        expect(r.maxAbsDiff).toBeLessThan(1e-4);
      }
    });
  }

  it('opset 13 writes hswish as x * HardSigmoid(x) and still matches', async () => {
    const arch = ARCHS[0];
    const model = createModel(arch, { seed: 5 });
    models.push(model);
    randomizeModel(model, 5);
    const bytes = await exportOnnx(model, { opset: 13 });
    const ops = decodeModel(bytes).graph.nodes.map((n) => n.opType);
    expect(ops).not.toContain('HardSwish');
    expect(decodeModel(bytes).opsetImports).toEqual([{ domain: '', version: 13 }]);
    const shape: [number, number, number, number] = [2, 16, 16, 3];
    const x = randomInput(shape, 3);
    const expected = tf.tidy(() => model.predict(tf.tensor4d(x, shape)).dataSync() as Float32Array);
    expect((await verifyOnnx(bytes, x, shape, Float32Array.from(expected))).maxAbsDiff).toBeLessThan(1e-4);
    await expect(exportOnnx(model, { opset: 12 })).rejects.toThrow(/opset 12/);
  });

  it('detects a mismatch (negative control): changed BN statistics after export', async () => {
    const arch = ARCHS[3];
    const model = createModel(arch, { seed: 9 });
    models.push(model);
    randomizeModel(model, 9);
    const bytes = await exportOnnx(model);
    const mean = model.params().find((p) => p.name === 'body/1/dw/bn/mean')!.variable;
    tf.tidy(() => mean.assign(tf.add(mean, 0.5)));
    const shape: [number, number, number, number] = [1, 16, 16, 3];
    const x = randomInput(shape, 4);
    const expected = tf.tidy(() => model.predict(tf.tensor4d(x, shape)).dataSync() as Float32Array);
    expect((await verifyOnnx(bytes, x, shape, Float32Array.from(expected))).maxAbsDiff).toBeGreaterThan(1e-3);
  });

  it('writes the SE gate as HardSigmoid(alpha = 1/6, beta = 0.5) and BN-free Conv weights in OIHW', async () => {
    const model = createModel(ARCHS[3], { seed: 2 });
    models.push(model);
    const g = decodeModel(await exportOnnx(model)).graph;
    const hs = g.nodes.filter((n) => n.opType === 'HardSigmoid');
    expect(hs.length).toBe(4); // four attention blocks
    for (const n of hs) {
      expect(n.attributes.find((a) => a.name === 'alpha')!.f).toBeCloseTo(1 / 6, 7);
      expect(n.attributes.find((a) => a.name === 'beta')!.f).toBe(0.5);
    }
    // body/1 expands 16 -> 48 channels: its depthwise 3x3 conv has group 48 and weight [48, 1, 3, 3]
    const dw = g.nodes.find((n) => n.opType === 'Conv' && n.inputs[1].startsWith('body/1/dw'))!;
    expect(dw.attributes.find((a) => a.name === 'group')!.i).toBe(48);
    expect(g.initializers.find((t) => t.name === dw.inputs[1])!.dims).toEqual([48, 1, 3, 3]);
  });
});
