import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LandmarkSource } from '../data/landmark-source.ts';
import { Rng } from '../rng.ts';
import { CLASSROOM } from '../spaces/classroom.ts';
import { withWidthOptions } from '../spaces/v2-widths.ts';
import { choicesMix, deriveModel, type MaskedChoices } from '../v2/derive.ts';
import { MaskedSupernet } from '../v2/masked-supernet.ts';
import { evaluateModel } from './evaluate.ts';
import { Finetuner } from './finetuner.ts';
import { SubsampledSource, subsampledSource } from './subsampled-source.ts';
import { randomizeParams, tinyFaces } from './testing.ts';

let faces: LandmarkSource;
beforeAll(async () => {
  await tf.setBackend('cpu');
  faces = tinyFaces(10, 15, 3); // odd side: ceil(15 / 2) = 8
});
afterAll(() => faces.dispose());

describe('SubsampledSource', () => {
  it('hands out every f-th pixel from the top-left one, labels unchanged, no leaked tensors', () => {
    const s = new SubsampledSource(faces, 2);
    expect(s.inputSize).toBe(8);
    expect([s.task, s.channels, s.outputs, s.count('val')]).toEqual([
      faces.task,
      faces.channels,
      faces.outputs,
      faces.count('val'),
    ]);
    const before = tf.memory().numTensors;
    const full = faces.batchAt('val', [0, 2]);
    const small = s.batchAt('val', [0, 2]);
    expect(small.x.shape).toEqual([2, 8, 8, 3]);
    const fx = full.x.arraySync();
    const sx = small.x.arraySync();
    // hand-picked pixels: small (i, j) is full (2i, 2j); the last row / column is full row / column 14
    for (const [n, i, j] of [
      [0, 0, 0],
      [1, 3, 5],
      [0, 7, 7],
      [1, 7, 0],
    ])
      expect(sx[n][i][j]).toEqual(fx[n][2 * i][2 * j]);
    expect(small.y.arraySync()).toEqual(full.y.arraySync());
    tf.dispose([full.x, full.y, small.x, small.y]);
    // augmented batches: the same Rng state gives the same (subsampled) augmentation
    const a = faces.batchAt('weights', [1], new Rng(5));
    const b = s.batchAt('weights', [1], new Rng(5));
    expect(b.x.arraySync()[0][4][6]).toEqual(a.x.arraySync()[0][8][12]);
    tf.dispose([a.x, a.y, b.x, b.y]);
    expect(tf.memory().numTensors).toBe(before);
    expect(subsampledSource(faces, 1)).toBe(faces);
    expect(() => new SubsampledSource(faces, 1.5)).toThrow();
  });

  it('a V2 network derived at half resolution, fed through it, predicts what the masked supernet does', async () => {
    const space = { ...CLASSROOM, input: { size: 15, channels: 3 } };
    const net = new MaskedSupernet(withWidthOptions(space, [0.5, 1]), {
      seed: 3,
      inputSize: 15,
      resolutionFactors: [1, 2],
    });
    randomizeParams(net.weightParams(), 8);
    const choices: MaskedChoices = {
      blocks: [1, 5, 0, 3, 2],
      widths: [0, 1, 0, 1, 0],
      expansions: [undefined, undefined, undefined, undefined, undefined],
      resolution: 1,
    };
    const { model, derived } = await deriveModel(net, choices, 'half');
    expect(derived.factor).toBe(2);
    expect(model.arch.input.size).toBe(8);
    const source = subsampledSource(faces, derived.factor);
    const r = await evaluateModel(model, source, { batchSize: 2 });
    const batch = faces.batchAt('val', [0, 1, 2]);
    const ref = net.forward(batch.x, false, choicesMix(choices));
    const expected = ref.dataSync();
    let diff = 0;
    r.predictions.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - expected[i]))));
    expect(diff).toBeLessThan(1e-4);
    tf.dispose([ref, batch.x, batch.y]);
    // the finetuner accepts the derived input size only through the subsampled source
    const opts = { steps: 1, lr: 0.001, batchSize: 4, seed: 1 };
    expect(() => new Finetuner(model, faces, opts)).toThrow(/expects/);
    const ft = new Finetuner(model, source, opts);
    const s = await ft.step();
    expect(Number.isFinite(s.loss)).toBe(true);
    ft.dispose();
    model.dispose();
    net.dispose();
  });
});
