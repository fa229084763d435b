import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { candidateCost, classroomJointSpace, randomCandidate } from './joint-space.ts';
import { initialState, JointSearch, type JointSearchConfig, type TrainedCandidate } from './joint-search.ts';
import { pretrainAblation } from './pretrain-ablation.ts';
import { plantedNme, tinyJointSearch } from './testing.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const config: JointSearchConfig = tinyJointSearch(
  { budgets: [3e6], generations: 2, population: 4, verify: 1, defaultRecipe: false },
  { sensitivity: { architectures: 0 } },
);
const space = classroomJointSpace(config.space);

describe('pre-training ablation', () => {
  it('gives one well-formed, deterministic row per predictor round; with pre-training it is the search’s own τ', async () => {
    const search = new JointSearch(initialState(config), {
      trainCandidate: async (req) => {
        const final = plantedNme(space, req.candidate, new Rng(req.seed));
        return { nme: req.logSteps.map((s) => final * (1 + (1 - s / req.recipe.steps))) };
      },
    });
    await search.run();
    const s = search.state;
    search.dispose();
    const before = tf.memory().numTensors;
    const options = { config: s.config, earlyStop: s.earlyStop };
    const seen: number[] = [];
    const rows = await pretrainAblation(space, s.trained, { ...options, onRound: (d) => seen.push(d) });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toEqual([1, 2]);
    expect(rows.map((r) => [r.round, r.n, r.candidates])).toEqual([
      [1, 6, 3],
      [2, 9, 3],
    ]);
    for (const r of rows) {
      for (const t of [r.tauWith, r.tauWithout]) {
        expect(t === null || (t >= -1 && t <= 1)).toBe(true);
      }
    }
    // the same seeds and data fit the same predictor: the search's recorded τ per round
    expect(rows.map((r) => r.tauWith)).toEqual(s.rounds.map((r) => r.tau));
    expect(await pretrainAblation(space, s.trained, options)).toEqual(rows);
    // nothing measured in predictor rounds: no rows
    expect(
      await pretrainAblation(
        space,
        s.trained.filter((t) => t.stage === 'round0'),
        options,
      ),
    ).toEqual([]);
  });

  it('on a MACs-dependent planted target, pre-training raises τ at few samples (mean over 3 seeds and 4 rounds)', async () => {
    const withTau: number[] = [];
    const withoutTau: number[] = [];
    for (let seed = 0; seed < 3; seed++) {
      const rng = new Rng(500 + seed);
      // round 0 of 4, then four rounds of 6: fitted on 4, 10, 16, 22 samples
      const trained: TrainedCandidate[] = Array.from({ length: 28 }, (_, i) => {
        const candidate = randomCandidate(space, rng);
        const macs = candidateCost(space, candidate).macs;
        const nme = Math.exp(3 - 0.3 * Math.log(macs / 1e6) + 0.03 * rng.normal());
        const round = i < 4 ? 0 : 1 + Math.floor((i - 4) / 6);
        return {
          candidate,
          stage: round === 0 ? 'round0' : 'round',
          round,
          poolIndex: i,
          predicted: null,
          budget: null,
          points: 1,
          curve: [nme],
          macs,
        };
      });
      const rows = await pretrainAblation(space, trained, {
        config: { seed, proxyArchs: 1000, predictor: { members: 1 } },
        earlyStop: null,
      });
      expect(rows.map((r) => r.n)).toEqual([4, 10, 16, 22]);
      for (const r of rows) {
        withTau.push(r.tauWith ?? 0);
        withoutTau.push(r.tauWithout ?? 0);
      }
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    console.log(
      `ablation, MACs target: τ with pre-training ${withTau.map((t) => t.toFixed(2)).join(' ')} (mean ` +
        `${mean(withTau).toFixed(3)}), without ${withoutTau.map((t) => t.toFixed(2)).join(' ')} (mean ${mean(withoutTau).toFixed(3)})`,
    );
    // measured: with 0.87 0.87 0.60 0.87 0.87 0.73 1.00 1.00 0.73 0.87 0.87 0.60 (mean 0.822), without mean 0.156
    expect(mean(withTau)).toBeGreaterThanOrEqual(mean(withoutTau));
  });
});
