/**
 * A network derived at a lower FBNetV2 resolution (factor 2 and 4) through every path of the results
 * stage, fed at its searched resolution: derive (weights and BatchNorm recalibration), finetune, evaluate,
 * the sweep's standalone check and the ONNX export with its onnxruntime-web parity check; and every one of
 * them refuses the full-size images (a network's head pools, so a wrong size would otherwise run).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countCost } from '../cost/count.ts';
import { decodeModel } from '../export/testing/onnx-reader.ts';
import { evaluateModel } from '../finetune/evaluate.ts';
import { Finetuner } from '../finetune/finetuner.ts';
import { recalibrateBatchNorm } from '../finetune/recalibrate.ts';
import type { NasModel } from '../model/model.ts';
import type { SearchTrainer } from '../search/trainer.ts';
import { checkStandalone } from '../sweep/standalone.ts';
import { choicesMix } from '../v2/derive.ts';
import { subsample } from '../v2/resolution.ts';
import type { FbnetV2Net } from '../v2/v2-net.ts';
import { derivedSource, deriveSubnet } from './derive.ts';
import { exportDerived, PARITY_TOLERANCE, parityCheck } from './export.ts';
import { trainModel } from './finetune.ts';
import { expectedSearchCost } from './from-search.ts';
import { searchAtFactor, TINY_FACE_SPACE, tinyFaceSearch } from './testing.ts';
import type { ResultsArchSummary } from './types.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIZE = TINY_FACE_SPACE.input.size;

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

describe.each([2, 4])('a network derived at resolution factor %i', (factor) => {
  const side = SIZE / factor;
  let t: SearchTrainer;
  let model: NasModel;
  let summary: ResultsArchSummary;

  beforeAll(async () => {
    t = await searchAtFactor(factor);
    ({ model, summary } = await deriveSubnet(t, { mode: 'argmax' }));
  });
  afterAll(() => {
    model?.dispose();
    t?.dispose();
  });

  it('derives at the searched resolution and reproduces the masked supernet on the subsampled batch', () => {
    expect(summary.v2?.factor).toBe(factor);
    expect(summary.v2?.searchInputSize).toBe(SIZE);
    expect(summary.inputSize).toBe(side);
    expect(model.arch.input.size).toBe(side);
    const source = derivedSource(t.source, summary);
    expect(source.inputSize).toBe(side);
    const full = t.source.batchAt('val', [0, 1]);
    const small = source.batchAt('val', [0, 1]);
    expect(small.x.shape).toEqual([2, side, side, 3]);
    // every factor-th pixel of the full image, from the top-left one
    const [fullPx, smallPx] = [full.x.arraySync(), small.x.arraySync()];
    expect(smallPx[1][1][side - 1]).toEqual(fullPx[1][factor][(side - 1) * factor]);
    // training-mode BatchNorm (batch statistics): the inherited weights are the supernet's path exactly
    const net = (t.net as FbnetV2Net).masked;
    const [ref, pred] = tf.tidy(() => [
      net.forward(full.x, true, choicesMix(summary.v2!.choices)).dataSync(),
      model.apply(subsample(full.x, factor), true).dataSync(),
    ]);
    expect(maxAbsDiff(pred, ref)).toBeLessThan(1e-5);
    tf.dispose([full.x, full.y, small.x, small.y]);
  });

  it('refuses the full-size images on every path, naming the sizes', async () => {
    const expects = new RegExp(`data is ${SIZE}x${SIZE}x3, the model expects ${side}x${side}x3`);
    expect(() => new Finetuner(model, t.source, { steps: 1, lr: 0.01, batchSize: 4, seed: 1 })).toThrow(
      expects,
    );
    await expect(evaluateModel(model, t.source)).rejects.toThrow(expects);
    await expect(recalibrateBatchNorm(model, t.source)).rejects.toThrow(expects);
    await expect(parityCheck(model, new Uint8Array(), t.source)).rejects.toThrow(expects);
    // derivedSource checks that the data is the search's: a summary of another resolution does not fit
    const other = { ...summary, v2: { ...summary.v2!, factor: factor === 2 ? 4 : 2 } };
    expect(() => derivedSource(t.source, other)).toThrow(/derived network/);
  });

  it('finetunes, then evaluates at the searched resolution (the predictions are the model’s on subsampled images)', async () => {
    const source = derivedSource(t.source, summary);
    const before = tf.memory().numTensors;
    const f = await trainModel(model, source, { steps: 3, lr: 0.01, batchSize: 4, seed: 1 }, () => {});
    expect(f.outcome).toBe('finished');
    expect(f.losses).toHaveLength(3);
    expect(f.losses.every(Number.isFinite)).toBe(true);
    const r = await evaluateModel(model, source, { batchSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.count).toBe(4);
    expect(Number.isFinite(r.nme)).toBe(true);
    const batch = t.source.batchAt('val', [0, 1, 2, 3]);
    const want = tf.tidy(() => model.predict(subsample(batch.x, factor)).dataSync());
    tf.dispose([batch.x, batch.y]);
    expect(maxAbsDiff(r.predictions, want)).toBeLessThan(1e-6);
  });

  it('exports to ONNX with a fixed input of the searched side; onnxruntime-web agrees on the subsampled images', async () => {
    const r = await exportDerived(
      model,
      summary,
      { fromScratch: false, steps: 3 },
      derivedSource(t.source, summary),
    );
    expect(r.checkedImages).toBe(4);
    expect(r.maxAbsDiff).toBeLessThan(PARITY_TOLERANCE);
    const decoded = decodeModel(r.bytes);
    expect(decoded.graph.inputs[0].shape).toEqual(['N', 3, side, side]);
    expect(decoded.metadata['nas_playground.input_subsample']).toBe(String(factor));
  });

  it('the standalone check derives, finetunes and scores the argmax network at its resolution', async () => {
    const check = await checkStandalone(t, { recipe: { steps: 2, lr: 0.01 } });
    expect(check.summary.v2?.factor).toBe(factor);
    expect(check.summary.inputSize).toBe(side);
    expect(check.outcome).toBe('finished');
    expect(check.steps).toBe(2);
    expect(Number.isFinite(check.inheritedNme)).toBe(true);
    expect(Number.isFinite(check.standaloneNme)).toBe(true);
  });
});

describe('a search with the one resolution factor 2 (nothing to choose)', () => {
  let t: SearchTrainer;
  beforeAll(async () => {
    t = await tinyFaceSearch([2]);
  });
  afterAll(() => t?.dispose());

  it('searches, costs and derives at half size: the derived network is the supernet’s path', async () => {
    const net = (t.net as FbnetV2Net).masked;
    expect(net.resolution).toBeNull();
    const { model, summary } = await deriveSubnet(t, { mode: 'argmax' });
    expect(summary.v2?.factor).toBe(2);
    expect(model.arch.input.size).toBe(SIZE / 2);
    const full = t.source.batchAt('val', [0, 1]);
    const [ref, pred] = tf.tidy(() => [
      net.forward(full.x, true, choicesMix(summary.v2!.choices)).dataSync(),
      model.apply(subsample(full.x, 2), true).dataSync(),
    ]);
    tf.dispose([full.x, full.y]);
    expect(maxAbsDiff(pred, ref)).toBeLessThan(1e-5);
    // the effective cost of the path (every architecture variable one-hot) is the derived network's
    const vars = net.archVariables();
    const saved = vars.map((v) => v.clone());
    tf.tidy(() => {
      for (const v of vars) v.assign(tf.oneHot([0], v.shape[0]!).reshape([-1]).mul(40));
    });
    const one = await deriveSubnet(t, { mode: 'argmax' });
    const oneHot = (await expectedSearchCost(t)).cost;
    expect(oneHot.macs).toBeCloseTo(countCost(one.model.arch).macs, 0);
    vars.forEach((v, i) => v.assign(saved[i]));
    tf.dispose(saved);
    one.model.dispose();
    model.dispose();
  });
});
