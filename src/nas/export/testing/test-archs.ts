/**
 * Test-only: small architectures that together use every BlockSpec kind and option the exporter maps
 * (grouped 1x1 + shuffle, dilation, SE / eSE, identity and projection skips, ghost with odd widths,
 * even-kernel dwpool, the PeleeNet stem at an odd size, a landmarks head with taps, a grid-pooled landmarks
 * head whose grid does not divide the map, all FBNet V1 candidates, FBNetV3's ir_pool ending the body, its
 * depthwise padding overrides and its SE from the block input, BlazeFace's blaze / double_blaze with every
 * shortcut form).
 */
import type { Arch, BlockSpec } from '../../arch/spec.ts';
import { FBNET_V1_CANDIDATES, candidateSpec } from '../../arch/candidates.ts';

const classifier = (name: string, size: number, body: BlockSpec[], classes = 5, features?: number): Arch => ({
  name,
  input: { size, channels: 3 },
  body,
  head: { kind: 'classifier', classes, features, act: 'hswish' },
});

export const TEST_ARCHS: Arch[] = [
  classifier(
    'tiny-ir',
    16,
    [
      { kind: 'conv', k: 3, out: 8, stride: 2, act: 'relu6' },
      { kind: 'ir', k: 3, e: 3, out: 8, stride: 1 },
      { kind: 'ir', k: 5, e: 6, out: 16, stride: 2, act: 'hswish' },
      { kind: 'ir', k: 3, e: 3, out: 16, stride: 1, dilation: 2, act: 'swish' },
    ],
    5,
    24,
  ),
  classifier(
    'grouped',
    16,
    [
      { kind: 'conv', k: 3, out: 8, stride: 1, act: 'relu' },
      { kind: 'ir', k: 3, e: 1, out: 8, stride: 1, groups: 2 }, // shuffle on the block input
      { kind: 'ir', k: 5, e: 3, out: 16, stride: 2, groups: 2 },
      { kind: 'conv', k: 3, out: 16, stride: 1, groups: 4, act: 'relu' },
      { kind: 'ir', k: 3, e: 6, out: 16, stride: 1, groups: 2, act: 'relu6' },
    ],
    4,
  ),
  classifier(
    'skips',
    16,
    [
      { kind: 'conv', k: 3, out: 8, stride: 2, act: 'relu' },
      { kind: 'skip', out: 8, stride: 1 }, // identity
      { kind: 'skip', out: 16, stride: 2 }, // projection, strided
      { kind: 'skip', out: 24, stride: 1 }, // projection, wider
      { kind: 'skip', out: 24, stride: 1 }, // identity as the last block
    ],
    3,
  ),
  classifier(
    'attention',
    16,
    [
      { kind: 'conv', k: 3, out: 16, stride: 2, act: 'hswish' },
      { kind: 'ir', k: 3, e: 3, out: 16, stride: 1, attention: 'se', act: 'hswish' },
      { kind: 'ir', k: 5, e: 1, out: 24, stride: 2, attention: 'ese' },
      { kind: 'sep', k: 3, out: 24, stride: 1, attention: 'se', act: 'swish' },
      { kind: 'sep', k: 5, out: 32, stride: 2, attention: 'ese', act: 'relu6' },
    ],
    6,
    40,
  ),
  classifier(
    'ghost-dwpool',
    16,
    [
      { kind: 'conv', k: 3, out: 12, stride: 1, act: 'relu' },
      { kind: 'ghost', k: 3, e: 2, out: 12, stride: 1 }, // identity shortcut
      { kind: 'ghost', k: 5, e: 1.25, out: 15, stride: 2, attention: 'se' }, // odd widths -> Slice
      { kind: 'sep', k: 3, out: 15, stride: 1 },
      { kind: 'dwpool', k: 3, stride: 2 },
      { kind: 'dwpool', k: 2, stride: 2, act: 'relu' }, // even kernel: no padding
      { kind: 'conv', k: 1, out: 8, stride: 1, act: 'none', noBn: true },
    ],
    2,
  ),
  classifier(
    'ir-pool',
    16,
    [
      { kind: 'conv', k: 3, out: 8, stride: 2, act: 'hswish' },
      { kind: 'ir', k: 3, e: 4, out: 12, stride: 2, attention: 'se', act: 'hswish' },
      { kind: 'ir_pool', e: 6, out: 20, act: 'hswish' },
    ],
    6,
  ),
  {
    name: 'pelee-landmarks',
    input: { size: 30, channels: 3 }, // odd stem output (15): ceil-mode max pool
    body: [
      { kind: 'pelee_stem', out: 16 },
      { kind: 'ir', k: 3, e: 3, out: 16, stride: 1 },
      { kind: 'ir', k: 3, e: 3, out: 24, stride: 2 },
      { kind: 'dwpool', k: 3, stride: 2 },
      { kind: 'conv', k: 3, out: 32, stride: 1, act: 'hswish' },
    ],
    head: { kind: 'landmarks', points: 106, features: 48, act: 'relu', taps: [1, 3] },
  },
  {
    name: 'grid-landmarks',
    input: { size: 20, channels: 3 },
    body: [
      { kind: 'conv', k: 3, out: 8, stride: 2, act: 'relu' }, // 10x10
      { kind: 'ir', k: 3, e: 3, out: 12, stride: 2 }, // 5x5, pooled into 3x3 overlapping cells
    ],
    head: { kind: 'landmarks', points: 5, grid: 3, taps: [0] },
  },
  classifier('fbnet-v1-candidates', 16, [
    { kind: 'conv', k: 3, out: 16, stride: 2, act: 'relu' },
    ...FBNET_V1_CANDIDATES.map((c, i) => candidateSpec(c.name, 16, i === 3 ? 2 : 1)),
  ]),
  // FBNetV3's blocks: depthwise padding overrides (k5 pad 1 and k3 pad 0 at stride 2: 11 -> 5 -> 2), SE
  // with its width from the block input and h-swish inside, ir_pool
  classifier('fbnetv3-blocks', 22, [
    { kind: 'conv', k: 3, out: 8, stride: 2, act: 'hswish' },
    { kind: 'ir', k: 5, e: 4, out: 16, stride: 2, act: 'hswish', dwPad: 1 },
    {
      kind: 'ir',
      k: 3,
      e: 3,
      out: 16,
      stride: 1,
      act: 'hswish',
      attention: 'se',
      seReduce: 'input',
      seAct: 'hswish',
    },
    {
      kind: 'ir',
      k: 3,
      e: 5,
      out: 24,
      stride: 2,
      act: 'hswish',
      attention: 'se',
      seReduce: 'input',
      seAct: 'hswish',
      dwPad: 0,
    },
    { kind: 'ir_pool', e: 6, out: 32, act: 'hswish' },
  ]),
  {
    name: 'blaze-landmarks',
    input: { size: 22, channels: 3 },
    body: [
      { kind: 'conv', k: 3, out: 6, stride: 2, act: 'relu' }, // 11x11: odd, the shortcut pool is ceil mode
      { kind: 'blaze', k: 5, out: 6, stride: 1 }, // identity shortcut
      { kind: 'blaze', k: 5, out: 10, stride: 2 }, // max pool + zero channels
      { kind: 'blaze', k: 3, out: 14, stride: 1, act: 'relu6' }, // zero channels only
      { kind: 'double_blaze', k: 5, mid: 4, out: 20, stride: 2 },
      { kind: 'double_blaze', k: 3, mid: 6, out: 20, stride: 1, act: 'hswish' },
    ],
    head: { kind: 'landmarks', points: 106, features: 32, act: 'relu', taps: [2] },
  },
];
