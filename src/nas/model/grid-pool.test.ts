import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gridPool, gridPoolMatrix } from './grid-pool.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('gridPool', () => {
  it('averages each cell of an evenly divided map, scaled by 1/g, channel-major', () => {
    // 4x4 map, 2 channels: channel 0 = y*4 + x, channel 1 = 100 + the same
    const v = Array.from({ length: 16 }, (_, p) => [p, 100 + p]).flat();
    const x = tf.tensor4d(v, [1, 4, 4, 2]);
    const y = gridPool(x, 2).arraySync()[0];
    // cell (0,0) = mean(0, 1, 4, 5) = 2.5; (0,1) = mean(2, 3, 6, 7) = 4.5; (1,0) = 10.5; (1,1) = 12.5; / 2
    expect(y).toEqual([1.25, 2.25, 5.25, 6.25, 51.25, 52.25, 55.25, 56.25]);
  });

  it('overlapping cells when the side does not divide (adaptive pooling rule)', () => {
    // 3 rows, 2 cells: rows 0..1 and 1..2 (floor(i*3/2) .. ceil((i+1)*3/2) - 1); 1 column, 1 cell
    const p = gridPoolMatrix(3, 1, 2);
    // pixel-major rows [pixel][cell] for 2x2 cells; the single column spans both column cells
    expect(Array.from(p)).toEqual([0.25, 0.25, 0, 0, 0.25, 0.25, 0.25, 0.25, 0, 0, 0.25, 0.25]);
    const x = tf.tensor4d([1, 2, 4], [1, 3, 1, 1]);
    expect(gridPool(x, 2).arraySync()[0]).toEqual([0.75, 0.75, 1.5, 1.5]);
  });

  it('grid 1 is global average pooling, and a grid as fine as the map is a flatten / g', () => {
    const x = tf.randomUniform([2, 3, 3, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
    const gap = tf.mean(x, [1, 2]);
    expect(tf.max(tf.abs(tf.sub(gridPool(x, 1), gap))).arraySync()).toBe(0);
    const flat = tf.div(tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [2, 36]), 3);
    expect(tf.max(tf.abs(tf.sub(gridPool(x, 3), flat))).arraySync()).toBeLessThan(1e-6);
  });

  it('each cell matrix column sums to 1/g and every pixel is covered', () => {
    for (const [h, w, g] of [
      [8, 8, 4],
      [7, 7, 4],
      [5, 3, 2],
      [2, 2, 3],
    ]) {
      const p = gridPoolMatrix(h, w, g);
      const cells = g * g;
      for (let c = 0; c < cells; c++) {
        let s = 0;
        for (let px = 0; px < h * w; px++) s += p[px * cells + c];
        expect(s).toBeCloseTo(1 / g, 6);
      }
      for (let px = 0; px < h * w; px++) {
        let covered = 0;
        for (let c = 0; c < cells; c++) covered += p[px * cells + c] > 0 ? 1 : 0;
        expect(covered).toBeGreaterThan(0);
      }
    }
    expect(() => gridPoolMatrix(4, 4, 0)).toThrow(/grid/);
  });
});
