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

/** Output side of a kxk conv with stride s, dilation d and samePad: floor((n + 2p - d(k-1) - 1) / s) + 1. */
export function convOutSize(size: number, k: number, stride: number, dilation = 1): number {
  const p = samePad(k, dilation);
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
