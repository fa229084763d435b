import { describe, expect, test } from 'vitest';
import { faceSeed, generateDataset, generateFace } from './synthface.ts';
import { GROUPS_106, NUM_COORDS } from './landmarks106.ts';

const lum = (img: Uint8Array, size: number, x: number, y: number) => {
  const o = (Math.floor(y * size) * size + Math.floor(x * size)) * 3;
  return 0.299 * img[o] + 0.587 * img[o + 1] + 0.114 * img[o + 2];
};

function insidePolygon(px: number, py: number, lm: Float32Array, idx: readonly number[]): boolean {
  let inside = false;
  for (let i = 0, j = idx.length - 1; i < idx.length; j = i++) {
    const [xi, yi, xj, yj] = [lm[2 * idx[i]], lm[2 * idx[i] + 1], lm[2 * idx[j]], lm[2 * idx[j] + 1]];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

describe('SynthFace-106', () => {
  test('same seed gives identical bytes, a different seed a different face', () => {
    const a = generateFace(42, 64, 0.7);
    const b = generateFace(42, 64, 0.7);
    const c = generateFace(43, 64, 0.7);
    expect(Buffer.from(a.image).equals(Buffer.from(b.image))).toBe(true);
    expect(Buffer.from(a.landmarks.buffer).equals(Buffer.from(b.landmarks.buffer))).toBe(true);
    expect(Buffer.from(a.image).equals(Buffer.from(c.image))).toBe(false);
    expect(Array.from(a.landmarks)).not.toEqual(Array.from(c.landmarks));
    expect(a.image.length).toBe(64 * 64 * 3);
    expect(a.landmarks.length).toBe(NUM_COORDS);
  });

  test('dataset face i equals generateFace(faceSeed(seed, i)) and landmarks stay inside the image', () => {
    const ds = generateDataset({ count: 6, size: 48, difficulty: 1, seed: 9 });
    const f3 = generateFace(faceSeed(9, 3), 48, 1);
    expect(
      Buffer.from(ds.images.subarray(3 * 48 * 48 * 3, 4 * 48 * 48 * 3)).equals(Buffer.from(f3.image)),
    ).toBe(true);
    expect(Array.from(ds.landmarks.subarray(3 * NUM_COORDS, 4 * NUM_COORDS))).toEqual(
      Array.from(f3.landmarks),
    );
    for (const v of ds.landmarks) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  test('pupils are dark pixels inside their eye contours; eye whites are lighter', () => {
    for (let seed = 0; seed < 20; seed++) {
      const { image, landmarks } = generateFace(seed, 64, 0);
      for (const [pupil, eye] of [
        [104, GROUPS_106.leftEye],
        [105, GROUPS_106.rightEye],
      ] as const) {
        const [px, py] = [landmarks[2 * pupil], landmarks[2 * pupil + 1]];
        expect(insidePolygon(px, py, landmarks, eye)).toBe(true);
        expect(lum(image, 64, px, py)).toBeLessThan(70);
        // halfway between the outer corner and the pupil lies iris or sclera, lighter than the pupil
        const [ox, oy] = [landmarks[2 * eye[0]], landmarks[2 * eye[0] + 1]];
        expect(lum(image, 64, (ox + px) / 2, (oy + py) / 2)).toBeGreaterThan(lum(image, 64, px, py));
      }
      // the left eye is on the image's left
      expect(landmarks[2 * 104]).toBeLessThan(landmarks[2 * 105]);
    }
  });

  test('pupils stay inside the eyes at full difficulty', () => {
    for (let seed = 100; seed < 140; seed++) {
      const { landmarks } = generateFace(seed, 64, 1);
      expect(insidePolygon(landmarks[208], landmarks[209], landmarks, GROUPS_106.leftEye)).toBe(true);
      expect(insidePolygon(landmarks[210], landmarks[211], landmarks, GROUPS_106.rightEye)).toBe(true);
    }
  });

  test('512 faces of 64x64 generate in a few seconds', () => {
    const t = performance.now();
    const ds = generateDataset({ count: 512, size: 64, difficulty: 0.5, seed: 1 });
    expect(ds.images.length).toBe(512 * 64 * 64 * 3);
    expect(performance.now() - t).toBeLessThan(6000);
  });
});
