import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SearchTrainer } from '../search/trainer.ts';
import type { StepMetrics } from '../search/trainer-state.ts';
import { blobLandmarkTask } from '../search/toy-sources.ts';
import { LANDMARK_SPACE, toyConfig } from '../search/toy-spaces.ts';
import { widthOptions, withWidthOptions } from '../spaces/v2-widths.ts';
import type { ExperimentConfig } from '../experiment.ts';
import { FbnetV1Net } from '../search/v1-net.ts';
import { FbnetV2Net } from './v2-net.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const data = () => blobLandmarkTask(8, { weights: 24, arch: 16, val: 6 }, 3);

function v2Config(
  overrides: Parameters<typeof toyConfig>[1] = {},
  resolutionFactors = [1, 2],
): ExperimentConfig {
  return {
    ...toyConfig(LANDMARK_SPACE, {
      train: { epochs: 2, stepsPerEpoch: 2, lrWeights: 0.05, lrTheta: 0.3, ...overrides.train },
      loss: { beta: 0.6, ...overrides.loss },
      ...overrides,
    }),
    strategy: 'fbnet-v2',
    v2: { widthFractions: [0.5, 1], resolutionFactors },
  };
}

describe('width options', () => {
  it('are rounded fractions of out, ascending, distinct, with out the largest', () => {
    expect(widthOptions(32, [0.25, 0.5, 0.75, 1])).toEqual([8, 16, 24, 32]);
    expect(widthOptions(8, [0.1, 0.5])).toEqual([1, 4, 8]);
    expect(() => widthOptions(8, [1.5])).toThrow(/outside/);
    const s = withWidthOptions(LANDMARK_SPACE, [0.5]);
    expect(s.body.map((e) => (e.kind === 'search' ? e.widths : null))).toEqual([null, [2, 4], [2, 4]]);
    expect(LANDMARK_SPACE.body[1]).not.toHaveProperty('widths');
  });
});

describe('SearchTrainer with strategy fbnet-v2', () => {
  it('reports consistent V2 metrics, trains every arch logit, keeps tensors constant', async () => {
    const t = new SearchTrainer(v2Config(), data(), { space: LANDMARK_SPACE, featureEvery: 3 });
    expect(t.net).toBeInstanceOf(FbnetV2Net);
    const seen: StepMetrics[] = [];
    const counts: number[] = [];
    await t.run((m) => {
      seen.push(m);
      counts.push(tf.memory().numTensors);
    });
    expect(new Set(counts.slice(1)).size).toBe(1);
    for (const m of seen) {
      const v = m.v2!;
      expect(v.widthOptions).toEqual([
        [2, 4],
        [2, 4],
      ]);
      v.widthWeights.forEach((g, l) => {
        expect(g.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        // M = g_0 · [1,1,0,0] + g_1 · [1,1,1,1]
        expect(v.masks[l][0]).toBeCloseTo(1, 5);
        expect(v.masks[l][1]).toBeCloseTo(1, 5);
        expect(v.masks[l][2]).toBeCloseTo(g[1], 6);
        expect(v.masks[l][3]).toBeCloseTo(g[1], 6);
        expect(v.expectedWidths[l]).toBeCloseTo(2 * g[0] + 4 * g[1], 5);
      });
      // cost = effective MACs (raw units), loss = task · α · log(cost / unit)^β
      expect(m.expectedCost).toBeCloseTo(v.effectiveMacs, 0);
      expect(m.costTerm).toBeCloseTo(Math.log(v.effectiveMacs / t.options.costUnit) ** 0.6, 4);
      expect(m.loss).toBeCloseTo(m.taskLoss * m.costTerm, 4);
      expect(v.resolutionFactors).toEqual([1, 2]);
      expect([8, 4]).toContain(v.sampledResolution);
      expect(v.resolutionWeights!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    // features every 3 steps: thumbnails per channel of the widest option
    expect(seen[0].v2!.features!.map((f) => [f.bodyIndex, f.thumbs.length, f.means.length])).toEqual([
      [1, 4, 4],
      [2, 4, 4],
    ]);
    expect(seen[1].v2!.features).toBeUndefined();
    expect(seen[3].v2!.features).toBeDefined();
    // arch steps moved width and resolution logits, weight steps did not
    const arch = seen.findIndex((m) => m.phase === 'arch');
    expect(seen[arch - 1].v2!.widthProbs[0]).toEqual([0.5, 0.5]);
    expect(seen[arch].v2!.widthProbs[0][0]).not.toBeCloseTo(0.5, 4);
    expect(seen[arch].v2!.resolutionProbs![0]).not.toBeCloseTo(0.5, 4);
    const ev = await t.evaluate();
    expect(ev.valNme).toBeGreaterThan(0);
    t.dispose();
  });

  // 'all': FBNet's soft mixture as before; 'single': GDAS's single block path (hard samples)
  it.each(['all', 'single'] as const)(
    'a high cost weight pushes the widths down (%s paths)',
    async (paths) => {
      const gumbel = paths === 'single' ? { gumbel: { paths } } : {};
      const config = v2Config({ train: { epochs: 4, stepsPerEpoch: 3 }, loss: { beta: 2 }, ...gumbel }, [1]);
      const t = new SearchTrainer(config, data(), { space: LANDMARK_SPACE, featureEvery: 0 });
      const seen: StepMetrics[] = [];
      await t.run((m) => seen.push(m));
      const last = seen[seen.length - 1].v2!;
      // from uniform (0.5) towards the smaller width in every layer
      last.widthProbs.forEach((p) => expect(p[0]).toBeGreaterThan(0.5));
      t.dispose();
    },
  );

  it('checkpoints and restores every arch logit: the continued run equals the uninterrupted one', async () => {
    const config = v2Config();
    const a = new SearchTrainer(config, data(), { space: LANDMARK_SPACE, featureEvery: 0 });
    for (let i = 0; i < 3; i++) await a.step();
    const state = await a.state();
    expect(state.archLogits!.length).toBe(a.net.archVariables().length);
    const b = await SearchTrainer.restore(structuredClone(state), data());
    const ma = [await a.step(), await a.step()];
    const mb = [await b.step(), await b.step()];
    expect(mb.map((m) => m.v2)).toEqual(ma.map((m) => m.v2));
    expect(mb.map((m) => m.loss)).toEqual(ma.map((m) => m.loss));
    a.dispose();
    b.dispose();
  });

  it('V1 configs report no V2 metrics and reject nothing new', async () => {
    const config = toyConfig(LANDMARK_SPACE, { train: { epochs: 1, stepsPerEpoch: 1 } });
    const t = new SearchTrainer(config, data(), { space: LANDMARK_SPACE });
    expect(t.net).toBeInstanceOf(FbnetV1Net);
    expect((await t.step()).v2).toBeUndefined();
    expect((await t.state()).archLogits).toBeUndefined();
    t.dispose();
  });
});
