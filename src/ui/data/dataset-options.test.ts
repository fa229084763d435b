import { describe, expect, it } from 'vitest';
import { isUsable, pickerOptions, refFromValue, refValue, SYNTH_VALUE } from './dataset-options.ts';
import type { DatasetManifest } from '../../storage/datasets.ts';
import type { SynthDatasetRef } from '../../nas/index.ts';

const manifest = (name: string, status: DatasetManifest['status'], count = 10): DatasetManifest => ({
  name,
  count,
  size: 112,
  bytes: count * 100,
  createdAt: 1,
  updatedAt: 1,
  status,
  nextIndex: count,
  total: 40,
  chunkSize: 64,
  source: 'train_data/list.txt',
  problems: [],
  problemCount: 0,
});

const synth: SynthDatasetRef = { kind: 'synthface', count: 100, size: 32, difficulty: 0.2, seed: 9 };
const list = [manifest('done', 'complete', 40), manifest('half', 'importing', 12)];

describe('training-data picker options', () => {
  it('offers SynthFace and complete datasets; an unfinished import is listed but disabled', () => {
    const opts = pickerOptions(list);
    expect(opts.map((o) => [o.value, o.disabled])).toEqual([
      [SYNTH_VALUE, false],
      ['user:done', false],
      ['user:half', true],
    ]);
    expect(opts[2].label).toContain('incomplete import (12 of 40)');
  });

  it('never turns an unfinished or unknown dataset into a reference', () => {
    expect(refFromValue('user:done', list, synth)).toEqual({ kind: 'user', name: 'done' });
    expect(refFromValue('user:half', list, synth)).toBeNull();
    expect(refFromValue('user:gone', list, synth)).toBeNull();
    expect(refFromValue(SYNTH_VALUE, list, synth)).toBe(synth);
  });

  it('round-trips values and tells usable references apart', () => {
    expect(refValue({ kind: 'user', name: 'a:b' })).toBe('user:a:b');
    expect(refFromValue(refValue({ kind: 'user', name: 'done' }), list, synth)).toEqual({
      kind: 'user',
      name: 'done',
    });
    expect(isUsable(synth, [])).toBe(true);
    expect(isUsable({ kind: 'user', name: 'done' }, list)).toBe(true);
    expect(isUsable({ kind: 'user', name: 'half' }, list)).toBe(false);
  });
});
