import { describe, expect, it } from 'vitest';
import { archSpec } from './net-spec.ts';
import { encodeSafetensors } from './safetensors.ts';
import { torchTensors } from './torch-weights.ts';
import type { Arch } from '../../arch/spec.ts';
import type { WeightMap } from '../../model/weights.ts';

function decode(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  return { n, header, data: bytes.subarray(8 + n) };
}

describe('encodeSafetensors', () => {
  it('writes the header length, an 8-aligned JSON header and little-endian data at the stated offsets', () => {
    const bytes = encodeSafetensors(
      [
        { name: 'a', shape: [2], data: Float32Array.of(1.5, -2) },
        { name: 'b', shape: [1, 1], data: BigInt64Array.of(7n) },
      ],
      { format: 'pt', note: 'é' },
    );
    const { n, header, data } = decode(bytes);
    expect((8 + n) % 8).toBe(0);
    expect(header.__metadata__).toEqual({ format: 'pt', note: 'é' });
    expect(header.a).toEqual({ dtype: 'F32', shape: [2], data_offsets: [0, 8] });
    expect(header.b).toEqual({ dtype: 'I64', shape: [1, 1], data_offsets: [8, 16] });
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    expect([dv.getFloat32(0, true), dv.getFloat32(4, true)]).toEqual([1.5, -2]);
    expect(dv.getBigInt64(8, true)).toBe(7n);
    expect(data.length).toBe(16);
  });

  it('rejects a shape that does not match the data and a repeated name', () => {
    expect(() => encodeSafetensors([{ name: 'a', shape: [3], data: new Float32Array(2) }])).toThrow(
      /2 values/,
    );
    const t = { name: 'a', shape: [1], data: new Float32Array(1) };
    expect(() => encodeSafetensors([t, t])).toThrow(/twice/);
  });
});

describe('torchTensors', () => {
  // conv 3x3 (2 -> 3) + BN, then a depthwise block, a head FC: hand-checked layouts
  const arch: Arch = {
    name: 't',
    input: { size: 4, channels: 2 },
    body: [{ kind: 'conv', k: 3, out: 3, stride: 1, act: 'relu' }],
    head: { kind: 'classifier', classes: 2 },
  };
  const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => i);
  const weights: WeightMap = {
    'body/0/conv/kernel': { shape: [3, 3, 2, 3], data: ramp(54) },
    'body/0/conv/bn/gamma': { shape: [3], data: Float32Array.of(1, 2, 3) },
    'body/0/conv/bn/beta': { shape: [3], data: Float32Array.of(4, 5, 6) },
    'body/0/conv/bn/mean': { shape: [3], data: Float32Array.of(7, 8, 9) },
    'body/0/conv/bn/variance': { shape: [3], data: Float32Array.of(10, 11, 12) },
    'head/fc/kernel': { shape: [3, 2], data: ramp(6) },
    'head/fc/bias': { shape: [2], data: Float32Array.of(0.5, -0.5) },
  };

  it('transposes kernels to PyTorch layouts and renames BatchNorm tensors', () => {
    const t = new Map(torchTensors(archSpec(arch), weights).map((x) => [x.name, x]));
    const conv = t.get('layers.body__0__conv.weight')!;
    expect(conv.shape).toEqual([3, 2, 3, 3]);
    // torch [o, i, y, x] = tfjs [y, x, i, o] = ((y * 3 + x) * 2 + i) * 3 + o
    const at = (o: number, i: number, y: number, x: number) => conv.data[((o * 2 + i) * 3 + y) * 3 + x];
    expect(at(2, 1, 0, 1)).toBe(((0 * 3 + 1) * 2 + 1) * 3 + 2);
    expect(at(0, 0, 2, 2)).toBe(((2 * 3 + 2) * 2 + 0) * 3 + 0);
    expect(Array.from(t.get('layers.body__0__conv__bn.running_var')!.data as Float32Array)).toEqual([
      10, 11, 12,
    ]);
    expect(Array.from(t.get('layers.body__0__conv__bn.weight')!.data as Float32Array)).toEqual([1, 2, 3]);
    const fc = t.get('layers.head__fc.weight')!;
    expect(fc.shape).toEqual([2, 3]);
    expect(Array.from(fc.data as Float32Array)).toEqual([0, 2, 4, 1, 3, 5]);
  });

  it('refuses weights that the lowering does not account for, or that are missing', () => {
    const extra = { ...weights, 'body/9/conv/kernel': { shape: [1], data: new Float32Array(1) } };
    expect(() => torchTensors(archSpec(arch), extra)).toThrow(/not exported: body\/9\/conv\/kernel/);
    const { ['head/fc/bias']: _, ...missing } = weights;
    expect(() => torchTensors(archSpec(arch), missing)).toThrow(/no parameter "head\/fc\/bias"/);
    const wrong = { ...weights, 'head/fc/kernel': { shape: [2, 3], data: ramp(6) } };
    expect(() => torchTensors(archSpec(arch), wrong)).toThrow(/head\/fc\/kernel is \[2,3\]/);
  });
});
