/**
 * Pure-JS augmentation of one square RGB image (Uint8Array, size * size * 3) and its 212 normalised landmark
 * values, in the spirit of the PFLD-106 reference (rotation +-30 deg and shift during preprocessing, flip,
 * brightness/contrast jitter). Geometry moves pixels and landmarks with the same affine map; the image is
 * resampled bilinearly with edges clamped. Coordinates are continuous: x = column / size, so pixel i covers
 * [i, i + 1) and a mirror is x -> 1 - x. Every draw comes from the Rng passed in.
 */
import type { Rng } from '../rng.ts';
import { FLIP_106, NUM_COORDS, NUM_POINTS } from './landmarks106.ts';

export interface AugmentOptions {
  /** probability of a horizontal flip (with left/right landmark swap); 0 disables */
  flip?: number;
  /** maximum rotation in degrees about the image centre */
  rotateDeg?: number;
  /** scale range [lo, hi] about the image centre */
  scale?: readonly [number, number];
  /** maximum shift as a fraction of the image side */
  translate?: number;
  /** brightness: multiply by 1 + u, u in [-b, b] */
  brightness?: number;
  /** contrast: blend with the mean grey by 1 + u, u in [-c, c] */
  contrast?: number;
}

export const DEFAULT_AUGMENT: Required<AugmentOptions> = {
  flip: 0.5,
  rotateDeg: 15,
  scale: [0.9, 1.1],
  translate: 0.05,
  brightness: 0.25,
  contrast: 0.25,
};

export interface Sample {
  image: Uint8Array;
  landmarks: Float32Array;
}

/** Mirror image and landmarks (x -> 1 - x, left/right points swapped through FLIP_106). */
export function flipSample(image: Uint8Array, landmarks: Float32Array, size: number): Sample {
  const out = new Uint8Array(image.length);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const s = (y * size + x) * 3;
      const d = (y * size + (size - 1 - x)) * 3;
      out[d] = image[s];
      out[d + 1] = image[s + 1];
      out[d + 2] = image[s + 2];
    }
  }
  const lm = new Float32Array(NUM_COORDS);
  for (let i = 0; i < NUM_POINTS; i++) {
    const j = FLIP_106[i];
    lm[2 * i] = 1 - landmarks[2 * j];
    lm[2 * i + 1] = landmarks[2 * j + 1];
  }
  return { image: out, landmarks: lm };
}

export interface Affine {
  /** degrees, counter-clockwise on screen (y down), about the image centre */
  angleDeg: number;
  scale: number;
  /** shift in normalised units */
  tx: number;
  ty: number;
}

/** Forward map of a normalised point under `a`: p' = c + s R (p - c) + t, c = (0.5, 0.5). */
export function affinePoint(a: Affine, x: number, y: number): [number, number] {
  const r = (a.angleDeg * Math.PI) / 180;
  const c = Math.cos(r);
  const s = Math.sin(r);
  const dx = x - 0.5;
  const dy = y - 0.5;
  // counter-clockwise on screen with y pointing down
  return [0.5 + a.scale * (c * dx + s * dy) + a.tx, 0.5 + a.scale * (-s * dx + c * dy) + a.ty];
}

/** Warp image and landmarks by `a` (bilinear, edge pixels repeated outside the source). */
export function affineSample(image: Uint8Array, landmarks: Float32Array, size: number, a: Affine): Sample {
  const r = (a.angleDeg * Math.PI) / 180;
  const c = Math.cos(r);
  const s = Math.sin(r);
  const inv = 1 / a.scale;
  const out = new Uint8Array(image.length);
  const max = size - 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // destination pixel centre -> source point (inverse of affinePoint), in pixel-index space
      const u = (x + 0.5) / size - 0.5 - a.tx;
      const v = (y + 0.5) / size - 0.5 - a.ty;
      const sx = (0.5 + inv * (c * u - s * v)) * size - 0.5;
      const sy = (0.5 + inv * (s * u + c * v)) * size - 0.5;
      const cx = sx < 0 ? 0 : sx > max ? max : sx;
      const cy = sy < 0 ? 0 : sy > max ? max : sy;
      const x0 = Math.floor(cx);
      const y0 = Math.floor(cy);
      const x1 = x0 < max ? x0 + 1 : x0;
      const y1 = y0 < max ? y0 + 1 : y0;
      const fx = cx - x0;
      const fy = cy - y0;
      const o00 = (y0 * size + x0) * 3;
      const o01 = (y0 * size + x1) * 3;
      const o10 = (y1 * size + x0) * 3;
      const o11 = (y1 * size + x1) * 3;
      const d = (y * size + x) * 3;
      for (let k = 0; k < 3; k++) {
        const top = image[o00 + k] + (image[o01 + k] - image[o00 + k]) * fx;
        const bot = image[o10 + k] + (image[o11 + k] - image[o10 + k]) * fx;
        out[d + k] = Math.round(top + (bot - top) * fy);
      }
    }
  }
  const lm = new Float32Array(NUM_COORDS);
  for (let i = 0; i < NUM_POINTS; i++) {
    const [px, py] = affinePoint(a, landmarks[2 * i], landmarks[2 * i + 1]);
    lm[2 * i] = px;
    lm[2 * i + 1] = py;
  }
  return { image: out, landmarks: lm };
}

/** In place: v -> ((v - mean) * (1 + contrast) + mean) * (1 + brightness), clamped. */
export function adjustBrightnessContrast(image: Uint8Array, brightness: number, contrast: number): void {
  let sum = 0;
  for (let i = 0; i < image.length; i++) sum += image[i];
  const m = sum / image.length;
  const kc = 1 + contrast;
  const kb = 1 + brightness;
  for (let i = 0; i < image.length; i++) {
    const v = ((image[i] - m) * kc + m) * kb;
    image[i] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
  }
}

function inside(lm: Float32Array): boolean {
  for (let i = 0; i < lm.length; i++) if (lm[i] < 0 || lm[i] > 1) return false;
  return true;
}

/**
 * Random flip + affine + photometric jitter. When the drawn affine would push a landmark out of the frame
 * it is halved towards identity (up to 3 times, then dropped), like the reference's reject-and-redraw but
 * with a fixed number of draws so the Rng stream stays predictable.
 */
export function augmentSample(
  image: Uint8Array,
  landmarks: Float32Array,
  size: number,
  rng: Rng,
  options: AugmentOptions = {},
): Sample {
  const o = { ...DEFAULT_AUGMENT, ...options };
  const doFlip = rng.next() < o.flip;
  let a: Affine = {
    angleDeg: (2 * rng.next() - 1) * o.rotateDeg,
    scale: o.scale[0] + (o.scale[1] - o.scale[0]) * rng.next(),
    tx: (2 * rng.next() - 1) * o.translate,
    ty: (2 * rng.next() - 1) * o.translate,
  };
  const b = (2 * rng.next() - 1) * o.brightness;
  const c = (2 * rng.next() - 1) * o.contrast;

  let cur: Sample = doFlip ? flipSample(image, landmarks, size) : { image, landmarks };
  let ok = false;
  for (let t = 0; t < 4 && !ok; t++) {
    const moved = new Float32Array(NUM_COORDS);
    for (let i = 0; i < NUM_POINTS; i++) {
      const [px, py] = affinePoint(a, cur.landmarks[2 * i], cur.landmarks[2 * i + 1]);
      moved[2 * i] = px;
      moved[2 * i + 1] = py;
    }
    if (inside(moved) || !inside(cur.landmarks)) ok = true;
    else a = { angleDeg: a.angleDeg / 2, scale: 1 + (a.scale - 1) / 2, tx: a.tx / 2, ty: a.ty / 2 };
  }
  if (ok && (a.angleDeg !== 0 || a.scale !== 1 || a.tx !== 0 || a.ty !== 0)) {
    cur = affineSample(cur.image, cur.landmarks, size, a);
  }
  const img = cur.image === image ? image.slice() : cur.image;
  adjustBrightnessContrast(img, b, c);
  return { image: img, landmarks: cur.landmarks === landmarks ? landmarks.slice() : cur.landmarks };
}
