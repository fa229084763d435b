import { describe, expect, it } from 'vitest';
import type { Arch, BlockSpec } from '../arch/spec.ts';
import { blockCost, countCost, layerShapes } from './count.ts';
import { ghostPrimary, irHidden, seReduce } from './rules.ts';

const shape = (h: number, c: number) => ({ h, w: h, c });

describe('blockCost (hand-computed)', () => {
  it('conv: Hout*Wout*Cout*Cin/g*k*k MACs; weights + BN gamma/beta, or bias without BN', () => {
    const spec: BlockSpec = { kind: 'conv', k: 3, out: 4, stride: 2, act: 'relu' };
    // 8x8x3 -> 4x4x4: 16 * 4 * 3 * 9 = 1728 ; 4*27 weights + 8 BN
    expect(blockCost(spec, shape(8, 3))).toEqual({ macs: 1728, params: 116, out: shape(4, 4) });
    expect(blockCost({ ...spec, noBn: true }, shape(8, 3)).params).toBe(108 + 4);
    // grouped: 5x5x4 -> 5x5x8, groups 2: 25 * 8 * 2 * 9 = 3600 ; 8*2*9 + 16
    const g: BlockSpec = { kind: 'conv', k: 3, out: 8, stride: 1, groups: 2, act: 'relu' };
    expect(blockCost(g, shape(5, 4))).toEqual({ macs: 3600, params: 160, out: shape(5, 8) });
    // odd size at stride 2 rounds up (padding k//2)
    expect(blockCost(spec, shape(7, 3)).out).toEqual(shape(4, 4));
  });

  it('inverted residual with grouped 1x1 convs', () => {
    const spec: BlockSpec = { kind: 'ir', k: 3, e: 3, out: 12, stride: 2, groups: 2 };
    // 10x10x8, hidden 24: expand 100*24*4 = 9600 ; dw 25*24*9 = 5400 ; project 25*12*12 = 3600
    // params: (24*4 + 48) + (24*9 + 48) + (12*12 + 24) = 144 + 264 + 168
    expect(blockCost(spec, shape(10, 8))).toEqual({ macs: 18600, params: 576, out: shape(5, 12) });
    // e = 1 has no expand conv: dw 100*8*9 = 7200 (+72+16) ; project grouped 100*8*4 = 3200 (+32+16)
    const e1: BlockSpec = { kind: 'ir', k: 3, e: 1, out: 8, stride: 1, groups: 2 };
    expect(blockCost(e1, shape(10, 8))).toEqual({ macs: 10400, params: 136, out: shape(10, 8) });
  });

  it('hidden width rounds and respects groups', () => {
    expect(irHidden(16, 6)).toBe(96);
    expect(irHidden(5, 1.4, 2)).toBe(8); // round(7) = 7 -> nearest multiple of 2, 8 (round(3.5) = 4)
    expect(irHidden(4, 1.25, 4)).toBe(4); // 5 -> nearest multiple of 4 (rounds, not up)
    expect(irHidden(2, 0.25, 4)).toBe(4); // at least `groups`
    expect(irHidden(7, 1)).toBe(7);
    expect(() => blockCost({ kind: 'ir', k: 3, e: 1, out: 8, stride: 1, groups: 2 }, shape(4, 5))).toThrow(
      /groups/,
    );
  });

  it('ir_pool: expand at full resolution, project on the pooled 1x1 features', () => {
    // in 8 at 7x7, e 6 -> 48: expand 7*7*48*8 = 18816 MACs, 384 weights + 96 BN; project 48*16 = 768
    // MACs and weights + 16 bias
    const c = blockCost({ kind: 'ir_pool', e: 6, out: 16, act: 'hswish' }, shape(7, 8));
    expect(c).toEqual({ macs: 18816 + 768, params: 384 + 96 + 768 + 16, out: { h: 1, w: 1, c: 16 } });
    expect(blockCost({ kind: 'ir_pool', e: 6, out: 16 }, shape(7, 8), 'weights').params).toBe(384 + 768);
  });

  it('squeeze-excite and eSE on the hidden channels', () => {
    expect(seReduce(32)).toBe(8);
    expect(seReduce(16)).toBe(8);
    expect(seReduce(100)).toBe(24); // makeDivisible(25, 8)
    expect(seReduce(36)).toBe(16); // 8 would be more than 10 % below 9
    const spec: BlockSpec = { kind: 'ir', k: 3, e: 2, out: 16, stride: 1, attention: 'se' };
    // 4x4x16, hidden 32, SE 32->8->32 with biases:
    // expand 16*32*16 = 8192 (512+64) ; dw 16*32*9 = 4608 (288+64) ; SE 2*32*8 = 512 (256+8+256+32) ;
    // project 16*16*32 = 8192 (512+32)
    expect(blockCost(spec, shape(4, 16))).toEqual({ macs: 21504, params: 2024, out: shape(4, 16) });
    // eSE: one 32->32 FC with bias
    const ese = blockCost({ ...spec, attention: 'ese' }, shape(4, 16));
    expect(ese.macs).toBe(21504 - 512 + 1024);
    expect(ese.params).toBe(2024 - 552 + 1056);
    // 4x4x6, e 6 -> hidden 36, SE 36->16->36 (16 = makeDivisible(9, 8)), residual:
    // expand 16*36*6 = 3456 (216+72) ; dw 16*36*9 = 5184 (324+72) ; SE 2*36*16 = 1152 (576+16+576+36) ;
    // project 16*6*36 = 3456 (216+12)
    const wide: BlockSpec = { kind: 'ir', k: 3, e: 6, out: 6, stride: 1, attention: 'se' };
    expect(blockCost(wide, shape(4, 6))).toEqual({ macs: 13248, params: 2116, out: shape(4, 6) });
  });

  it('PeleeNet stem', () => {
    // 32x32x3, out 16: 3x3/2 -> 16x16x16 : 256*16*27 = 110592 (432 + 32)
    //   1x1 16->8 at 16x16 : 256*8*16 = 32768 (128 + 16) ; 3x3/2 8->16 -> 8x8 : 64*16*72 = 73728 (1152 + 32)
    //   max pool -> 8x8x16 ; concat 32 ; 1x1 32->16 at 8x8 : 64*16*32 = 32768 (512 + 32)
    expect(blockCost({ kind: 'pelee_stem', out: 16 }, shape(32, 3))).toEqual({
      macs: 249856,
      params: 2336,
      out: shape(8, 16),
    });
    expect(blockCost({ kind: 'pelee_stem', out: 16 }, shape(30, 3)).out).toEqual(shape(8, 16));
  });

  it('skip, separable, dwpool and ghost', () => {
    expect(blockCost({ kind: 'skip', out: 8, stride: 1 }, shape(8, 8))).toEqual({
      macs: 0,
      params: 0,
      out: shape(8, 8),
    });
    // projection 1x1/2 8->16 : 16*16*8 = 2048 (128 + 32)
    expect(blockCost({ kind: 'skip', out: 16, stride: 2 }, shape(8, 8))).toEqual({
      macs: 2048,
      params: 160,
      out: shape(4, 16),
    });
    // sep k3 + eSE on 4x4x4 -> 8: dw 16*4*9 = 576 (36+8) ; eSE 16 (16+4) ; pw 16*8*4 = 512 (32+16)
    expect(blockCost({ kind: 'sep', k: 3, out: 8, stride: 1, attention: 'ese' }, shape(4, 4))).toEqual({
      macs: 1104,
      params: 112,
      out: shape(4, 8),
    });
    // dwpool k3/2 on 6x6x4: 9*4*9 = 324 ; 36 weights + 4 biases, no BN
    expect(blockCost({ kind: 'dwpool', k: 3, stride: 2 }, shape(6, 4))).toEqual({
      macs: 324,
      params: 40,
      out: shape(3, 4),
    });
    // dwpool k2 (even kernel: padding 0, a plain 2x2 window): 8x8x4 -> 7x7 : 49*4*4 = 784 (16 + 4)
    expect(blockCost({ kind: 'dwpool', k: 2, stride: 1 }, shape(8, 4))).toEqual({
      macs: 784,
      params: 20,
      out: shape(7, 4),
    });
    expect(blockCost({ kind: 'dwpool', k: 2, stride: 2 }, shape(8, 4)).out).toEqual(shape(4, 4));
    expect(ghostPrimary(7)).toBe(4);
  });

  it('ghost: strided dw only at stride > 1, projection shortcut when shapes differ', () => {
    // k3 e2 out 8 stride 2 on 8x8x4, hidden 8:
    //   ghost 4->8: primary 64*4*4 = 1024 (16+8), cheap 64*4*9 = 2304 (36+8)
    //   dw 3x3/2 on 8: 16*8*9 = 1152 (72+16)
    //   ghost 8->8 at 4x4: primary 16*4*8 = 512 (32+8), cheap 16*4*9 = 576 (36+8)
    //   shortcut: dw 3x3/2 on the 4 input channels 16*4*9 = 576 (36+8), 1x1 4->8 16*8*4 = 512 (32+16)
    expect(blockCost({ kind: 'ghost', k: 3, e: 2, out: 8, stride: 2 }, shape(8, 4))).toEqual({
      macs: 6656,
      params: 332,
      out: shape(4, 8),
    });
    // the same at stride 1 on 4x4x4: no strided dw; the shortcut dw runs at stride 1
    //   ghost1 256 (24) + 576 (44) ; ghost2 512 (40) + 576 (44) ; shortcut 576 (44) + 512 (48)
    expect(blockCost({ kind: 'ghost', k: 3, e: 2, out: 8, stride: 1 }, shape(4, 4))).toEqual({
      macs: 3008,
      params: 244,
      out: shape(4, 8),
    });
    // in = out at stride 1: identity shortcut, nothing added. ghost 4->8 as above ; ghost 8->4: primary
    // 8->2 16*2*8 = 256 (16+4), cheap 16*2*9 = 288 (18+4)
    expect(blockCost({ kind: 'ghost', k: 5, e: 2, out: 4, stride: 1 }, shape(4, 4))).toEqual({
      macs: 1376,
      params: 110,
      out: shape(4, 4),
    });
  });

  it('BlazeBlock and double BlazeBlock: the shortcut (max pool, zero channels) is free', () => {
    // blaze k5/2 on 8x8x4 -> 6 at 4x4: dw 16*4*25 = 1600 (100+8) ; pw 16*6*4 = 384 (24+12)
    expect(blockCost({ kind: 'blaze', k: 5, out: 6, stride: 2 }, shape(8, 4))).toEqual({
      macs: 1984,
      params: 144,
      out: shape(4, 6),
    });
    // double blaze k5/1 on 4x4x8, mid 4 -> 12: dw1 16*8*25 = 3200 (200+16) ; pw1 16*4*8 = 512 (32+8) ;
    // dw2 16*4*25 = 1600 (100+8) ; pw2 16*12*4 = 768 (48+24)
    expect(blockCost({ kind: 'double_blaze', k: 5, mid: 4, out: 12, stride: 1 }, shape(4, 8))).toEqual({
      macs: 6080,
      params: 436,
      out: shape(4, 12),
    });
    // odd input at stride 2: conv and ceil-mode pool both give ceil(7/2) = 4
    expect(blockCost({ kind: 'double_blaze', k: 3, mid: 4, out: 8, stride: 2 }, shape(7, 8)).out).toEqual(
      shape(4, 8),
    );
    expect(() => blockCost({ kind: 'blaze', k: 5, out: 4, stride: 1 }, shape(4, 8))).toThrow(/narrow/);
  });

  it('dilation keeps the same output size', () => {
    const d: BlockSpec = { kind: 'ir', k: 3, e: 2, out: 64, stride: 2, dilation: 3 };
    const plain: BlockSpec = { ...d, dilation: 1 };
    expect(blockCost(d, shape(14, 32))).toEqual(blockCost(plain, shape(14, 32)));
    expect(blockCost(d, shape(14, 32)).out).toEqual(shape(7, 64));
  });
});

describe('countCost with heads', () => {
  it('classifier: features conv, pool, FC with bias', () => {
    const arch: Arch = {
      name: 't',
      input: { size: 2, channels: 3 },
      body: [{ kind: 'conv', k: 1, out: 4, stride: 1, act: 'relu' }],
      head: { kind: 'classifier', features: 8, classes: 10 },
    };
    // body 4*4*3 = 48 (12+8) ; features 4*8*4 = 128 (32+16) ; FC 8*10 = 80 (80+10)
    expect(countCost(arch)).toEqual({ macs: 256, params: 158 });
    // a different input size changes MACs only
    expect(countCost(arch, { size: 4, channels: 3 })).toEqual({ macs: 4 * 256 - 3 * 80, params: 158 });
  });

  it('landmarks: pooled taps are concatenated before the FC to 2*points', () => {
    const arch: Arch = {
      name: 't',
      input: { size: 4, channels: 1 },
      body: [
        { kind: 'conv', k: 3, out: 4, stride: 2, act: 'relu' },
        { kind: 'conv', k: 1, out: 6, stride: 1, act: 'relu' },
      ],
      head: { kind: 'landmarks', points: 2, taps: [0] },
    };
    // conv1 4*4*1*9 = 144 (36+8) ; conv2 4*6*4 = 96 (24+12) ; FC (6+4)*4 = 40 (40+4)
    expect(countCost(arch)).toEqual({ macs: 280, params: 124 });
    expect(() => countCost({ ...arch, head: { kind: 'landmarks', points: 2, taps: [5] } })).toThrow(/taps/);
  });

  it('landmarks with a grid: the FC sees channels × cells, pooling adds no MACs', () => {
    const arch: Arch = {
      name: 't',
      input: { size: 4, channels: 1 },
      body: [{ kind: 'conv', k: 3, out: 2, stride: 1, act: 'relu' }],
      head: { kind: 'landmarks', points: 1, grid: 2 },
    };
    // conv 4*4*9*2 = 288 (18+4) ; FC (2 channels * 4 cells) * 2 = 16 (16+2)
    expect(countCost(arch)).toEqual({ macs: 304, params: 40 });
    expect(countCost(arch, arch.input, 'weights')).toEqual({ macs: 304, params: 34 });
    expect(() => countCost({ ...arch, head: { kind: 'landmarks', points: 1, grid: 0 } })).toThrow(/grid/);
  });

  it("'weights' convention: conv/FC weights only, no biases, no BatchNorm", () => {
    const conv: BlockSpec = { kind: 'conv', k: 3, out: 4, stride: 2, act: 'relu' };
    expect(blockCost(conv, shape(8, 3), 'weights')).toEqual({ macs: 1728, params: 108, out: shape(4, 4) });
    expect(blockCost({ ...conv, noBn: true }, shape(8, 3), 'weights').params).toBe(108);
    // the SE block above: expand 512 + dw 288 + SE 256+256 + project 512 (its 160 BN + 40 biases dropped)
    const se: BlockSpec = { kind: 'ir', k: 3, e: 2, out: 16, stride: 1, attention: 'se' };
    expect(blockCost(se, shape(4, 16), 'weights').params).toBe(1824);
    expect(blockCost(se, shape(4, 16), 'weights').macs).toBe(blockCost(se, shape(4, 16)).macs);
    const arch: Arch = {
      name: 't',
      input: { size: 2, channels: 3 },
      body: [{ kind: 'conv', k: 1, out: 4, stride: 1, act: 'relu' }],
      head: { kind: 'classifier', features: 8, classes: 10 },
    };
    // 12 + 32 + 80 weights; MACs unchanged
    expect(countCost(arch, arch.input, 'weights')).toEqual({ macs: 256, params: 124 });
  });

  it('layerShapes follows the body', () => {
    const arch: Arch = {
      name: 't',
      input: { size: 9, channels: 3 },
      body: [
        { kind: 'conv', k: 3, out: 8, stride: 2, act: 'relu' },
        { kind: 'ir', k: 5, e: 6, out: 16, stride: 2 },
      ],
      head: { kind: 'classifier', classes: 2 },
    };
    expect(layerShapes(arch)).toEqual([
      { in: shape(9, 3), out: shape(5, 8) },
      { in: shape(5, 8), out: shape(3, 16) },
    ]);
  });
});
