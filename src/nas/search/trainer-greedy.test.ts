import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT, type ExperimentConfig } from '../experiment.ts';
import { greedyStepsApply } from '../strategies.ts';
import { SearchTrainer } from './trainer.ts';
import type { StepMetrics } from './trainer-state.ts';
import { brighterHalfTask } from './toy-sources.ts';
import { THREE_LAYER_SPACE, toyConfig } from './toy-spaces.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const source = () => brighterHalfTask(8, { weights: 40, arch: 24, val: 12 }, 5);
const options = {
  space: THREE_LAYER_SPACE,
  costTable: [
    [3, 9, 1],
    [3, 9, 1],
    [3, 9, 1],
  ],
  fixedCost: 5,
  costUnit: 1,
};

async function run(greedy: number | undefined, paths: 'single' | 'all' = 'single'): Promise<StepMetrics[]> {
  const config = toyConfig(THREE_LAYER_SPACE, {
    train: { epochs: 4, stepsPerEpoch: 4, warmupEpochs: 1 },
    gumbel: { hard: true, paths, ...(greedy === undefined ? {} : { greedy }) },
    loss: { beta: 0.6 },
  });
  const t = new SearchTrainer(config, source(), options);
  const seen: StepMetrics[] = [];
  expect(await t.run((m) => seen.push(m))).toBe('finished');
  t.dispose();
  return seen;
}

const argmaxOf = (p: number[]) => p.indexOf(Math.max(...p));

describe('greedy weight steps (gumbel.greedy)', () => {
  it('greedy 1: once θ has moved, every weight step trains the argmax path of the θ it was drawn from', async () => {
    const seen = await run(1);
    let greedy = 0;
    seen.forEach((m, i) => {
      if (m.phase !== 'weights' || i === 0) return;
      // θ before this step = θ after the previous step (weight steps do not move it)
      const before = seen[i - 1].probs;
      const uniform = before.every((p) => p.every((v) => Math.abs(v - p[0]) < 1e-12));
      if (uniform) return;
      greedy++;
      expect(m.sampled).toEqual(before.map(argmaxOf));
    });
    expect(greedy).toBeGreaterThan(4);
  });

  it('absent and 0 draw exactly as before (same samples and θ); 0.5 mixes argmax and Gumbel draws', async () => {
    const [absent, zero, half] = [await run(undefined), await run(0), await run(0.5)];
    expect(zero.map((m) => m.sampled)).toEqual(absent.map((m) => m.sampled));
    expect(zero.at(-1)!.probs).toEqual(absent.at(-1)!.probs);
    const weightSteps = half.filter((m, i) => m.phase === 'weights' && i > 0);
    const onArgmax = weightSteps.filter((m) => {
      const i = half.indexOf(m);
      return JSON.stringify(m.sampled) === JSON.stringify(half[i - 1].probs.map(argmaxOf));
    }).length;
    expect(onArgmax).toBeGreaterThan(0);
    expect(half.map((m) => m.sampled)).not.toEqual(absent.map((m) => m.sampled));
  });

  it('all paths ignore it: every candidate trains on every step, so the run is the same as without', async () => {
    const [absent, one] = [await run(undefined, 'all'), await run(1, 'all')];
    expect(one.map((m) => m.sampled)).toEqual(absent.map((m) => m.sampled));
    expect(one.at(-1)!.probs).toEqual(absent.at(-1)!.probs);
  });

  it('acts only for FBNet V1 searching a single path', () => {
    const with_ = (strategy: ExperimentConfig['strategy'], paths: 'single' | 'all') =>
      greedyStepsApply({ ...DEFAULT_EXPERIMENT, strategy, gumbel: { ...DEFAULT_EXPERIMENT.gumbel, paths } });
    expect(with_('fbnet-v1', 'single')).toBe(true);
    expect(with_('fbnet-v1', 'all')).toBe(false);
    expect(with_('fbnet-v2', 'single')).toBe(false);
    expect(with_('spos', 'single')).toBe(false);
  });
});
