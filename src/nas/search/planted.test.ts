/** Planted searches: tasks where the right answer is known, run end to end on the CPU backend. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GumbelPaths } from '../experiment.ts';
import { deriveArch } from './derive.ts';
import { SearchTrainer } from './trainer.ts';
import { brighterHalfTask, lineDistanceTask } from './toy-sources.ts';
import { RF_SPACE, THREE_LAYER_SPACE, toyConfig } from './toy-spaces.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const rfSource = () => lineDistanceTask(12, { weights: 256, arch: 128, val: 64 }, 11);

async function searchRf(paths: GumbelPaths, beta: number, epochs: number) {
  const config = toyConfig(RF_SPACE, {
    train: { epochs, stepsPerEpoch: 20, warmupEpochs: 1 },
    gumbel: gumbelFor(paths),
    loss: { beta },
  });
  const trainer = new SearchTrainer(config, rfSource(), {
    space: RF_SPACE,
    costTable: [[1, 50]], // k3 is far cheaper than k5
    fixedCost: 2,
    costUnit: 1,
  });
  await trainer.run(() => {});
  const derived = await deriveArch(trainer);
  const cost = 2 + [1, 50][derived.choices[0]];
  trainer.dispose();
  return { derived, cost };
}

/** 'all': FBNet's soft mixture as before (no paths field); 'single': GDAS single-path steps. */
const gumbelFor = (paths: GumbelPaths) => (paths === 'single' ? { paths } : {});

describe.each(['all', 'single'] as const)('planted searches (%s paths)', (paths) => {
  it('finds the receptive field the task needs (k5) when cost is ignored, the cheap k3 when it dominates', async () => {
    // a single-path weight step trains only the drawn candidate, and (weight-sgd.ts, as PyTorch's SGD) the
    // other one waits with its momentum instead of drifting on it: one more epoch to be as sure (0.87 → 0.96)
    const accuracyOnly = await searchRf(paths, 0, paths === 'single' ? 4 : 3);
    expect(accuracyOnly.derived.names).toEqual(['k5_e1']);
    expect(accuracyOnly.derived.probs[0][1]).toBeGreaterThan(0.9);
    // the cost gradient acts from the first arch step: a shorter run suffices
    const costAware = await searchRf(paths, 2, 2);
    expect(costAware.derived.names).toEqual(['k3_e1']);
    expect(costAware.cost).toBeLessThan(accuracyOnly.cost);
  }, 60_000);

  it('converges every layer to its far cheaper candidate when all candidates fit the task', async () => {
    const config = toyConfig(THREE_LAYER_SPACE, {
      train: { epochs: 2, stepsPerEpoch: 15 },
      gumbel: gumbelFor(paths),
      loss: { beta: 1 },
    });
    const source = brighterHalfTask(8, { weights: 128, arch: 64, val: 32 }, 5);
    const costTable = [
      [1, 30, 30],
      [30, 1, 30],
      [30, 30, 1],
    ];
    const trainer = new SearchTrainer(config, source, {
      space: THREE_LAYER_SPACE,
      costTable,
      fixedCost: 2,
      costUnit: 1,
    });
    await trainer.run(() => {});
    const { choices, probs } = await deriveArch(trainer);
    const right = choices.filter((c, l) => c === l).length;
    expect(right).toBeGreaterThanOrEqual(2);
    // and θ moved decisively, not by chance
    probs.forEach((p, l) => expect(p[l]).toBeGreaterThan(0.6));
    trainer.dispose();
  }, 60_000);
});
