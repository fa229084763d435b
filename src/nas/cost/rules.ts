/**
 * Shape and channel rules shared by the cost counter and the tfjs block builder. Both sides must agree
 * exactly, otherwise counted MACs/params drift from the real model; keep every such rule in this file.
 */

/** Output side of a conv/pool with symmetric padding `pad` (PyTorch/ONNX formula). */
export function convOutSize(size: number, k: number, stride: number, pad: number, dilation = 1): number {
  return Math.floor((size + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
}

/** Padding of every kxk conv in the blocks: k//2 * dilation, i.e. "same" size for odd k, ceil(h/s) at stride s. */
export function convPad(k: number, dilation = 1): number {
  return Math.floor(k / 2) * dilation;
}

/**
 * Hidden (expanded) channels of an inverted residual: round(in * e); with grouped 1x1 convs it is rounded up
 * to a multiple of `groups`. With e == 1 there is no expand conv, so hidden == in.
 */
export function irHidden(inC: number, e: number, groups = 1): number {
  if (e === 1) return inC;
  const h = Math.max(1, Math.round(inC * e));
  return Math.ceil(h / groups) * groups;
}

/** Squeeze-excite bottleneck width: max(8, round(c / 4)). */
export function seReduce(c: number): number {
  return Math.max(8, Math.round(c / 4));
}

/**
 * Ghost module (ratio 2) producing `c` channels: a primary 1x1 conv to ceil(c/2) channels, a cheap 3x3
 * depthwise conv on those, concatenated and cut to `c`.
 */
export function ghostPrimary(c: number): number {
  return Math.ceil(c / 2);
}

/** Kernel of the ghost module's cheap depthwise operation. */
export const GHOST_CHEAP_K = 3;

/** PeleeNet stem: width of the 1x1 bottleneck before the second 3x3/2 conv. */
export function peleeMid(out: number): number {
  return Math.max(1, Math.floor(out / 2));
}
