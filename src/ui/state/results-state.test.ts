/**
 * The results' invariants, in Node with a stand-in worker: results belong to one search run (another build
 * or an edited setup shows none, a late answer for an earlier run is dropped) and the hand-picked
 * architecture starts from the most likely candidate of every layer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StepMetrics } from '../../nas/index.ts';
import type { ResultsArchSummary } from '../../nas/index.ts';
import type { WorkerClient, WorkerEvent } from '../../worker/protocol.ts';
import { ResultsState } from './results.svelte.ts';
import { runtime } from './runtime.svelte.ts';
import { search } from './search.svelte.ts';
import { fakeLayout } from './testing.ts';

const layout = (runId: string) => fakeLayout(runId, 2);

const summary = (choices: number[]): ResultsArchSummary =>
  ({
    mode: 'argmax',
    choices,
    layers: choices.map((c, l) => ({ index: l + 1, chosen: c, probs: [0.2, 0.3, 0.5] })),
  }) as unknown as ResultsArchSummary;

/** A worker whose calls wait until the test answers them. */
function fakeWorker() {
  const pending: { method: string; args: unknown; resolve: (v: unknown) => void }[] = [];
  const listeners: ((e: WorkerEvent) => void)[] = [];
  const client = {
    call: (method: string, args: unknown) =>
      new Promise((resolve) => pending.push({ method, args, resolve })),
    onEvent: (f: (e: WorkerEvent) => void) => {
      listeners.push(f);
      return () => listeners.splice(listeners.indexOf(f), 1);
    },
  };
  const answer = async (v: unknown) => {
    await Promise.resolve();
    pending.shift()!.resolve(v);
    await new Promise((r) => setTimeout(r, 0));
  };
  return {
    client: client as unknown as WorkerClient,
    pending,
    answer,
    emit: (e: WorkerEvent) => listeners.forEach((f) => f(e)),
  };
}

let worker: ReturnType<typeof fakeWorker>;
beforeEach(() => {
  worker = fakeWorker();
  runtime.client = worker.client;
  search.status = 'ready';
  search.layout = layout('run-1');
  search.history = [];
});
afterEach(() => {
  runtime.client = null;
  search.layout = null;
});

describe('ResultsState: results belong to one run', () => {
  it('a derivation shows for its run and reads as empty once the setup is edited or rebuilt', async () => {
    const r = new ResultsState();
    const done = r.derive('argmax');
    await worker.answer(summary([2, 0]));
    await done;
    expect(r.summary?.choices).toEqual([2, 0]);
    expect(r.manual).toEqual([2, 0]);

    search.setNumber('train.epochs', 3); // an edit drops the built supernet, and the results with it
    expect(r.summary).toBeNull();
    expect(r.manual).toEqual([]);

    search.layout = layout('run-1'); // even the same run id built again is a new build
    expect(r.summary).toBeNull();
    expect(r.losses).toEqual({ subnet: [], baseline: [] });
  });

  it('an answer for an earlier run is dropped', async () => {
    const r = new ResultsState();
    const done = r.derive('argmax');
    search.layout = layout('run-2');
    await worker.answer(summary([1, 1]));
    await done;
    expect(r.summary).toBeNull();
  });

  it('finetune progress is recorded for the run it belongs to', async () => {
    const r = new ResultsState();
    const derived = r.derive('argmax');
    await worker.answer(summary([0, 0]));
    await derived;
    const training = r.finetune('subnet');
    worker.emit({ type: 'finetune-progress', target: 'subnet', step: 1, total: 2, loss: 0.5, lr: 0.01 });
    expect(r.losses.subnet).toEqual([[1, 0.5]]);
    expect(r.progress?.step).toBe(1);
    search.layout = layout('run-2');
    expect(r.losses.subnet).toEqual([]);
    await worker.answer({ outcome: 'done', steps: 2, totalSteps: 2, fromScratch: false, finalLoss: 0.4 });
    await training;
    expect(r.finetuned).toBeNull();
  });
});

describe('ResultsState: the architecture picked by hand', () => {
  it('starts from the most likely candidate of each layer and keeps what was picked', async () => {
    const r = new ResultsState();
    search.history = [
      {
        probs: [
          [0.1, 0.7, 0.2],
          [0.5, 0.2, 0.3],
        ],
      } as unknown as StepMetrics,
    ];
    expect(r.manual).toEqual([1, 0]);
    r.choose(1, 2);
    expect(r.manual).toEqual([1, 2]);
    const done = r.derive('manual');
    expect(worker.pending[0].args).toEqual({ mode: 'manual', choices: [1, 2] });
    await worker.answer(summary([1, 2]));
    await done;
    expect(r.manual).toEqual([1, 2]);
  });
});
