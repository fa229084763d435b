/**
 * Token spaces: one derived from any block-choice search space (one token per searchable layer, its value
 * the candidate index, so a token list is exactly the `blocks` of ArchChoices and a supernet can score it),
 * and a BlazeFace-style preset after PaddleSlim's BlazeFace SANAS example (9 tokens: channel counts of the
 * stem, the single-Blaze and double-Blaze stages and their middle widths, and the depthwise kernel size;
 * ranges 7, 9, 12, 12, 6, 6, 6, 6, 2 and initial tokens [2, 1, 3, 8, 2, 1, 2, 1, 1] as in the example).
 */
import type { Arch, BlockSpec, SearchLayerSpec, SearchSpace } from '../arch/spec.ts';
import { archFromChoices, searchLayerIndices } from '../spaces/derive.ts';
import type { TokenSpace } from './token-space.ts';

/** One token per searchable layer of `space` (candidate edits already applied); decodes to its Arch. */
export function tokenSpaceOf(space: SearchSpace): TokenSpace {
  const indices = searchLayerIndices(space);
  const layers = indices.map((i) => space.body[i] as SearchLayerSpec);
  return {
    id: space.id,
    title: space.title,
    ranges: layers.map((l) => l.candidates.length),
    labels: indices.map((i, j) => `layer ${i}: ${layers[j].candidates.join(' | ')}`),
    decode: (tokens) => archFromChoices(space, [...tokens], `${space.id}-${tokens.join('')}`),
  };
}

/**
 * Channel tables of the BlazeFace-style space, sized as the example's range table but scaled to this
 * project's small inputs (the example's are for 640-pixel face detection). BlazeFace's shortcut appends
 * zero channels and cannot narrow, so each stage's table starts where the previous one ends: every token
 * list decodes to a valid network.
 */
export const BLAZE_TABLES = {
  stem: [4, 5, 6, 7, 8, 9, 10],
  single: [10, 12, 14, 16, 18, 20, 22, 24, 26],
  double1: [26, 28, 30, 32, 34, 36, 38, 40, 42, 44, 46, 48],
  double2: [48, 52, 56, 60, 64, 68, 72, 76, 80, 84, 88, 96],
  mid: [4, 6, 8, 10, 12, 16],
  kernel: [3, 5],
} as const;

/** BlazeBlock and double BlazeBlock (BlazeFace, Bazarevsky et al. 2019), arch/spec.ts. */
const blaze = (k: number, out: number, stride = 1): BlockSpec => ({ kind: 'blaze', k, out, stride });
const double = (k: number, mid: number, out: number, stride = 1): BlockSpec => ({
  kind: 'double_blaze',
  k,
  mid,
  out,
  stride,
});

/** tokens → Arch of the BlazeFace-style space at `inputSize` with the 106-point landmark head. */
export function decodeBlaze(tokens: readonly number[], inputSize = 64): Arch {
  const T = BLAZE_TABLES;
  const f1 = T.stem[tokens[0]];
  const f2 = T.single[tokens[1]];
  const d2 = T.double1[tokens[2]];
  const d3 = T.double2[tokens[3]];
  const mid = [4, 5, 6, 7].map((i) => T.mid[tokens[i]]);
  const k = T.kernel[tokens[8]];
  if (tokens.length !== 9 || [f1, f2, d2, d3, k, ...mid].some((v) => v === undefined)) {
    throw new Error(`BlazeFace tokens out of range: [${tokens.join(', ')}]`);
  }
  const body: BlockSpec[] = [
    { kind: 'conv', k: 3, out: f1, stride: 2, act: 'relu' },
    // single BlazeBlocks: [f1 → f1], [f1 → f2, stride 2], [f2 → f2]
    blaze(k, f1),
    blaze(k, f2, 2),
    blaze(k, f2),
    // double BlazeBlocks: [f2 → mid4 → d2, stride 2], [d2 → mid5 → d2], [d2 → mid6 → d3, 2], [d3 → mid7 → d3]
    double(k, mid[0], d2, 2),
    double(k, mid[1], d2),
    double(k, mid[2], d3, 2),
    double(k, mid[3], d3),
  ];
  return {
    name: `blazeface-${tokens.join('')}`,
    input: { size: inputSize, channels: 3 },
    body,
    head: { kind: 'landmarks', points: 106, features: 64, act: 'relu', grid: 4 },
  };
}

export const BLAZEFACE_TOKENS: TokenSpace = {
  id: 'blazeface',
  title: 'BlazeFace-style tokens (PaddleSlim SANAS example)',
  ranges: [7, 9, 12, 12, 6, 6, 6, 6, 2],
  labels: [
    'stem channels',
    'single-Blaze channels',
    'double-Blaze channels, stage 1',
    'double-Blaze channels, stage 2',
    'double-Blaze middle 1',
    'double-Blaze middle 2',
    'double-Blaze middle 3',
    'double-Blaze middle 4',
    'depthwise kernel 3 or 5',
  ],
  init: [2, 1, 3, 8, 2, 1, 2, 1, 1],
  decode: (tokens) => decodeBlaze(tokens),
};
