import { describe, expect, test } from 'vitest';
import { Rng } from '../rng.ts';
import { adjustBrightnessContrast, affinePoint, affineSample, augmentSample, flipSample } from './augment.ts';
import { FLIP_106, NUM_COORDS } from './landmarks106.ts';
import { generateFace } from './synthface.ts';

const S = 64;

/** Black image with a bright 3x3 dot centred on normalised (x, y); landmark 0 there, the rest at the centre. */
function dot(x: number, y: number): { image: Uint8Array; landmarks: Float32Array } {
  const image = new Uint8Array(S * S * 3);
  const cx = Math.floor(x * S);
  const cy = Math.floor(y * S);
  for (let j = cy - 1; j <= cy + 1; j++)
    for (let i = cx - 1; i <= cx + 1; i++) image.fill(255, (j * S + i) * 3, (j * S + i) * 3 + 3);
  const landmarks = new Float32Array(NUM_COORDS).fill(0.5);
  landmarks[0] = (cx + 0.5) / S;
  landmarks[1] = (cy + 0.5) / S;
  return { image, landmarks };
}

/** Intensity-weighted centroid in normalised coordinates. */
function centroid(image: Uint8Array): [number, number] {
  let sx = 0;
  let sy = 0;
  let sw = 0;
  for (let j = 0; j < S; j++) {
    for (let i = 0; i < S; i++) {
      const w = image[(j * S + i) * 3];
      sx += w * (i + 0.5);
      sy += w * (j + 0.5);
      sw += w;
    }
  }
  return [sx / sw / S, sy / sw / S];
}

describe('augmentation keeps image and landmarks consistent', () => {
  test('a bright dot moves with its landmark under rotation, scale and shift', () => {
    for (const a of [
      { angleDeg: 30, scale: 1, tx: 0, ty: 0 },
      { angleDeg: -20, scale: 1.15, tx: 0.05, ty: -0.04 },
      { angleDeg: 90, scale: 0.9, tx: 0, ty: 0.03 },
    ]) {
      const src = dot(0.3, 0.4);
      const out = affineSample(src.image, src.landmarks, S, a);
      const [cx, cy] = centroid(out.image);
      expect(Math.abs(cx - out.landmarks[0]) * S).toBeLessThan(0.35);
      expect(Math.abs(cy - out.landmarks[1]) * S).toBeLessThan(0.35);
      // and the landmark did move
      expect(
        Math.hypot(out.landmarks[0] - src.landmarks[0], out.landmarks[1] - src.landmarks[1]),
      ).toBeGreaterThan(0.05);
    }
    // positive angles turn counter-clockwise on screen: a point right of centre goes up
    expect(affinePoint({ angleDeg: 90, scale: 1, tx: 0, ty: 0 }, 0.75, 0.5)[1]).toBeCloseTo(0.25, 6);
  });

  test('flip mirrors pixels, swaps partners and is an involution', () => {
    const src = dot(0.2, 0.7);
    const f = flipSample(src.image, src.landmarks, S);
    const [cx, cy] = centroid(f.image);
    // landmark 0 moved to its partner 32, mirrored
    expect(f.landmarks[2 * FLIP_106[0]]).toBeCloseTo(1 - src.landmarks[0], 6);
    expect(cx).toBeCloseTo(f.landmarks[2 * 32], 5);
    expect(cy).toBeCloseTo(f.landmarks[2 * 32 + 1], 5);
    const back = flipSample(f.image, f.landmarks, S);
    expect(Buffer.from(back.image).equals(Buffer.from(src.image))).toBe(true);
    expect(Array.from(back.landmarks)).toEqual(Array.from(src.landmarks));
  });

  test('a flipped synthetic face keeps dark pupils under the (swapped) pupil landmarks', () => {
    const face = generateFace(5, S, 0);
    const f = flipSample(face.image, face.landmarks, S);
    for (const p of [104, 105]) {
      const o = (Math.floor(f.landmarks[2 * p + 1] * S) * S + Math.floor(f.landmarks[2 * p] * S)) * 3;
      expect(0.299 * f.image[o] + 0.587 * f.image[o + 1] + 0.114 * f.image[o + 2]).toBeLessThan(70);
    }
    expect(f.landmarks[2 * 104]).toBeLessThan(f.landmarks[2 * 105]); // the image-left eye is still 104
  });

  test('brightness/contrast: identity at 0, brighter with positive brightness', () => {
    const img = Uint8Array.from({ length: 30 }, (_, i) => i * 8);
    const same = img.slice();
    adjustBrightnessContrast(same, 0, 0);
    expect(Array.from(same)).toEqual(Array.from(img));
    const bright = img.slice();
    adjustBrightnessContrast(bright, 0.2, 0);
    expect(bright.reduce((s, v) => s + v, 0)).toBeGreaterThan(img.reduce((s, v) => s + v, 0));
  });

  test('augmentSample is deterministic per Rng, leaves the input alone and keeps landmarks in frame', () => {
    const face = generateFace(11, S, 0.5);
    const before = face.image.slice();
    const a = augmentSample(face.image, face.landmarks, S, new Rng(3), { rotateDeg: 30, translate: 0.1 });
    const b = augmentSample(face.image, face.landmarks, S, new Rng(3), { rotateDeg: 30, translate: 0.1 });
    expect(Buffer.from(a.image).equals(Buffer.from(b.image))).toBe(true);
    expect(Array.from(a.landmarks)).toEqual(Array.from(b.landmarks));
    expect(Buffer.from(face.image).equals(Buffer.from(before))).toBe(true);
    for (let seed = 0; seed < 30; seed++) {
      const r = augmentSample(face.image, face.landmarks, S, new Rng(seed), {
        rotateDeg: 30,
        translate: 0.1,
      });
      for (const v of r.landmarks) expect(v >= 0 && v <= 1).toBe(true);
    }
  });
});
