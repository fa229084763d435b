import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { THREE_LAYER_SPACE, toyConfig } from '../search/toy-spaces.ts';
import { experimentStep } from './experiment-step.ts';
import { rankBackends, sortBySpeed } from './rank-backends.ts';
import type { TrainingStep } from './time-steps.ts';

/** A fake clock and steps that advance it by a fixed cost per backend (first step: compile + step). */
function fakeBench(cost: Record<string, { first: number; step: number }>) {
  let clock = 0;
  const activated: string[] = [];
  const disposed: string[] = [];
  const build = async (b: string): Promise<TrainingStep> => {
    let n = 0;
    return {
      label: b,
      step: async () => {
        if (cost[b].step < 0) throw new Error(`${b} broke`);
        clock += n++ === 0 ? cost[b].first : cost[b].step;
        return 0;
      },
      dispose: () => disposed.push(b),
    };
  };
  return {
    now: () => clock,
    build,
    activate: async (b: string) => void activated.push(b),
    activated,
    disposed,
  };
}

describe('rankBackends', () => {
  it('ranks by the median step after the warm-up, not by the first (compiling) step', async () => {
    const f = fakeBench({
      webgpu: { first: 9000, step: 100 },
      webgl: { first: 800, step: 440 },
      cpu: { first: 200, step: 175 },
    });
    const r = await rankBackends(['webgpu', 'webgl', 'cpu'], { ...f, rounds: 2, budgetMs: 15_000 });
    expect(r.map((m) => m.backend)).toEqual(['webgpu', 'cpu', 'webgl']);
    expect(r[0]).toEqual({ backend: 'webgpu', msPerStep: 100, firstMs: 9000, overBudget: false });
    expect(r[1].msPerStep).toBe(175);
    expect(f.activated).toEqual(['webgpu', 'webgl', 'cpu']);
    expect(f.disposed).toEqual(['webgpu', 'webgl', 'cpu']);
  });

  it('counts a backend whose first step exceeds the budget as slower, and sorts failures last', async () => {
    const f = fakeBench({
      webgpu: { first: 20_000, step: 1 },
      webgl: { first: 1, step: -1 },
      cpu: { first: 300, step: 175 },
    });
    const r = await rankBackends(['webgpu', 'webgl', 'cpu'], { ...f, budgetMs: 15_000 });
    expect(r.map((m) => m.backend)).toEqual(['cpu', 'webgpu', 'webgl']);
    expect(r[1]).toEqual({ backend: 'webgpu', msPerStep: 20_000, firstMs: 20_000, overBudget: true });
    expect(r[2].msPerStep).toBeNull();
    expect(r[2].error).toMatch(/webgl broke/);
    expect(f.disposed).toEqual(['webgpu', 'webgl', 'cpu']);
  });

  it('stops timing rounds once the budget is spent (at least one timed round)', async () => {
    const f = fakeBench({ cpu: { first: 50, step: 100 } });
    let steps = 0;
    const build = async (b: string) => {
      const s = await f.build(b);
      return { ...s, step: () => (steps++, s.step()) };
    };
    const r = await rankBackends(['cpu'], { ...f, build, rounds: 10, budgetMs: 260 });
    // first 50, then rounds at 150, 250, 350 (> 260: stop)
    expect(steps).toBe(4);
    expect(r[0].msPerStep).toBe(100);
  });

  it('times a real experiment step on the cpu backend', async () => {
    const toy = toyConfig(THREE_LAYER_SPACE, { train: { batchSize: 2 } });
    const before = tf.memory().numTensors;
    const r = await rankBackends(['cpu'], {
      activate: async (b) => void (await tf.setBackend(b)),
      build: () => experimentStep(toy, { kind: 'subnet', space: THREE_LAYER_SPACE }),
      rounds: 1,
    });
    expect(r[0].backend).toBe('cpu');
    expect(r[0].msPerStep).toBeGreaterThan(0);
    expect(r[0].error).toBeUndefined();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('sortBySpeed keeps the input untouched', () => {
    const input = [{ msPerStep: null }, { msPerStep: 3 }, { msPerStep: 1 }];
    expect(sortBySpeed(input).map((m) => m.msPerStep)).toEqual([1, 3, null]);
    expect(input[0].msPerStep).toBeNull();
  });
});
