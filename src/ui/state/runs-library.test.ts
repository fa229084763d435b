/** The Runs area's list in Node: filtering by name/space and status, sorting either way, picking to compare. */
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../../nas/index.ts';
import type { RunRecord } from '../../storage/runs.ts';
import type { RunRow } from './runs.svelte.ts';

// the router reads the address at start-up: a page without a hash
vi.stubGlobal('location', new URL('http://localhost/'));
vi.stubGlobal('addEventListener', () => undefined);
const { RunsLibrary } = await import('./runs.svelte.ts');

const row = (
  id: string,
  name: string,
  status: RunRecord['status'],
  nme: number | null,
  bytes: number,
  createdAt: number,
): RunRow => ({
  run: {
    id,
    name,
    experiment: structuredClone(DEFAULT_EXPERIMENT),
    status,
    createdAt,
    updatedAt: createdAt,
    backend: 'cpu',
    device: '',
    step: 0,
    totalSteps: 1,
    history: [],
    evals: [],
    derived: [],
    origin: 'local',
  },
  bytes,
  checkpoints: [],
  nme,
});

describe('RunsLibrary list', () => {
  it('filters, sorts and picks', () => {
    const lib = new RunsLibrary();
    lib.rows = [
      row('r-aaa', 'alpha low', 'finished', 9.5, 300, 1),
      row('r-bbb', 'alpha high', 'finished', 7.25, 100, 2),
      row('r-ccc', 'broken', 'diverged', null, 200, 3),
    ];
    const ids = () => lib.visible.map((r) => r.run.id);
    expect(ids()).toEqual(['r-ccc', 'r-bbb', 'r-aaa']); // newest first
    lib.sort = 'nme';
    lib.descending = false;
    expect(ids()).toEqual(['r-bbb', 'r-aaa', 'r-ccc']); // best NME first, runs without one last
    lib.sort = 'size';
    expect(ids()).toEqual(['r-bbb', 'r-ccc', 'r-aaa']);
    lib.filter = 'ALPHA';
    expect(ids()).toEqual(['r-bbb', 'r-aaa']);
    lib.filter = '';
    lib.status = 'diverged';
    expect(ids()).toEqual(['r-ccc']);
    expect(lib.totalBytes).toBe(600);
    lib.toggle('r-aaa');
    lib.toggle('r-ccc');
    lib.toggle('r-aaa');
    lib.toggle('r-bbb');
    expect(lib.compared.map((r) => r.run.id)).toEqual(['r-ccc', 'r-bbb']);
  });
});

describe("a run's share link", () => {
  it('carries the experiment and the derived architecture in the existing link format, opening Results', async () => {
    const { decodeShare, shareTokenFromHash } = await import('../../share/index.ts');
    const { ARCHS, SPACES, candidateNames } = await import('../../nas/index.ts');
    const lib = new RunsLibrary();
    const r = row('r-sha', 'shared', 'finished', 8.5, 1, 1).run;
    r.experiment.loss = { ...r.experiment.loss, alpha: 0.7 };
    const arch = Object.values(ARCHS)[0];
    r.derived = [{ mode: 'argmax', arch, choices: [2], macs: 12_000, params: 340 }];
    r.evals = [{ step: 9, valNme: 8.5 }];
    r.step = 9;
    const link = lib.shareLink(r);
    const token = shareTokenFromHash(new URL(link).hash)!;
    const ctx = { spaces: Object.keys(SPACES), candidates: candidateNames() };
    expect(() => decodeShare(token, ctx)).not.toThrow();
    const { value } = decodeShare(token, ctx);
    expect(value.config.loss.alpha).toBe(0.7);
    expect(value.view?.area).toBe('results');
    expect(value.result?.arch).toEqual(arch);
    expect(value.result?.metrics).toMatchObject({ macs: 12_000, params: 340, nme: 8.5, steps: 9 });
  });
});
