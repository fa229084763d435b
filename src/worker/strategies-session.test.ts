import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SearchTrainer, sposConfig, type SideBySideSettings } from '../nas/index.ts';
import { blobLandmarkTask, LANDMARK_SPACE, toyConfig } from '../nas/testing.ts';
import type { WorkerEvent } from './protocol.ts';
import { StrategiesSession } from './strategies-session.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// the strategies themselves are tested in src/nas/sample-search; here: the adapter
const data = () => blobLandmarkTask(8, { weights: 12, arch: 6, val: 4 }, 3);
const config = () =>
  sposConfig(toyConfig(LANDMARK_SPACE, { train: { epochs: 1, stepsPerEpoch: 2, batchSize: 4 } }));
const settings: SideBySideSettings = {
  strategies: ['sanas', 'random'],
  seeds: [1],
  budget: 3,
  reward: { kind: 'score' },
};

describe('StrategiesSession', () => {
  let t: SearchTrainer | null = null;
  const events: WorkerEvent[] = [];
  const session = new StrategiesSession(
    (e) => events.push(e),
    () => t,
  );
  afterAll(() => t?.dispose());

  it('asks for a supernet first', async () => {
    await expect(session.start({ settings })).rejects.toMatchObject({ code: 'no-search' });
  });

  it('runs the strategies to the budget, streaming progress with a resumable state', async () => {
    t = new SearchTrainer(config(), data(), { space: LANDMARK_SPACE });
    while (!t.done) await t.step();
    const out = await session.start({ settings, recalibrationBatches: 1 });
    expect(out.status).toBe('finished');
    const progress = events.filter((e) => e.type === 'strategies-progress');
    expect(progress.map((e) => e.done)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(progress.at(-1)!.total).toBe(6);
    expect(out.summary.strategies.map((s) => s.points.length)).toEqual([3, 3]);
    expect(out.best!.tokens).toHaveLength(2);

    // resuming a mid-run state finishes with the same records
    const mid = progress[2].state;
    const resumed = await session.start({ settings, resume: mid, recalibrationBatches: 1 });
    expect(resumed.state.runs.map((r) => r.records)).toEqual(out.state.runs.map((r) => r.records));
  });

  it('measures the weight-sharing caveat on random candidates, streaming rows', async () => {
    events.length = 0;
    const report = await session.weightSharing({ count: 3, steps: 1, lr: 0.01, seed: 2 });
    expect(report.rows).toHaveLength(3);
    expect(new Set(report.rows.map((r) => r.tokens.join())).size).toBe(3);
    expect(events.filter((e) => e.type === 'weight-sharing-progress').map((e) => e.done)).toEqual([1, 2, 3]);
    expect(report.tau).toBeGreaterThanOrEqual(-1);
    expect(report.tau).toBeLessThanOrEqual(1);
    await expect(session.weightSharing({ count: 1, steps: 1, lr: 0.01, seed: 2 })).rejects.toMatchObject({
      code: 'bad-settings',
    });
  });

  it('turns bad settings into a clear error', async () => {
    await expect(session.start({ settings: { ...settings, budget: 0 } })).rejects.toMatchObject({
      code: 'bad-settings',
    });
    expect(session.stop()).toEqual({ stopped: false });
  });
});
