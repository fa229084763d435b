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
 * project's small inputs (the example's are for 640-pixel face detection).
 */
export const BLAZE_TABLES = {
  stem: [4, 6, 8, 10, 12, 14, 16],
  single: [8, 10, 12, 14, 16, 18, 20, 22, 24],
  double: [16, 20, 24, 28, 32, 36, 40, 44, 48, 56, 64, 72],
  mid: [4, 6, 8, 10, 12, 16],
  kernel: [3, 5],
} as const;

/**
 * A BlazeBlock (BlazeFace, Bazarevsky et al. 2019) is a k×k depthwise conv then a 1×1 conv with a
 * residual; this library's `sep` block is exactly that unit (its activation also follows the depthwise
 * conv, where BlazeFace has none). A double BlazeBlock is two such units, the first narrowing to `mid`.
 */
const blaze = (k: number, out: number, stride = 1): BlockSpec => ({
  kind: 'sep',
  k,
  out,
  stride,
  act: 'relu',
});

/** tokens → Arch of the BlazeFace-style space at `inputSize` with the 106-point landmark head. */
export function decodeBlaze(tokens: readonly number[], inputSize = 64): Arch {
  const T = BLAZE_TABLES;
  const f1 = T.stem[tokens[0]];
  const f2 = T.single[tokens[1]];
  const d2 = T.double[tokens[2]];
  const d3 = T.double[tokens[3]];
  const mid = [4, 5, 6, 7].map((i) => T.mid[tokens[i]]);
  const k = T.kernel[tokens[8]];
  if ([f1, f2, d2, d3, k, ...mid].some((v) => v === undefined)) {
    throw new Error(`BlazeFace tokens out of range: [${tokens.join(', ')}]`);
  }
  const body: BlockSpec[] = [
    { kind: 'conv', k: 3, out: f1, stride: 2, act: 'relu' },
    // single BlazeBlocks: [f1 → f1], [f1 → f2, stride 2], [f2 → f2]
    blaze(k, f1),
    blaze(k, f2, 2),
    blaze(k, f2),
    // double BlazeBlocks: [f2 → mid4 → d2, stride 2], [d2 → mid5 → d2], [d2 → mid6 → d3, 2], [d3 → mid7 → d3]
    blaze(k, mid[0], 2),
    blaze(k, d2),
    blaze(k, mid[1]),
    blaze(k, d2),
    blaze(k, mid[2], 2),
    blaze(k, d3),
    blaze(k, mid[3]),
    blaze(k, d3),
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
