import { describe, expect, test } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../nas/index.ts';
import { CheckpointStore } from './checkpoints.ts';
import { memoryKV } from './kv.ts';
import { decodeRunFile, encodeRunFile, RunFileError } from './run-file.ts';
import {
  canTransition,
  checkpointsToPrune,
  finalNme,
  isRunId,
  newRunId,
  RunStore,
  thinHistory,
  type RunPoint,
  type RunRecord,
} from './runs.ts';

const point = (step: number): RunPoint => ({
  step,
  loss: 1 / (step + 1),
  taskLoss: 2 / (step + 1),
  expectedCost: 1e6 - step,
  entropy: 1.1 - step / 100,
});

function record(id: string, over: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    name: `run ${id}`,
    experiment: structuredClone(DEFAULT_EXPERIMENT),
    status: 'running',
    createdAt: 1000,
    updatedAt: 1000,
    backend: 'cpu',
    device: '',
    step: 3,
    totalSteps: 9,
    history: [0, 1, 2].map(point),
    evals: [{ step: 3, valNme: 12.5 }],
    derived: [],
    origin: 'local',
    ...over,
  };
}

function stores() {
  const kv = memoryKV();
  const checkpoints = new CheckpointStore(kv);
  return { kv, checkpoints, runs: new RunStore(kv, checkpoints) };
}

describe('run ids', () => {
  test('are time-ordered, distinct and valid', () => {
    let r = 0.1;
    const a = newRunId(1_700_000_000_000, () => r);
    r = 0.7;
    const b = newRunId(1_700_000_000_001, () => r);
    expect(a).toBe(`${(1_700_000_000_000).toString(36)}-${Math.floor(0.1 * 1e6).toString(36)}`);
    expect(a).not.toBe(b);
    expect(isRunId(a) && isRunId(b)).toBe(true);
    expect(isRunId('../x')).toBe(false);
    expect(isRunId('')).toBe(false);
    expect(isRunId(42)).toBe(false);
  });

  test('a record with a bad id is refused', async () => {
    await expect(stores().runs.put(record('Bad Id!'))).rejects.toThrow('not a run id');
  });
});

describe('status transitions', () => {
  test('follow the run lifecycle', () => {
    expect(canTransition('running', 'paused')).toBe(true);
    expect(canTransition('running', 'interrupted')).toBe(true);
    expect(canTransition('interrupted', 'paused')).toBe(true);
    expect(canTransition('paused', 'running')).toBe(true);
    expect(canTransition('finished', 'running')).toBe(false);
    expect(canTransition('diverged', 'paused')).toBe(false);
    expect(canTransition('interrupted', 'finished')).toBe(false);
    expect(canTransition('finished', 'finished')).toBe(true);
  });

  test('setStatus stamps the end of a run and refuses an illegal change', async () => {
    const { runs } = stores();
    await runs.put(record('r-one'));
    const done = await runs.setStatus('r-one', 'finished');
    expect(done!.status).toBe('finished');
    expect(done!.finishedAt).toBeGreaterThan(0);
    await expect(runs.setStatus('r-one', 'running')).rejects.toThrow('A finished run cannot become running');
    expect((await runs.get('r-one'))!.status).toBe('finished');
  });

  test('runs left running by a closed page become interrupted; others stay as they were', async () => {
    const { runs } = stores();
    await runs.put(record('r-run'));
    await runs.put(record('r-pau', { status: 'paused' }));
    await runs.put(record('r-fin', { status: 'finished' }));
    expect(await runs.markInterrupted()).toEqual(['r-run']);
    expect((await runs.get('r-run'))!.status).toBe('interrupted');
    expect((await runs.get('r-pau'))!.status).toBe('paused');
    expect((await runs.get('r-fin'))!.status).toBe('finished');
  });

  test("a run whose record missed its last write (a reload at the end) takes its checkpoints' final status", async () => {
    const { runs, checkpoints } = stores();
    for (const id of ['r-end', 'r-nan', 'r-mid']) {
      await runs.put(record(id, { step: 4 }));
      await checkpoints.createRun(id, id, {});
    }
    await checkpoints.save('r-end', 6, { w: new Float32Array(4) }, 'finish', 'finished');
    await checkpoints.save('r-nan', 5, { w: new Float32Array(4) }, 'stop', 'diverged');
    await checkpoints.save('r-mid', 5, { w: new Float32Array(4) }, 'auto', 'running');
    expect(await runs.markInterrupted()).toEqual(['r-mid']);
    const end = (await runs.get('r-end'))!;
    expect([end.status, end.step, end.finishedAt! > 0]).toEqual(['finished', 6, true]);
    expect((await runs.get('r-nan'))!.status).toBe('diverged');
    expect((await runs.get('r-mid'))!.status).toBe('interrupted');
  });
});

describe('the library', () => {
  test('lists newest first, renames, and deleting a run frees its record and checkpoints', async () => {
    const { kv, runs, checkpoints } = stores();
    await runs.put(record('r-old', { createdAt: 1 }));
    await runs.put(record('r-new', { createdAt: 2 }));
    await checkpoints.createRun('r-old', 'old', {});
    await checkpoints.save('r-old', 3, { w: new Float32Array(1000) }, 'auto');
    expect((await runs.list()).map((r) => r.id)).toEqual(['r-new', 'r-old']);
    await runs.rename('r-old', '  α = 0.2  ');
    expect((await runs.get('r-old'))!.name).toBe('α = 0.2');
    await expect(runs.rename('r-old', '   ')).rejects.toThrow('needs a name');

    const before = await runs.size((await runs.get('r-old'))!);
    expect(before).toBeGreaterThan(4000); // 1000 float32 weights
    await runs.delete('r-old');
    expect(await runs.get('r-old')).toBeUndefined();
    expect([...kv.map.keys()].filter((k) => k.includes('r-old'))).toEqual([]);
    expect((await runs.list()).map((r) => r.id)).toEqual(['r-new']);
  });

  test('a long history is thinned to the cap, keeping the first and newest points', () => {
    const pts = Array.from({ length: 4001 }, (_, i) => point(i));
    const thin = thinHistory(pts, 1000);
    expect(thin.length).toBeLessThanOrEqual(1000);
    expect(thin[0].step).toBe(0);
    expect(thin.at(-1)!.step).toBe(4000);
    expect(thinHistory(pts.slice(0, 10), 1000)).toHaveLength(10);
  });

  test('final NME is the last finite evaluation', () => {
    expect(
      finalNme({
        evals: [
          { step: 1, valNme: 9 },
          { step: 2, valNme: null },
        ],
      }),
    ).toBe(9);
    expect(finalNme({ evals: [] })).toBeNull();
  });
});

describe('pruning policy', () => {
  const ck = (seq: number) => ({ seq, step: seq * 10, savedAt: seq, bytes: 10, reason: 'auto' as const });

  test('a finished run keeps only its last checkpoint; other runs keep all', () => {
    expect(checkpointsToPrune('finished', [ck(4), ck(5), ck(6)])).toEqual([4, 5]);
    expect(checkpointsToPrune('finished', [ck(6)])).toEqual([]);
    for (const s of ['running', 'paused', 'interrupted', 'diverged'] as const)
      expect(checkpointsToPrune(s, [ck(1), ck(2)])).toEqual([]);
  });

  test('prune deletes the older checkpoints of finished runs from storage', async () => {
    const { kv, runs, checkpoints } = stores();
    await runs.put(record('r-fin', { status: 'finished' }));
    await runs.put(record('r-pau', { status: 'paused' }));
    for (const id of ['r-fin', 'r-pau']) {
      await checkpoints.createRun(id, id, {});
      for (const step of [3, 6, 9]) await checkpoints.save(id, step, { w: new Float32Array([step]) }, 'auto');
    }
    expect(await runs.prune()).toBe(2);
    expect((await checkpoints.manifest('r-fin'))!.checkpoints.map((c) => c.step)).toEqual([9]);
    expect((await checkpoints.manifest('r-pau'))!.checkpoints).toHaveLength(3);
    expect([...kv.map.keys()].filter((k) => k.startsWith('run:r-fin:ckpt:'))).toHaveLength(1);
    const kept = (await checkpoints.latest('r-fin'))!.state as { w: Float32Array };
    expect(Array.from(kept.w)).toEqual([9]);
  });
});

describe('run files', () => {
  test('export → import round-trips the record and the weights into a fresh browser', async () => {
    const a = stores();
    const rec = record('r-exp', {
      status: 'finished',
      evals: [{ step: 9, valNme: 7.25 }],
      history: [point(0), { ...point(1), loss: Number.NaN }],
      derived: [
        {
          mode: 'argmax',
          arch: { name: 'x', stem: 8, body: [{ kind: 'skip' }], headWidth: 16 } as never,
          choices: [2, 0],
          macs: 1234,
          params: 56,
          finetune: { steps: 10, finalLoss: 0.5, outcome: 'done' },
        },
      ],
    });
    await a.runs.put(rec);
    await a.checkpoints.createRun('r-exp', 'x', {});
    const weights = {
      theta: [new Float32Array([0.5, -1.25])],
      step: new Int32Array([9]),
      b: new Uint8Array([7]),
    };
    await a.checkpoints.save('r-exp', 9, weights, 'finish', 'finished');
    const text = encodeRunFile({ run: (await a.runs.get('r-exp'))!, weights: await a.runs.weights('r-exp') });

    const b = stores();
    const imported = await b.runs.importRun(decodeRunFile(text));
    expect(imported.id).toBe('r-exp');
    expect(imported.origin).toBe('imported');
    const back = (await b.runs.get('r-exp'))!;
    expect(back.evals).toEqual(rec.evals);
    expect(back.derived).toEqual(rec.derived);
    expect(back.experiment).toEqual(rec.experiment);
    expect(back.history[1].loss).toBeNaN();
    expect(back.history[0]).toEqual(rec.history[0]);
    const restored = (await b.checkpoints.latest('r-exp'))!;
    expect(restored.info.step).toBe(9);
    const s = restored.state as typeof weights;
    expect(s.theta[0]).toBeInstanceOf(Float32Array);
    expect(Array.from(s.theta[0])).toEqual([0.5, -1.25]);
    expect(Array.from(s.step)).toEqual([9]);
    expect(Array.from(s.b)).toEqual([7]);
    expect((await b.checkpoints.manifest('r-exp'))!.status).toBe('finished');

    // importing the same file again does not overwrite the first import
    const again = await b.runs.importRun(decodeRunFile(text));
    expect(again.id).not.toBe('r-exp');
    expect(await b.runs.list()).toHaveLength(2);
  });

  test('a run exported while running imports as interrupted, without weights when none were included', async () => {
    const { runs } = stores();
    const file = decodeRunFile(encodeRunFile({ run: record('r-live') }));
    expect(file.run.status).toBe('interrupted');
    expect(file.weights).toBeUndefined();
    await runs.importRun(file);
    expect((await runs.get('r-live'))!.status).toBe('interrupted');
  });

  test('a corrupted or foreign file is refused with a message and nothing is stored', async () => {
    const good = encodeRunFile({ run: record('r-bad') });
    const edited = good.replace('run r-bad', 'run r-BAD');
    const cases: [string, RegExp][] = [
      [good.slice(0, good.length - 20), /not readable JSON/],
      [edited, /checksum does not match/],
      ['{"kind":"something-else"}', /not exported from the Runs view/],
      [good.replace('"version":1', '"version":99'), /newer version/],
      ['', /not readable JSON/],
    ];
    for (const [text, message] of cases) {
      expect(() => decodeRunFile(text)).toThrow(RunFileError);
      expect(() => decodeRunFile(text)).toThrow(message);
    }
  });
});
