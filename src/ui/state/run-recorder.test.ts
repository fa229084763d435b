/**
 * The run recorder in Node, on in-memory storage: what the library holds as a search goes through its
 * life (a configure alone is no run; steps, status, evaluation and derivation are kept; a finished run is
 * pruned to its last checkpoint and stays finished when reopened).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT, type StepMetrics } from '../../nas/index.ts';
import { CheckpointStore } from '../../storage/checkpoints.ts';
import { memoryKV } from '../../storage/kv.ts';
import { RunRecorder } from './run-recorder.ts';
import { fakeLayout } from './testing.ts';

const metrics = (step: number): StepMetrics =>
  ({
    step,
    epoch: 0,
    phase: 'weights',
    taskLoss: 2,
    costTerm: 1,
    expectedCost: 100 + step,
    loss: 1 + step,
    tau: 5,
    lr: 0.1,
    probs: [[0.5, 0.5]],
    sampled: [0],
    gumbelWeights: [[1, 0]],
    entropy: [0.4, 0.8],
    nonFinite: false,
  }) as StepMetrics;

function setup() {
  const kv = memoryKV();
  const checkpoints = new CheckpointStore<unknown, typeof DEFAULT_EXPERIMENT>(kv);
  const rec = new RunRecorder(checkpoints, kv);
  return { kv, checkpoints, rec };
}

describe('RunRecorder', () => {
  it('records a run from its first step to its end and prunes it to the last checkpoint', async () => {
    const { checkpoints, rec } = setup();
    const config = { ...structuredClone(DEFAULT_EXPERIMENT), title: 'α sweep 1' };
    rec.begin(fakeLayout('run-abc'), config, 'cpu', 'none', false);
    rec.flushNow();
    await rec.settled();
    expect(await rec.store.list()).toEqual([]); // configured, never stepped: not a run

    rec.status('running', 0, 10);
    rec.metrics([metrics(0), metrics(1)]);
    rec.evaluation(2, 12.5);
    rec.flushNow();
    await rec.settled();
    let r = (await rec.store.get('run-abc'))!;
    expect(r.status).toBe('running');
    expect(r.name).toBe('α sweep 1');
    expect(r.backend).toBe('cpu');
    expect(r.history.map((p) => [p.step, p.loss, p.expectedCost])).toEqual([
      [0, 1, 100],
      [1, 2, 101],
    ]);
    expect(r.history[0].entropy).toBeCloseTo(0.6, 12);
    expect(r.evals).toEqual([{ step: 2, valNme: 12.5 }]);

    await checkpoints.createRun('run-abc', 'x', config);
    for (const step of [0, 5, 10]) await checkpoints.save('run-abc', step, { w: [step] }, 'auto');
    rec.status('finished', 10, 10);
    rec.derived({ arch: { name: 'a', body: [] } as never, choices: [1], probs: [0.9], macs: 10, params: 2 });
    await rec.settled();
    r = (await rec.store.get('run-abc'))!;
    expect(r.status).toBe('finished');
    expect(r.finishedAt).toBeGreaterThan(0);
    expect(r.derived.map((a) => [a.mode, a.choices, a.macs])).toEqual([['argmax', [1], 10]]);
    expect((await checkpoints.manifest('run-abc'))!.checkpoints.map((c) => c.step)).toEqual([10]);

    // reopened for its results: restored paused in the worker, still finished in the library
    rec.begin({ ...fakeLayout('run-abc'), step: 10 }, config, 'cpu', 'none', true);
    rec.status('paused', 10, 10);
    rec.addArch({
      mode: 'argmax',
      arch: r.derived[0].arch,
      choices: [1],
      macs: 10,
      params: 2,
      finetune: { steps: 5, finalLoss: 0.1, outcome: 'done' },
    });
    await rec.settled();
    r = (await rec.store.get('run-abc'))!;
    expect(r.status).toBe('finished');
    expect(r.history).toHaveLength(2);
    expect(r.derived).toHaveLength(1);
    expect(r.derived[0].finetune?.steps).toBe(5);
  });

  it('a name changed in the library survives the next write of a running search', async () => {
    const { rec } = setup();
    rec.begin(fakeLayout('run-xyz'), structuredClone(DEFAULT_EXPERIMENT), 'cpu', '', false);
    rec.status('running', 0, 10);
    await rec.settled();
    await rec.store.rename('run-xyz', 'renamed');
    rec.metrics([metrics(0)]);
    rec.flushNow();
    await rec.settled();
    expect((await rec.store.get('run-xyz'))!.name).toBe('renamed');
  });
});
