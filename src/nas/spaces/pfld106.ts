import type { SearchSpace } from '../arch/spec.ts';

/** NNI's two candidate sets: stage 0 for the 32-channel layers, stage 1 for the 64-channel layers. */
const STAGE0 = [
  'mb_k3_res',
  'mb_k3_e2_res',
  'mb_k3_res_d3',
  'mb_k5_res',
  'mb_k5_e2_res',
  'sep_k3',
  'sep_k5',
  'gh_k3',
  'gh_k5',
];
const STAGE1 = [
  'mb_k3_e2_res',
  'mb_k3_e4_res',
  'mb_k3_e2_res_se',
  'mb_k3_res_d3',
  'mb_k5_res',
  'mb_k5_e2_res',
  'mb_k5_res_se',
  'mb_k5_e2_res_se',
  'gh_k5',
];

/**
 * Layout follows NNI's PFLDInference supernet: 112 -> 28 after the stem, 14 after the fixed IR block,
 * five searchable layers (32, 32 at 14x14; 64 stride 2, 64, 64 at 7x7), then the fixed eSE IR block,
 * separable conv to 128 and depthwise pooling conv. NNI fuses its multi-scale features by concatenating
 * 7x7 maps; here (as in the PFLD paper) the tapped features are globally pooled and concatenated before
 * the FC, which the landmark head's `taps` express.
 */
export const PFLD_106: SearchSpace = {
  id: 'pfld_106',
  title: 'PFLD-106 face landmarks (NNI, 112×112)',
  description:
    'A lightweight facial-landmark network in the style of PFLD, as simplified in the NNI FBNet example: ' +
    'a PeleeNet stem brings the 112×112 face down to 28×28, one fixed inverted residual halves it again, ' +
    'and five searchable layers (two at 32 channels, three at 64) choose among MobileNet blocks with ' +
    'expansion 1, 2 or 4, dilated and eSE-attention variants, separable convolutions and ghost blocks. ' +
    'A fixed eSE block, a separable convolution and a depthwise convolution standing in for pooling close ' +
    'the body; the head pools features from three scales and regresses 106 (x, y) points.',
  input: { size: 112, channels: 3 },
  body: [
    { kind: 'pelee_stem', out: 16 },
    { kind: 'ir', k: 3, e: 2, out: 32, stride: 2, groups: 1, act: 'relu' },
    { kind: 'search', out: 32, stride: 1, candidates: [...STAGE0] },
    { kind: 'search', out: 32, stride: 1, candidates: [...STAGE0] },
    { kind: 'search', out: 64, stride: 2, candidates: [...STAGE1] },
    { kind: 'search', out: 64, stride: 1, candidates: [...STAGE1] },
    { kind: 'search', out: 64, stride: 1, candidates: [...STAGE1] },
    { kind: 'ir', k: 3, e: 2, out: 64, stride: 1, groups: 1, attention: 'ese', act: 'relu' },
    { kind: 'sep', k: 3, out: 128, stride: 1, act: 'relu' },
    { kind: 'dwpool', k: 7, stride: 1, act: 'none' },
  ],
  head: { kind: 'landmarks', points: 106, taps: [0, 3] },
};
