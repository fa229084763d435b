/**
 * The search session's invariants, in Node (the class runs without a worker for config edits): any edit
 * drops the built supernet unless a search is running, and numbers are kept only as a link carries them.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../../nas/index.ts';
import { SearchSession } from './search.svelte.ts';
import { fakeLayout } from './testing.ts';

function built(status: SearchSession['status'] = 'ready'): SearchSession {
  const s = new SearchSession();
  s.layout = fakeLayout();
  s.status = status;
  return s;
}

describe('SearchSession: any edit invalidates the built supernet', () => {
  it('edit, a new config, a number, the space and the candidates each drop the layout', () => {
    const edits: ((s: SearchSession) => void)[] = [
      (s) => s.edit((c) => (c.title = 'other')),
      (s) => (s.config = structuredClone(DEFAULT_EXPERIMENT)),
      (s) => s.setNumber('train.batchSize', 32),
      (s) => s.setNumber('dataset.difficulty', 0.25),
      (s) => s.setSpace('pfld'),
      (s) => s.setCandidates(1, ['skip']),
      (s) => s.setOptions('widthFractions', [1, 0.5]),
    ];
    for (const edit of edits) {
      const s = built();
      edit(s);
      expect(s.layout).toBeNull();
    }
  });

  it('a running search keeps its supernet', () => {
    const s = built('running');
    s.edit((c) => (c.title = 'other'));
    s.setNumber('train.epochs', 3);
    expect(s.layout?.runId).toBe('run-1');
  });

  it('a number set to what it already is, or an empty candidate list, is no edit', () => {
    const s = built();
    expect(s.setNumber('train.batchSize', DEFAULT_EXPERIMENT.train.batchSize)).toBe(16);
    s.setCandidates(1, []);
    expect(s.layout?.runId).toBe('run-1');
    expect(s.config.candidateEdits).toEqual({});
  });

  it('option lists are kept sorted and without repeats, and only when a link can carry them', () => {
    const s = built();
    expect(s.setOptions('resolutionFactors', [9])).toBe(false);
    expect(s.setOptions('widthFractions', [1, 0.25, 1, 0.5])).toBe(true);
    expect(s.config.v2).toEqual({ widthFractions: [0.25, 0.5, 1], resolutionFactors: [1, 2] });
    expect(s.setOptions('widthFractions', [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])).toBe(false);
  });

  it('changing the space drops the candidate edits made for the old one', () => {
    const s = new SearchSession();
    s.setCandidates(1, ['k3_e1']);
    expect(s.config.candidateEdits).toEqual({ 1: ['k3_e1'] });
    s.setSpace('pfld');
    expect(s.config.space).toBe('pfld');
    expect(s.config.candidateEdits).toEqual({});
  });
});

describe('SearchSession.setNumber keeps what a link carries', () => {
  it('clamps closed bounds, rounds whole numbers, keeps the value for NaN and open bounds', () => {
    const s = new SearchSession();
    expect(s.setNumber('train.batchSize', 1000)).toBe(512);
    expect(s.setNumber('train.epochs', 2.6)).toBe(3);
    expect(s.setNumber('inputSize', 8)).toBe(16);
    expect(s.setNumber('dataset.count', 0)).toBe(1);
    expect(s.setNumber('train.lrWeights', 0)).toBe(0.02); // must be > 0: the old value (the default) stays
    expect(s.setNumber('train.valFraction', 0.9)).toBe(0.2);
    expect(s.setNumber('gumbel.tau0', NaN)).toBe(5);
    expect(s.setNumber('seeds.init', -1)).toBe(2);
    expect(s.setNumber('seeds.init', 2 ** 32)).toBe(2);
    expect(s.setNumber('train.warmupEpochs', -0)).toBe(0);
    expect(Object.is(s.config.train.warmupEpochs, 0)).toBe(true);
    expect(s.config.train).toMatchObject({ batchSize: 512, epochs: 3, lrWeights: 0.02 });
  });

  it('warm-up epochs stay within the epochs, whichever is edited', () => {
    const s = new SearchSession();
    expect(s.setNumber('train.warmupEpochs', 50)).toBe(12);
    s.setNumber('train.epochs', 4);
    expect(s.config.train.warmupEpochs).toBe(4);
    s.setNumber('train.epochs', 9);
    expect(s.config.train.warmupEpochs).toBe(4);
  });

  it('dataset numbers of a user dataset do not exist and are left alone', () => {
    const s = new SearchSession();
    s.edit((c) => (c.dataset = { kind: 'user', name: 'mine' }));
    expect(s.setNumber('dataset.count', 40)).toBeUndefined();
    expect(s.config.dataset).toEqual({ kind: 'user', name: 'mine' });
  });

  it('the config is read-only from outside the class', () => {
    const s = new SearchSession();
    // @ts-expect-error edits go through the session's methods
    s.config.train.batchSize = 3;
    // @ts-expect-error arrays too
    s.config.candidateEdits[1] = ['skip'];
    expect(s.snapshot()).not.toBe(s.config);
  });
});
