/**
 * Captures the compatibility fixtures in src/compat/fixtures/ with the code as it is when run: share links
 * of several experiments (and what they decode to) and search checkpoints (V1 and FBNetV2) with the
 * metrics of the step that follows them. Run once before a refactor; the tests in src/compat/ then check
 * that links and checkpoints written by the older code still read the same.
 *   node --import tsx scripts/capture-compat-fixtures.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_EXPERIMENT, type ExperimentConfig, ARCHS, SearchTrainer } from '../src/nas/index.ts';
import { blobLandmarkTask, LANDMARK_SPACE, toyConfig } from '../src/nas/testing.ts';
import { decodeShare, encodeShare } from '../src/share/codec.ts';
import type { ShareContext, SharedExperiment } from '../src/share/types.ts';
import { toJsonState } from '../src/compat/state-json.ts';

const OUT = 'src/compat/fixtures';
const METRICS = { nme: 0.105, macs: 1.2e6, params: 2.3e5, steps: 300 };
mkdirSync(OUT, { recursive: true });

const CTX: ShareContext = {
  spaces: ['classroom', 'fbnet-v1', 'pfld'],
  candidates: ['k3_e1', 'k3_e1_g2', 'k3_e3', 'k3_e6', 'k5_e1', 'k5_e1_g2', 'k5_e3', 'k5_e6', 'skip'],
  datasets: ['my-faces'],
};

function links() {
  const d = structuredClone(DEFAULT_EXPERIMENT);
  const v2: ExperimentConfig = {
    ...structuredClone(DEFAULT_EXPERIMENT),
    strategy: 'fbnet-v2',
    v2: { widthFractions: [0.25, 0.5, 1], resolutionFactors: [1, 2] },
  };
  const edited = structuredClone(DEFAULT_EXPERIMENT);
  edited.title = 'edited';
  edited.train.lrWeights = 0.02;
  edited.train.batchSize = 32;
  edited.gumbel.hard = true;
  edited.loss.alpha = 0.3;
  edited.seeds.gumbel = 77;
  edited.inputSize = 32;
  const shares: [string, SharedExperiment][] = [
    ['default', { config: d }],
    ['fbnet-v2', { config: v2 }],
    ['edited', { config: edited }],
    [
      'with-result',
      {
        config: d,
        result: { arch: structuredClone(ARCHS.pfld_106), metrics: METRICS },
        view: { hide: ['seeds'], area: 'results' },
      },
    ],
  ];
  return shares.map(([name, s]) => {
    const token = encodeShare(s);
    return { name, token, decoded: decodeShare(token, CTX).value };
  });
}

async function checkpoint(strategy: 'fbnet-v1' | 'fbnet-v2') {
  const base = toyConfig(LANDMARK_SPACE, {
    train: { epochs: 3, stepsPerEpoch: 2, warmupEpochs: 1, lrWeights: 0.05, lrTheta: 0.3 },
    loss: { beta: 0.6 },
  });
  const config: ExperimentConfig =
    strategy === 'fbnet-v2'
      ? { ...base, strategy, v2: { widthFractions: [0.5, 1], resolutionFactors: [1, 2] } }
      : base;
  const source = () => blobLandmarkTask(8, { weights: 24, arch: 16, val: 6 }, 3);
  const t = new SearchTrainer(config, source(), { space: LANDMARK_SPACE, featureEvery: 0 });
  for (let i = 0; i < 4; i++) await t.step(); // into the weight+arch epochs
  const state = await t.state();
  const next = [await t.step(), await t.step()];
  t.dispose();
  return {
    strategy,
    state: toJsonState(state),
    next: next.map((m) => ({
      phase: m.phase,
      taskLoss: m.taskLoss,
      loss: m.loss,
      expectedCost: m.expectedCost,
      probs: m.probs,
      sampled: m.sampled,
    })),
  };
}

await tf.setBackend('cpu');
writeFileSync(`${OUT}/share-links.json`, JSON.stringify(links(), null, 1) + '\n');
for (const s of ['fbnet-v1', 'fbnet-v2'] as const)
  writeFileSync(`${OUT}/checkpoint-${s}.json`, JSON.stringify(await checkpoint(s)) + '\n');
console.log('fixtures written to', OUT);
