/**
 * The architecture description: one source of truth that builds tfjs models, counts cost and is exported
 * to ONNX. It reads like the tables of the FBNet / MobileNetV2 papers: a stem, a list of blocks (each with
 * kernel, expansion, output channels, stride, groups, attention, activation) and a head.
 * Plain JSON (no functions, no classes) so it travels through postMessage, URLs and checkpoints.
 */

export type Activation = 'relu' | 'relu6' | 'hswish' | 'swish' | 'none';

/** Channel attention after the depthwise conv: squeeze-excite (two FCs) or effective SE (one FC, CenterMask). */
export type Attention = 'none' | 'se' | 'ese';

/** conv (kxk, optional groups) + BatchNorm + activation. */
export interface ConvSpec {
  kind: 'conv';
  k: number;
  out: number;
  stride: number;
  groups?: number; // default 1
  dilation?: number; // default 1
  act: Activation;
  /** Plain conv with bias and no BatchNorm (e.g. a final projection). Default false. */
  noBn?: boolean;
}

/**
 * MobileNetV2 inverted residual: 1x1 expand (groups g, then channel shuffle if g > 1) -> depthwise kxk
 * (stride, dilation) -> optional SE/eSE -> 1x1 project (groups g, linear) ; residual add when the input
 * and output shapes match. e = expansion ratio (hidden = round(in * e)); e = 1 skips the expand conv.
 */
export interface IRSpec {
  kind: 'ir';
  k: number;
  e: number;
  out: number;
  stride: number;
  groups?: number; // default 1, FBNet's "_g2" candidates use 2
  dilation?: number; // default 1
  attention?: Attention; // default 'none'
  act?: Activation; // default 'relu' (FBNet V1 uses ReLU)
  /**
   * Padding of the depthwise conv on every side, instead of samePad(k, dilation). FBNetV3's released
   * definitions override it in a few stride-2 blocks (mobile-vision `dw_args: {padding: ...}`).
   */
  dwPad?: number;
  /**
   * SE bottleneck width (attention 'se'): 'hidden' (default) = makeDivisible(hidden / 4, 8), MobileNetV3's;
   * 'input' = divisibleBy(trunc(hidden / (4e)), 8), about a quarter of the block's input width, FBNetV3's
   * (mobile-vision `less_se_channels`). See irSeChannels in blocks/shapes.ts.
   */
  seReduce?: 'hidden' | 'input';
  /** Activation inside the SE bottleneck (default 'relu'); FBNetV3 uses the block's h-swish there. */
  seAct?: Activation;
}

/** FBNet's skip candidate: identity when shapes match, else 1x1 conv-bn (stride s) projection. */
export interface SkipSpec {
  kind: 'skip';
  out: number;
  stride: number;
}

/** Depthwise-separable conv: depthwise kxk-bn-act -> pointwise 1x1-bn-act, residual when shapes match. */
export interface SepSpec {
  kind: 'sep';
  k: number;
  out: number;
  stride: number;
  dilation?: number;
  attention?: Attention;
  act?: Activation;
}

/** GhostNet bottleneck: ghost module (primary 1x1 + cheap depthwise) expand -> dw (stride) -> ghost project. */
export interface GhostSpec {
  kind: 'ghost';
  k: number;
  e: number;
  out: number;
  stride: number;
  attention?: Attention;
  act?: Activation;
}

/** PeleeNet stem block: 3x3/2 conv, then two branches (1x1 + 3x3/2 conv | 2x2 max pool) concatenated,
 *  then 1x1 conv. Overall stride 4. */
export interface PeleeStemSpec {
  kind: 'pelee_stem';
  out: number;
}

/** Depthwise conv used as a learned average pooling (the PFLD simplification in the NNI example). */
export interface DwPoolSpec {
  kind: 'dwpool';
  k: number;
  stride: number;
  act?: Activation; // default 'none'
}

/**
 * FBNetV3's last block, ir_pool (Dai et al., "FBNetV3: Joint Architecture-Recipe Search", CVPR 2021;
 * IRPoolBlock in facebookresearch/mobile-vision): 1x1 expand in -> round(in * e) BN act -> global average
 * pool -> 1x1 to `out` with a bias and no BN, act. Its output is 1x1, so it ends the body.
 */
export interface IRPoolSpec {
  kind: 'ir_pool';
  e: number;
  out: number;
  act?: Activation; // default 'relu'
}

/**
 * BlazeFace's BlazeBlock (Bazarevsky et al., "BlazeFace: Sub-millisecond Neural Face Detection on Mobile
 * GPUs", 2019, Fig. 1): dw kxk (stride) BN -> 1x1 in->out BN, plus the shortcut, then act. The shortcut is
 * the input, max-pooled 2x2/2 when the stride is 2, with zero channels appended up to `out` (out >= in),
 * so it has no parameters. k = 5 in the paper.
 */
export interface BlazeSpec {
  kind: 'blaze';
  k: number;
  out: number;
  stride: number;
  act?: Activation; // default 'relu'
}

/**
 * BlazeFace's double BlazeBlock: dw kxk (stride) BN -> 1x1 in->mid BN act -> dw kxk BN -> 1x1 mid->out BN,
 * plus the same parameter-free shortcut as `blaze`, then act.
 */
export interface DoubleBlazeSpec {
  kind: 'double_blaze';
  k: number;
  mid: number;
  out: number;
  stride: number;
  act?: Activation; // default 'relu'
}

export type BlockSpec =
  | ConvSpec
  | IRSpec
  | SkipSpec
  | SepSpec
  | GhostSpec
  | PeleeStemSpec
  | DwPoolSpec
  | IRPoolSpec
  | BlazeSpec
  | DoubleBlazeSpec;
export type BlockKind = BlockSpec['kind'];

/** A searchable layer: the candidates (names from the candidate library) all map (in, stride) -> out. */
export interface SearchLayerSpec {
  kind: 'search';
  out: number;
  stride: number;
  candidates: string[];
  /** FBNetV2 channel search: options for `out`, ascending; the supernet computes at the largest. */
  widths?: number[];
  /**
   * FBNetV2 expansion-rate search: ratios (ascending, none equal to 1) replacing the e of the layer's
   * inverted-residual candidates that have an expand conv; the supernet computes at the largest.
   */
  expansions?: number[];
}

export type HeadSpec =
  | {
      kind: 'classifier';
      /** 1x1 conv-bn-act to this many channels before global pooling (MobileNetV2's 1280); omit for none. */
      features?: number;
      act?: Activation;
      classes: number;
    }
  | {
      kind: 'landmarks';
      points: number; // 106 -> 212 outputs (x, y in [0,1] of the input image)
      /** 1x1 conv-bn-act to this many channels before global pooling; omit for none. */
      features?: number;
      act?: Activation;
      /**
       * Pool the final features over a grid×grid grid of cells instead of globally (model/grid-pool.ts),
       * so the FC sees where features are; 1 (the default) is global average pooling.
       */
      grid?: number;
      /**
       * PFLD's multi-scale fusion: indices into `body` whose outputs are globally average-pooled and
       * concatenated with the final pooled features before the fully-connected layer. Omit for none.
       */
      taps?: number[];
    };

export type Task = 'classification' | 'landmarks';

export function taskOf(head: HeadSpec): Task {
  return head.kind === 'classifier' ? 'classification' : 'landmarks';
}

/** Side of the grid a head pools its final features over (1: global pooling); checked. */
export function headGrid(head: HeadSpec): number {
  const g = head.kind === 'landmarks' ? (head.grid ?? 1) : 1;
  if (!Number.isInteger(g) || g < 1 || g > 16) {
    throw new Error(`landmark head grid ${g} is not an integer in 1..16`);
  }
  return g;
}

/** Cells a head pools its final features into: headGrid². */
export function headCells(head: HeadSpec): number {
  return headGrid(head) ** 2;
}

export interface InputSpec {
  size: number; // square H = W
  channels: number;
}

/** A plain network: every body entry is a concrete block. */
export interface Arch {
  name: string;
  input: InputSpec;
  body: BlockSpec[];
  head: HeadSpec;
}

/** A search space: like Arch but body entries may be searchable layers. */
export interface SearchSpace {
  id: string;
  title: string;
  description: string;
  input: InputSpec;
  body: (BlockSpec | SearchLayerSpec)[];
  head: HeadSpec;
}

export function isSearchLayer(layer: BlockSpec | SearchLayerSpec): layer is SearchLayerSpec {
  return layer.kind === 'search';
}
