/**
 * FBNetV2's channel mask and resolution subsampling on plain numbers (DMaskingNAS eqs. 1-3 and its input
 * resolution search), for views that explain them without a tfjs device. The tensor versions the supernet
 * runs are channel-mask.ts (channelMask) and resolution.ts (subsample, intersperse); mask-host.test.ts
 * checks these against them.
 */

/** M = Σ_i w_i · l(v_i) over `max` channels, l(v) = [1 × v, 0 × (max − v)]. */
export function composeMask(values: readonly number[], weights: readonly number[], max: number): number[] {
  if (values.length !== weights.length)
    throw new Error(`${weights.length} weights for ${values.length} options`);
  const m = new Array<number>(max).fill(0);
  values.forEach((v, i) => {
    if (!(v >= 0 && v <= max)) throw new Error(`Channel option ${v} outside 0..${max}`);
    for (let c = 0; c < v; c++) m[c] += weights[i];
  });
  return m;
}

/** Σ w_i · v_i: the effective channel count (differentiable in w in the supernet). */
export function effectiveCount(values: readonly number[], weights: readonly number[]): number {
  return values.reduce((s, v, i) => s + v * weights[i], 0);
}

/**
 * A size×size image with `channels` interleaved channels (row-major, HWC) subsampled by f and spread back
 * over the full grid with zeros interspersed: pixel (i·f, j·f) kept, every other pixel 0 (resolution.ts:
 * subsample then intersperse). The kept pixels are ceil(size / f)² of them.
 */
export function interspersedSubsample(
  pixels: ArrayLike<number>,
  size: number,
  f: number,
  channels = 1,
): number[] {
  if (!(Number.isInteger(f) && f >= 1))
    throw new Error(`Subsampling factor must be a whole number ≥ 1, got ${f}`);
  const out = new Array<number>(size * size * channels).fill(0);
  for (let y = 0; y < size; y += f)
    for (let x = 0; x < size; x += f)
      for (let c = 0; c < channels; c++)
        out[(y * size + x) * channels + c] = pixels[(y * size + x) * channels + c];
  return out;
}
