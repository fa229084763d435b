import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { countCost } from '../cost/count.ts';
import type { LandmarkEvaluation } from '../finetune/evaluate.ts';
import { createModel } from '../model/model.ts';
import { CLASSROOM } from '../spaces/classroom.ts';
import { archFromChoices } from '../spaces/derive.ts';
import { ToySource } from '../search/toy-sources.ts';
import { summarizeDerived } from './derive.ts';
import type { LayerLayout } from '../search/run-layout.ts';
import { worstSamples } from './viewer.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const layers: LayerLayout[] = [
  { index: 1, out: 8, stride: 2, candidates: ['a', 'b'] },
  { index: 3, out: 16, stride: 1, candidates: ['a', 'b', 'c'] },
];
const probs = [
  [0.4, 0.6],
  [0.1, 0.2, 0.7],
];

describe('summarizeDerived', () => {
  const arch = archFromChoices({ ...CLASSROOM, input: { size: 16, channels: 3 } }, [0, 1, 0, 5, 0], 'tiny');

  it('counts the derived arch and pairs every layer with its choice and probabilities', () => {
    const model = createModel(arch, { seed: 1 });
    const s = summarizeDerived({
      model,
      mode: 'manual',
      choices: [0, 2],
      probs,
      layers,
      v2: null,
      searchInputSize: 16,
      searchStep: 42,
    });
    const cost = countCost(arch);
    expect(s.macs).toBe(cost.macs);
    expect(s.params).toBe(cost.params);
    expect(s.bytes).toBe(4 * cost.params);
    expect(s.inputSize).toBe(16);
    expect(s.searchStep).toBe(42);
    expect(s.v2).toBeUndefined();
    expect(s.layers).toEqual([
      { index: 1, out: 8, stride: 2, candidates: ['a', 'b'], probs: [0.4, 0.6], chosen: 0 },
      { index: 3, out: 16, stride: 1, candidates: ['a', 'b', 'c'], probs: [0.1, 0.2, 0.7], chosen: 2 },
    ]);
    model.dispose();
  });

  it('takes the widths and the input side of an FBNetV2 choice', () => {
    const small = { ...arch, input: { ...arch.input, size: 8 } };
    const model = createModel(small, { seed: 1 });
    const v2 = {
      choices: { blocks: [0, 2], widths: [0, 1], expansions: [undefined, undefined], resolution: 1 },
      widths: [4, 16],
      factor: 2,
      searchInputSize: 16,
    };
    const s = summarizeDerived({
      model,
      mode: 'argmax',
      choices: [0, 2],
      probs,
      layers,
      v2,
      searchInputSize: 16,
      searchStep: 0,
    });
    expect(s.layers.map((l) => l.out)).toEqual([4, 16]);
    expect(s.inputSize).toBe(8);
    expect(s.v2).toBe(v2);
    model.dispose();
  });
});

describe('worstSamples', () => {
  it('returns the worst-scored faces first with their own predictions, targets and input image', async () => {
    const size = 2;
    const example = (v: number) => ({
      image: new Float32Array(size * size).fill(v),
      target: new Float32Array([v, -v]),
    });
    const source = new ToySource('landmarks', size, 1, 2, {
      weights: [],
      arch: [],
      val: [example(0.1), example(0.5), example(2)],
    });
    const r = {
      perImage: [0.02, 0.3, 0.1],
      predictions: Float32Array.from([1, 2, 3, 4, 5, 6]),
      targets: Float32Array.from([7, 8, 9, 10, 11, 12]),
    } as LandmarkEvaluation;
    const worst = await worstSamples(source, r, 2);
    expect(worst.map((w) => w.position)).toEqual([1, 2]);
    expect(worst[0].nme).toBe(0.3);
    expect(Array.from(worst[0].pred)).toEqual([3, 4]);
    expect(Array.from(worst[0].gt)).toEqual([9, 10]);
    // the network input as bytes, clamped to [0, 1]
    expect(worst[0].size).toBe(size);
    expect(Array.from(worst[0].image)).toEqual([128, 128, 128, 128]);
    expect(Array.from(worst[1].image)).toEqual([255, 255, 255, 255]);
  });
});
