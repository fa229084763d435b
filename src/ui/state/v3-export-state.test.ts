/**
 * The FBNetV3 export and share state in Node with a stand-in worker: an export sends the winner's kept
 * weights with the search's own settings, is offered for download only when the parity check passed, and
 * belongs to the weights it was made from; the form round-trips through a share link's settings.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JointSearchState, ResultsExport, TrainedCandidate } from '../../nas/index.ts';
import type { BackendInfo, WorkerClient } from '../../worker/protocol.ts';
import { DEFAULT_V3_SETTINGS } from '../../worker/v3-session.ts';
import type { SharedV3 } from '../../share/index.ts';
import { runtime } from './runtime.svelte.ts';
import { v3 } from './v3.svelte.ts';
import { v3Export, winnerName } from './v3-export.svelte.ts';
import type { BudgetWinner } from '../v3/winners.ts';

function fakeWorker() {
  const pending: { method: string; args: Record<string, unknown>; resolve: (v: unknown) => void }[] = [];
  const client = {
    call: (method: string, args: Record<string, unknown>) =>
      new Promise((resolve) => pending.push({ method, args, resolve })),
    onEvent: () => () => undefined,
  };
  return { client: client as unknown as WorkerClient, pending };
}

const record = { candidate: [32, 3, 6], macs: 1.2e6, budget: 1.5e6, curve: [9, 8] } as TrainedCandidate;
const winner: BudgetWinner = { budget: 1.5e6, record, key: '32,3,6', nme: 8 };
const weights = { 'head/fc/bias': { shape: [1], data: new Float32Array([0.5]) } };
const answer = (maxAbsDiff: number) =>
  ({ bytes: new Uint8Array([1, 2, 3]), fileName: 'f.onnx', maxAbsDiff, checkedImages: 4 }) as ResultsExport;

let worker: ReturnType<typeof fakeWorker>;
beforeEach(() => {
  worker = fakeWorker();
  runtime.client = worker.client;
  runtime.info = { backend: 'cpu' } as BackendInfo;
  v3.search = { config: {}, trained: [record], fine: [] } as unknown as JointSearchState;
  v3.searchSettings = { ...DEFAULT_V3_SETTINGS, steps: 9 };
  v3.kept = { [winner.key]: { key: winner.key, budget: winner.budget, weights } };
});
afterEach(() => {
  runtime.client = null;
  runtime.info = null;
  v3.kept = {};
  v3Export.error = null;
});

describe('V3ExportState', () => {
  it("sends the winner's kept weights with the search's settings; download only after a passed parity check", async () => {
    expect(v3Export.hasWeights(winner)).toBe(true);
    const done = v3Export.export(winner, 'https://x.test/#x=1');
    expect(v3Export.isBusy(winner)).toBe(true);
    expect(worker.pending).toHaveLength(1);
    const { method, args } = worker.pending[0];
    expect(method).toBe('v3Export');
    expect(args.weights).toBe(weights);
    expect(args.candidate).toEqual([32, 3, 6]);
    expect(args.settings).toEqual(v3.searchSettings);
    expect(args.name).toBe(winnerName(1.5e6));
    expect(args.experimentUrl).toBe('https://x.test/#x=1');
    worker.pending[0].resolve(answer(2e-6));
    await done;
    expect(v3Export.isBusy(winner)).toBe(false);
    expect(v3Export.exported(winner)?.fileName).toBe('f.onnx');
    expect(v3Export.passed(winner)).toBe(true);

    // a parity miss: shown, not offered
    const again = v3Export.export(winner, '');
    worker.pending[1].resolve(answer(3e-3));
    await again;
    expect(v3Export.exported(winner)?.maxAbsDiff).toBe(3e-3);
    expect(v3Export.passed(winner)).toBe(false);

    // a new search keeps new weights (even for the same candidate): the old export is not offered
    v3.kept = { [winner.key]: { key: winner.key, budget: winner.budget, weights: { ...weights } } };
    expect(v3Export.exported(winner)).toBeNull();
  });

  it('without kept weights: a message, no worker call', async () => {
    v3.kept = {};
    expect(v3Export.hasWeights(winner)).toBe(false);
    await v3Export.export(winner, '');
    expect(worker.pending).toHaveLength(0);
    expect(v3Export.error).toMatch(/weights of this network were not kept/);
  });

  it('a worker refusal is shown as a message', async () => {
    const done = v3Export.export(winner, '');
    worker.pending[0].resolve(Promise.reject(new Error('setWeights: no weights for parameter "x"')));
    await done;
    expect(v3Export.error).toBe('Exporting failed: setWeights: no weights for parameter "x"');
    expect(v3Export.isBusy(winner)).toBe(false);
  });
});

describe('V3State and share links', () => {
  it('a link fills the form, and the form goes back into a link unchanged', () => {
    const shared: SharedV3 = { ...DEFAULT_V3_SETTINGS, seed: 5, steps: 12, budgets: [1e6, 2.5e6] };
    v3.applyShared(shared);
    expect(v3.settings.steps).toBe(12);
    expect(v3.budgetsText).toBe('1, 2.5');
    expect(v3.shared()).toEqual(shared);
    // budgets typed but not parseable: the link keeps the last good ones
    v3.budgetsText = '1, lots';
    expect(v3.shared().budgets).toEqual([1e6, 2.5e6]);
    v3.budgetsText = '0.5 4';
    expect(v3.shared().budgets).toEqual([0.5e6, 4e6]);
  });
});
