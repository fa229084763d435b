import { describe, expect, test } from 'vitest';
import {
  FLIP_106,
  GROUPS_106,
  INTER_OCULAR,
  INTER_PUPIL,
  NUM_POINTS,
  POINT,
  flipLandmarks,
} from './landmarks106.ts';
import { generateFace } from './synthface.ts';

describe('106-point scheme', () => {
  test('groups partition the 106 points', () => {
    const all = Object.values(GROUPS_106)
      .flat()
      .sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: NUM_POINTS }, (_, i) => i));
  });

  test('FLIP_106 is an involution whose fixed points are exactly the midline points', () => {
    for (let i = 0; i < NUM_POINTS; i++) expect(FLIP_106[FLIP_106[i]]).toBe(i);
    const fixed = [...FLIP_106.keys()].filter((i) => FLIP_106[i] === i);
    expect(fixed).toEqual([16, 51, 52, 53, 54, 60, 87, 93, 98, 102]);
  });

  test('flip maps left eye to right eye, left brow to right brow, and swaps the pupils', () => {
    const map = (idx: readonly number[]) => idx.map((i) => FLIP_106[i]).sort((a, b) => a - b);
    expect(map(GROUPS_106.leftEye)).toEqual([...GROUPS_106.rightEye]);
    expect(map(GROUPS_106.rightEye)).toEqual([...GROUPS_106.leftEye]);
    expect(map(GROUPS_106.leftBrow)).toEqual([...GROUPS_106.rightBrow]);
    expect(FLIP_106[POINT.leftPupil]).toBe(POINT.rightPupil);
    expect(FLIP_106[POINT.leftEyeOuter]).toBe(POINT.rightEyeOuter);
    expect(FLIP_106[POINT.leftEyeInner]).toBe(POINT.rightEyeInner);
    expect(FLIP_106[POINT.mouthLeft]).toBe(POINT.mouthRight);
    expect(FLIP_106[74]).toBe(83);
    // mmpose lapa.py spot checks
    expect([
      FLIP_106[0],
      FLIP_106[33],
      FLIP_106[38],
      FLIP_106[55],
      FLIP_106[71],
      FLIP_106[91],
      FLIP_106[96],
      FLIP_106[101],
    ]).toEqual([32, 46, 50, 65, 82, 95, 100, 103]);
    expect(INTER_OCULAR).toEqual([66, 79]);
    expect(INTER_PUPIL).toEqual([104, 105]);
  });

  test('on a near-frontal synthetic face, each point mirrored across the face axis lands on its partner', () => {
    const midline = [...FLIP_106.keys()].filter((i) => FLIP_106[i] === i);
    for (const seed of [1, 2, 3, 4]) {
      const { landmarks: p } = generateFace(seed, 64, 0, { pose: { yaw: 0, pitch: 0, roll: 0 } });
      // face axis: principal direction of the midline points
      let cx = 0;
      let cy = 0;
      for (const i of midline)
        [cx, cy] = [cx + p[2 * i] / midline.length, cy + p[2 * i + 1] / midline.length];
      let sxx = 0;
      let sxy = 0;
      let syy = 0;
      for (const i of midline) {
        const [dx, dy] = [p[2 * i] - cx, p[2 * i + 1] - cy];
        [sxx, sxy, syy] = [sxx + dx * dx, sxy + dx * dy, syy + dy * dy];
      }
      const theta = 0.5 * Math.atan2(2 * sxy, sxx - syy);
      const [ux, uy] = [Math.cos(theta), Math.sin(theta)];
      const mirror = (j: number): [number, number] => {
        const [dx, dy] = [p[2 * j] - cx, p[2 * j + 1] - cy];
        const t = dx * ux + dy * uy;
        return [cx + 2 * t * ux - dx, cy + 2 * t * uy - dy];
      };
      let total = 0;
      for (let i = 0; i < NUM_POINTS; i++) {
        const dist = (j: number) => Math.hypot(mirror(j)[0] - p[2 * i], mirror(j)[1] - p[2 * i + 1]);
        total += dist(FLIP_106[i]);
        expect(dist(FLIP_106[i]), `point ${i}`).toBeLessThan(0.03);
        // the partner is the nearest mirrored point (up to near-coincident pairs such as a brow's tips;
        // pupils follow the gaze, so they are skipped together with the eye centres they sit on)
        if ([74, 83, 104, 105].includes(i)) continue;
        let best = Infinity;
        for (let j = 0; j < NUM_POINTS; j++) best = Math.min(best, dist(j));
        expect(dist(FLIP_106[i]) - best, `point ${i}`).toBeLessThan(0.006);
      }
      expect(total / NUM_POINTS).toBeLessThan(0.005);
      // the generic helper agrees with the table
      expect(flipLandmarks(p)[2 * 104]).toBeCloseTo(1 - p[2 * 105], 6);
    }
  });
});
