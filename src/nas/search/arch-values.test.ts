import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArchMirror } from './arch-values.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ArchMirror', () => {
  it('reads a variable back only after it was assigned, and takes values handed over', async () => {
    const a = tf.variable(tf.tensor1d([1, 2, 3]));
    const b = tf.variable(tf.tensor1d([4, 5]));
    const mirror = new ArchMirror([a, b]);
    let reads = 0;
    const data = a.data.bind(a);
    a.data = (() => {
      reads += 1;
      return data();
    }) as typeof a.data;
    let get = await mirror.refresh();
    expect(Array.from(get(a))).toEqual([1, 2, 3]);
    expect(Array.from(get(b))).toEqual([4, 5]);
    expect(reads).toBe(1);
    await mirror.refresh();
    expect(reads).toBe(1); // nothing assigned: no read-back
    a.assign(tf.tensor1d([7, 8, 9]));
    get = await mirror.refresh();
    expect(reads).toBe(2);
    expect(Array.from(get(a))).toEqual([7, 8, 9]);
    // values read elsewhere for the current buffers are taken as they are
    b.assign(tf.tensor1d([0, -1]));
    const flat = mirror.flat();
    mirror.accept(mirror.split((await flat.data()) as Float32Array));
    get = await mirror.refresh();
    expect(reads).toBe(2);
    expect(Array.from(get(b))).toEqual([0, -1]);
    expect(Array.from(get(a))).toEqual([7, 8, 9]);
    tf.dispose([a, b, flat]);
  });
});
