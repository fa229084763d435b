/**
 * The released FBNetV3-A … G (Dai et al., "FBNetV3: Joint Architecture-Recipe Search using Predictor
 * Pretraining", CVPR 2021), transcribed from the per-stage lists FBNetV3_A … FBNetV3_G in
 * facebookresearch/mobile-vision, mobile_cv/arch/fbnet_v2/fbnet_modeldef_cls_fbnetv3.py (commit bb8465c),
 * with the block semantics of mobile_cv/arch/fbnet_v2/irf_block.py and blocks_factory.py:
 *
 * - every conv unit is conv -> BatchNorm -> h-swish ("_hs" ops); the stem is a 3x3/2 conv;
 * - "ir_kK[_sehsig]_hs" is an inverted residual (1x1 expand, kxk depthwise, [SE], linear 1x1 project,
 *   residual when shapes match). Hidden width = in·e rounded to a multiple of 8 (basic_args width_divisor 8);
 *   every in·e here already is one, so the rounding changes nothing (fbnetv3.test.ts checks it);
 * - "sehsig": squeeze-excitation after the depthwise conv, gated by a hard sigmoid, its bottleneck activated
 *   by the block's h-swish, its width from the block input: IRF_CFG's less_se_channels makes it
 *   trunc(hidden · 0.25 / e) rounded to a multiple of 8 (IRSpec seReduce 'input', irSeChannels);
 * - a few stride-2 depthwise convs override the padding (`dw_args: {padding: ...}`): IRSpec.dwPad. With them
 *   FBNetV3-A's last feature map is 6x6 at 224, not 7x7;
 * - the last block is ir_pool_hs (1x1 expand to 6·in, global pool, 1x1 to 1984, h-swish; spec.ts IRPoolSpec),
 *   then mobile-vision's classification head: pool (of the 1x1 map) and a 1x1 conv with bias to 1000
 *   classes, here the classifier head's FC.
 * FBNetV3-B is FBNetV3-A's network at 248 px. Not carried over: zero_last_bn_gamma (initialisation only) and
 * the biases mobile-vision's conv units keep in front of a BatchNorm (the stem; BatchNorm cancels them) and
 * leave out of ir_pool's last conv (ours has one); neither changes the counted weights or MACs.
 */
import type { Arch, BlockSpec } from './spec.ts';

/**
 * One row of a released stage list: n blocks of kernel k, expansion e and `out` channels, the first with
 * stride s (and, where the release overrides it, depthwise padding dwPad), SE in every block when se.
 */
type Row = [k: number, e: number, out: number, s: number, n: number, se: 0 | 1, dwPad?: number];

function rowBlocks([k, e, out, s, n, se, dwPad]: Row): BlockSpec[] {
  return Array.from({ length: n }, (_, i): BlockSpec => ({
    kind: 'ir',
    k,
    e,
    out,
    stride: i === 0 ? s : 1,
    act: 'hswish',
    ...(se ? { attention: 'se' as const, seReduce: 'input' as const, seAct: 'hswish' as const } : {}),
    ...(i === 0 && dwPad !== undefined ? { dwPad } : {}),
  }));
}

function fbnetv3(name: string, size: number, stem: number, rows: Row[]): Arch {
  return {
    name,
    input: { size, channels: 3 },
    body: [
      { kind: 'conv', k: 3, out: stem, stride: 2, act: 'hswish' },
      ...rows.flatMap(rowBlocks),
      { kind: 'ir_pool', e: 6, out: 1984, act: 'hswish' },
    ],
    head: { kind: 'classifier', classes: 1000 },
  };
}

const A_ROWS: Row[] = [
  [3, 1, 16, 1, 2, 0],
  [5, 4, 24, 2, 1, 0],
  [5, 2, 24, 1, 3, 0],
  [5, 5, 40, 2, 1, 1],
  [5, 3, 40, 1, 4, 1],
  [5, 5, 72, 2, 1, 0, 1],
  [3, 3, 72, 1, 4, 0],
  [3, 5, 120, 1, 1, 1],
  [5, 3, 120, 1, 5, 1],
  [3, 6, 184, 2, 1, 1, 0],
  [5, 4, 184, 1, 5, 1],
  [5, 6, 224, 1, 1, 1],
];

export const FBNETV3: Record<string, Arch> = {
  fbnetv3_a: fbnetv3('FBNetV3-A', 224, 16, A_ROWS),
  fbnetv3_b: fbnetv3('FBNetV3-B', 248, 16, A_ROWS),
  fbnetv3_c: fbnetv3('FBNetV3-C', 248, 16, [
    [3, 1, 16, 1, 2, 0],
    [5, 5, 24, 2, 1, 0],
    [3, 3, 24, 1, 4, 0],
    [5, 5, 48, 2, 1, 1],
    [5, 2, 48, 1, 4, 1],
    [5, 4, 88, 2, 1, 0, 1],
    [3, 3, 88, 1, 4, 0],
    [3, 4, 120, 1, 1, 1],
    [5, 3, 120, 1, 5, 1],
    [5, 5, 216, 2, 1, 1, 1],
    [5, 5, 216, 1, 5, 1],
    [5, 6, 216, 1, 1, 1],
  ]),
  fbnetv3_d: fbnetv3('FBNetV3-D', 248, 24, [
    [3, 1, 16, 1, 2, 0],
    [3, 5, 24, 2, 1, 0],
    [3, 2, 24, 1, 5, 0],
    [5, 4, 40, 2, 1, 1],
    [3, 3, 40, 1, 4, 1],
    [3, 5, 72, 2, 1, 0],
    [3, 3, 72, 1, 4, 0],
    [3, 5, 128, 1, 1, 1],
    [5, 3, 128, 1, 6, 1],
    [3, 6, 208, 2, 1, 1],
    [5, 5, 208, 1, 5, 1],
    [5, 6, 240, 1, 1, 1],
  ]),
  fbnetv3_e: fbnetv3('FBNetV3-E', 264, 24, [
    [3, 1, 16, 1, 3, 0],
    [5, 4, 24, 2, 1, 0],
    [5, 2, 24, 1, 4, 0],
    [5, 4, 48, 2, 1, 1],
    [5, 3, 48, 1, 4, 1],
    [5, 5, 80, 2, 1, 0, 1],
    [3, 3, 80, 1, 4, 0],
    [3, 5, 128, 1, 1, 1],
    [5, 3, 128, 1, 7, 1],
    [3, 6, 216, 2, 1, 1],
    [5, 5, 216, 1, 5, 1],
    [5, 6, 240, 1, 1, 1],
  ]),
  fbnetv3_f: fbnetv3('FBNetV3-F', 272, 24, [
    [3, 1, 24, 1, 3, 0],
    [5, 4, 32, 2, 1, 0],
    [5, 2, 32, 1, 4, 0],
    [5, 4, 56, 2, 1, 1],
    [5, 3, 56, 1, 4, 1],
    [5, 5, 88, 2, 1, 0],
    [3, 3, 88, 1, 4, 0],
    [3, 5, 144, 1, 1, 1],
    [5, 3, 144, 1, 8, 1],
    [3, 6, 248, 2, 1, 1, 0],
    [5, 5, 248, 1, 6, 1],
    [5, 6, 272, 1, 1, 1],
  ]),
  fbnetv3_g: fbnetv3('FBNetV3-G', 320, 32, [
    [3, 1, 24, 1, 3, 0],
    [5, 4, 40, 2, 1, 0],
    [5, 2, 40, 1, 4, 0],
    [5, 4, 56, 2, 1, 1],
    [5, 3, 56, 1, 4, 1],
    [5, 5, 104, 2, 1, 0],
    [3, 3, 104, 1, 4, 0],
    [3, 5, 160, 1, 1, 1],
    [5, 3, 160, 1, 8, 1],
    [3, 6, 264, 2, 1, 1],
    [5, 5, 264, 1, 6, 1],
    [5, 6, 288, 1, 2, 1],
  ]),
};
