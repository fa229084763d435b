import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT, type ExperimentConfig } from '../experiment.ts';
import { headOutputs } from '../model/head.ts';
import { SearchTrainer } from '../search/trainer.ts';
import { THREE_LAYER_SPACE, toyConfig } from '../search/toy-spaces.ts';
import { experimentStep, type ExperimentStepKind } from './experiment-step.ts';
import { RandomSource } from './random-source.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const toy = toyConfig(THREE_LAYER_SPACE, { train: { batchSize: 4 }, loss: { beta: 0.6 } });

describe('experimentStep', () => {
  it.each(['weights', 'arch'] as const)(
    "a %s step is the SearchTrainer's own step on random data of the config's shape",
    async (kind) => {
      const step = await experimentStep(toy, { kind, space: THREE_LAYER_SPACE, seed: 5 });
      const source = new RandomSource(
        'classification',
        toy.inputSize,
        THREE_LAYER_SPACE.input.channels,
        headOutputs(THREE_LAYER_SPACE.head),
        4,
        5,
      );
      const trainer = new SearchTrainer(toy, source, { space: THREE_LAYER_SPACE });
      const m = kind === 'weights' ? await trainer.stepWeights() : await trainer.stepArch();
      expect(await step.step()).toBe(m.loss);
      trainer.dispose();
      step.dispose();
    },
  );

  const cases: [string, ExperimentConfig, ExperimentStepKind][] = [
    ['toy weights', toy, 'weights'],
    ['toy arch', toy, 'arch'],
    ['toy subnet', toy, 'subnet'],
    [
      'classroom V1 hard weights',
      { ...DEFAULT_EXPERIMENT, gumbel: { tau0: 5, decay: 1, hard: true } },
      'weights',
    ],
    ['classroom V2 arch', { ...DEFAULT_EXPERIMENT, strategy: 'fbnet-v2' }, 'arch'],
    ['classroom V2 subnet', { ...DEFAULT_EXPERIMENT, strategy: 'fbnet-v2' }, 'subnet'],
  ];
  it.each(cases)(
    '%s: finite losses, constant tensor count, back to baseline after dispose',
    async (_, config, kind) => {
      const space = config === toy ? THREE_LAYER_SPACE : undefined;
      const before = tf.memory().numTensors;
      const step = await experimentStep(config, {
        kind,
        space,
        batchSize: 2,
        inputSize: space ? undefined : 32,
      });
      expect(Number.isFinite(await step.step())).toBe(true);
      const during = tf.memory().numTensors;
      expect(Number.isFinite(await step.step())).toBe(true);
      expect(tf.memory().numTensors).toBe(during);
      step.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('times a latency search with counted MACs (no table needed) and rejects an unknown space', async () => {
    const step = await experimentStep(
      { ...toy, loss: { ...toy.loss, cost: 'latency', latencyTable: 'none' } },
      { kind: 'arch', space: THREE_LAYER_SPACE },
    );
    expect(Number.isFinite(await step.step())).toBe(true);
    step.dispose();
    await expect(experimentStep({ ...toy, space: 'nope' })).rejects.toThrow(/nope/);
  });
});
