import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SearchTrainer } from '../nas/index.ts';
import { blobLandmarkTask, LANDMARK_SPACE, toyConfig } from '../nas/testing.ts';
import { ResultsSession } from './results-session.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// derivation, costs and finetuning per strategy are tested in src/nas/results; here: the adapter
const data = () => blobLandmarkTask(8, { weights: 12, arch: 6, val: 4 }, 3);
const config = () => toyConfig(LANDMARK_SPACE, { train: { epochs: 1, stepsPerEpoch: 1, batchSize: 4 } });

describe('ResultsSession', () => {
  let t: SearchTrainer;
  let session: ResultsSession;
  const events: unknown[] = [];
  beforeAll(() => {
    t = new SearchTrainer(config(), data(), { space: LANDMARK_SPACE });
    session = new ResultsSession(
      (e) => events.push(e),
      () => t,
    );
  });
  afterAll(() => {
    session.dispose();
    t.dispose();
  });

  it('asks for a derivation before finetuning, evaluating or exporting', async () => {
    await expect(session.finetune({ steps: 1, lr: 0.01, fromScratch: false })).rejects.toMatchObject({
      code: 'not-derived',
    });
    await expect(session.evaluate()).rejects.toMatchObject({ code: 'not-derived' });
    await expect(session.export({})).rejects.toMatchObject({ code: 'not-derived' });
  });

  it('derives at the search input size with no V2 part', async () => {
    const s = await session.derive({ mode: 'argmax' });
    expect(s.v2).toBeUndefined();
    expect(s.inputSize).toBe(8);
    expect(s.layers.map((l) => l.out)).toEqual(
      LANDMARK_SPACE.body.flatMap((e) => (e.kind === 'search' ? [e.out] : [])),
    );
  });

  it('rejects manual choices that do not fit the layers, and bad finetune arguments', async () => {
    await expect(session.derive({ mode: 'manual', choices: [0] })).rejects.toMatchObject({
      code: 'bad-request',
    });
    await expect(session.finetune({ steps: 0, lr: 0.01, fromScratch: false })).rejects.toMatchObject({
      code: 'bad-request',
    });
    await expect(session.finetune({ steps: 1, lr: 10, fromScratch: false })).rejects.toMatchObject({
      code: 'bad-request',
    });
  });

  it('finetunes without leaking tensors, counts steps across calls and reports progress', async () => {
    await session.derive({ mode: 'argmax' });
    const before = tf.memory().numTensors;
    events.length = 0;
    const f = await session.finetune({ steps: 2, lr: 0.01, fromScratch: false });
    expect(f.outcome).toBe('finished');
    expect(f.losses.every(Number.isFinite)).toBe(true);
    expect(f.finalLoss).toBeCloseTo((f.losses[0] + f.losses[1]) / 2, 6);
    expect(tf.memory().numTensors).toBe(before);
    expect(events.at(-1)).toMatchObject({ type: 'finetune-progress', target: 'subnet', step: 2, total: 2 });
    const g = await session.finetune({ steps: 1, lr: 0.01, fromScratch: false });
    expect(g.totalSteps).toBe(3);
    expect(g.fromScratch).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs one results task at a time', async () => {
    const first = session.derive({ mode: 'argmax' });
    await expect(session.derive({ mode: 'argmax' })).rejects.toMatchObject({ code: 'busy' });
    await first;
  });
});
