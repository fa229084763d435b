import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerFastCpuKernels } from '../kernels/index.ts';
import { deriveSubnet } from '../results/derive.ts';
import { searchAtFactor } from '../results/testing.ts';
import { blobLandmarkTask } from '../search/toy-sources.ts';
import { LANDMARK_SPACE, toyConfig } from '../search/toy-spaces.ts';
import { planBaseline, searchedChoices } from './plan.ts';
import { runBaselineCheck } from './run.ts';
import type { BaselineCheckState } from './types.ts';
import { baselineVerdict } from './verdict.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerFastCpuKernels();
});

/** The toy landmark space (8 px, 3 × 2 networks), 2 random networks + the searched one, 2 seeds, 3 steps. */
function tinyCheck(): BaselineCheckState {
  const config = toyConfig(LANDMARK_SPACE, { train: { batchSize: 4 } });
  const plan = planBaseline({
    config,
    space: LANDMARK_SPACE,
    searched: { blocks: [0, 0] },
    settings: { uniform: 1, costMatched: 1, band: 0.9, initSeeds: 2, steps: 3 },
  });
  return { plan, results: {} };
}

const blobs = () => blobLandmarkTask(8, { weights: 12, arch: 4, val: 8 }, 5);

describe('runBaselineCheck', () => {
  it('resumes after an abort: finished units are kept, the interrupted one is retrained from scratch', async () => {
    const source = blobs();
    const start = tinyCheck();
    expect(start.plan.candidates.map((c) => c.id)).toEqual(['searched', 'u1', 'c1']);
    const full = await runBaselineCheck(start, source);
    expect(full.outcome).toBe('finished');
    expect(start.results).toEqual({});
    const ids = ['searched', 'u1', 'c1'];
    expect(Object.keys(full.state.results)).toEqual(ids);
    for (const id of ids) {
      expect(full.state.results[id]).toHaveLength(2);
      expect(full.state.results[id].every(Number.isFinite)).toBe(true);
    }

    // interrupted in the middle of u1's first seed
    const controller = new AbortController();
    const first = await runBaselineCheck(start, source, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.candidate === 'u1' && p.seedIndex === 0 && p.step === 2) controller.abort();
      },
    });
    expect(first.outcome).toBe('aborted');
    expect(first.state.results).toEqual({ searched: full.state.results.searched });

    // resumed: only the units without a result are trained, and each once
    const before = tf.memory().numTensors;
    const started: string[] = [];
    const stored: string[] = [];
    const tensors: number[] = [];
    const resumed = await runBaselineCheck(first.state, source, {
      onProgress: (p) => {
        if (p.step === 0) started.push(`${p.candidate}/${p.seedIndex} (${p.done}/${p.total})`);
      },
      onResult: (id, seed) => {
        stored.push(`${id}/${seed}`);
        tensors.push(tf.memory().numTensors);
      },
    });
    expect(resumed.outcome).toBe('finished');
    expect(started).toEqual(['u1/0 (2/6)', 'u1/1 (3/6)', 'c1/0 (4/6)', 'c1/1 (5/6)']);
    expect(stored).toEqual(['u1/0', 'u1/1', 'c1/0', 'c1/1']);
    expect(tensors).toEqual([before, before, before, before]);
    // from scratch with the same recipe: exactly the uninterrupted run's numbers
    expect(resumed.state.results).toEqual(full.state.results);

    // nothing left: a finished check trains nothing
    let calls = 0;
    const again = await runBaselineCheck(resumed.state, source, { onProgress: () => (calls += 1) });
    expect(again.outcome).toBe('finished');
    expect(calls).toBe(0);
    expect(baselineVerdict(again.state.plan, again.state.results).complete).toBe(true);
    source.dispose();
  });

  it('refuses data that does not fit the plan, before training anything', async () => {
    const state = tinyCheck();
    await expect(
      runBaselineCheck(state, blobLandmarkTask(12, { weights: 4, arch: 0, val: 2 }, 1)),
    ).rejects.toThrow(/The data is 12x12x1; network searched expects 8x8x1/);
  });

  it('trains an FBNetV2 network searched at factor 2 at half the input size, as Results derives it', async () => {
    const t = await searchAtFactor(2);
    try {
      const { model, summary } = await deriveSubnet(t, { mode: 'argmax' });
      model.dispose();
      const plan = planBaseline({
        config: t.config,
        space: t.space,
        searched: searchedChoices(summary),
        settings: { uniform: 2, costMatched: 1, initSeeds: 1, steps: 2 },
      });
      expect(plan.searched.factor).toBe(2);
      expect(plan.searched.arch.input).toEqual(summary.arch.input);
      expect(plan.searched.arch.input.size).toBe(16);
      expect(plan.searched.arch.body).toEqual(summary.arch.body);
      expect(plan.searched.macs).toBe(summary.macs);
      const started: string[] = [];
      const out = await runBaselineCheck({ plan, results: {} }, t.source, {
        onProgress: (p) => {
          if (p.step === 0) started.push(p.candidate);
        },
      });
      expect(out.outcome).toBe('finished');
      expect(started).toEqual(plan.candidates.map((c) => c.id));
      for (const c of plan.candidates) {
        expect(c.arch.input.size).toBe(32 / c.factor);
        expect(Number.isFinite(out.state.results[c.id][0])).toBe(true);
      }
    } finally {
      t.dispose();
    }
  });
});
