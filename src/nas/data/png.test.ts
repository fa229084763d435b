import { describe, expect, test } from 'vitest';
import { decodePng, encodePng, resizeRgb } from './png.ts';
import { generateFace } from './synthface.ts';
import { Rng } from '../rng.ts';

describe('PNG codec and resize', () => {
  test('encode/decode round-trips a synthetic face and random noise exactly', () => {
    const face = generateFace(3, 40, 0.6);
    const back = decodePng(encodePng(face.image, 40, 40));
    expect([back.width, back.height]).toEqual([40, 40]);
    expect(Buffer.from(back.rgb).equals(Buffer.from(face.image))).toBe(true);
    const rng = new Rng(1);
    const noise = Uint8Array.from({ length: 7 * 5 * 3 }, () => rng.int(256));
    expect(Array.from(decodePng(encodePng(noise, 7, 5)).rgb)).toEqual(Array.from(noise));
  });

  test('decoder rejects a corrupted file', () => {
    const png = encodePng(new Uint8Array(4 * 4 * 3).fill(9), 4, 4);
    png[20] ^= 0xff; // inside IHDR: CRC no longer matches
    expect(() => decodePng(png)).toThrow(/CRC/);
    expect(() => decodePng(new Uint8Array([1, 2, 3]))).toThrow(/not a PNG/);
  });

  test('resize keeps flat images flat, averages checkerboards when shrinking, interpolates when enlarging', () => {
    const flat = new Uint8Array(10 * 6 * 3).fill(77);
    expect(new Set(resizeRgb(flat, 10, 6, 23, 4))).toEqual(new Set([77]));
    const cb = new Uint8Array(16 * 16 * 3);
    for (let y = 0; y < 16; y++)
      for (let x = 0; x < 16; x++) cb.fill((x + y) % 2 ? 255 : 0, (y * 16 + x) * 3, (y * 16 + x) * 3 + 3);
    const small = resizeRgb(cb, 16, 16, 4, 4);
    for (const v of small) expect(Math.abs(v - 127.5)).toBeLessThan(20);
    // 2 px ramp 0 -> 200 enlarged to 4 px: centres at 0.25, 0.75 .. of the source -> 0, 50, 150, 200
    const ramp = new Uint8Array([0, 0, 0, 200, 200, 200]);
    expect(Array.from(resizeRgb(ramp, 2, 1, 4, 1)).filter((_, i) => i % 3 === 0)).toEqual([0, 50, 150, 200]);
  });
});
