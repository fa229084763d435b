/**
 * Shape and channel rules shared by the tfjs blocks and their lowering to ops (arch/lower.ts, which cost
 * counting, the ONNX exporter and the latency mapping read). Keeping them in one place is what makes them
 * agree; a block's output size is what lowering it gives.
 */
import type { BlockSpec } from '../arch/spec.ts';

/**
 * Symmetric padding on every side of a kxk conv/pool with dilation d: floor((k - 1) * d / 2), which is
 * (k // 2) * d for odd k (every conv in the engine). Applied explicitly (tf.pad + 'valid'), so tfjs,
 * PyTorch (padding=p) and ONNX (pads=[p, p, p, p]) give identical results, also at stride 2.
 * Even k (only dwpool k=2 in practice) gets floor((k-1)/2) * d, e.g. 0 for k=2: a plain 2x2 window.
 */
export function samePad(k: number, dilation = 1): number {
  return Math.floor(((k - 1) * dilation) / 2);
}

/**
 * Output side of a kxk conv with stride s, dilation d and padding p on every side (samePad unless a block
 * says otherwise, e.g. FBNetV3's depthwise padding exceptions): floor((n + 2p - d(k-1) - 1) / s) + 1.
 */
export function convOutSize(
  size: number,
  k: number,
  stride: number,
  dilation = 1,
  p = samePad(k, dilation),
): number {
  return Math.floor((size + 2 * p - dilation * (k - 1) - 1) / stride) + 1;
}

/** Output side of the PeleeNet stem's 2x2/2 max pool in ceil mode (ONNX MaxPool ceil_mode=1, pads 0). */
export function poolCeilOutSize(size: number, k: number, stride: number): number {
  return Math.ceil((size - k) / stride) + 1;
}

/**
 * MobileNet's channel rounding: nearest multiple of `divisor`, at least `min`, never more than 10% below v.
 */
export function makeDivisible(v: number, divisor = 8, min = divisor): number {
  let n = Math.max(min, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

/** SE bottleneck width: channels / 4 rounded by makeDivisible(., 8) (so at least 8). */
export function seChannels(channels: number): number {
  return makeDivisible(channels / 4, 8);
}

/**
 * facebookresearch/mobile-vision's channel rounding (get_divisible_by in mobile_cv/arch/utils/helper.py):
 * v unchanged when already a multiple of `divisor`; else the nearest multiple (halves round up, at least
 * one divisor), one divisor more when that falls below 95 % of v; never under `min`. It differs from
 * makeDivisible (the MobileNet rule, 90 %): 17 -> 24 here, 16 there.
 */
export function divisibleBy(v: number, divisor: number, min = divisor): number {
  let n = Math.trunc(v);
  if (v % divisor !== 0) {
    n = (Math.floor(v / divisor + 0.5) || 1) * divisor;
    if (n < 0.95 * v) n += divisor;
  }
  return Math.max(n, min);
}

/**
 * SE bottleneck width of an inverted residual with hidden width `hidden` and expansion e (IRSpec.seReduce):
 * 'hidden' -> seChannels(hidden) (MobileNetV3); 'input' -> mobile-vision's `less_se_channels` (FBNetV3):
 * trunc(hidden * 0.25 / e), i.e. about a quarter of the block's input width, then divisibleBy(., 8).
 */
export function irSeChannels(hidden: number, e: number, reduce: 'hidden' | 'input' = 'hidden'): number {
  return reduce === 'input' ? divisibleBy(Math.trunc((hidden * 0.25) / e), 8) : seChannels(hidden);
}

/**
 * Inverted-residual hidden width: e = 1 -> inChannels (no expand conv); else round(in * e), then for
 * groups g > 1 rounded to the nearest multiple of g (at least g).
 */
export function irHiddenChannels(inChannels: number, e: number, groups = 1): number {
  if (e === 1) return inChannels;
  const h = Math.max(1, Math.round(inChannels * e));
  return groups > 1 ? Math.max(groups, Math.round(h / groups) * groups) : h;
}

/** Ghost bottleneck hidden width: round(in * e), at least 1. */
export function ghostHiddenChannels(inChannels: number, e: number): number {
  return Math.max(1, Math.round(inChannels * e));
}

/** A ghost module producing `out` channels: primary 1x1 to ceil(out / 2), cheap 3x3 dw on those (ratio 2),
 *  concatenation sliced to the first `out` channels. */
export function ghostPrimaryChannels(out: number): number {
  return Math.ceil(out / 2);
}

/** Kernel of the ghost module's cheap depthwise conv (GhostNet's dw_size). */
export const GHOST_CHEAP_KERNEL = 3;

/** PeleeNet stem's 1x1 bottleneck width in branch 1: floor(out / 2), at least 1. */
export function peleeHalfChannels(out: number): number {
  return Math.max(1, Math.floor(out / 2));
}

/** Output channels of a block: its `out`, or its input channels for kinds without one (dwpool). */
export function blockOutChannels(spec: BlockSpec, inChannels: number): number {
  return 'out' in spec ? spec.out : inChannels;
}
