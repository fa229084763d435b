import { describe, expect, it } from 'vitest';
import { resolveSpace } from '../spaces/derive.ts';
import {
  keyOfTable,
  predictLatency,
  tableFromJson,
  tableKey,
  tableMismatch,
  tableToJson,
  toCostMatrix,
  validateTable,
} from './table.ts';
import { sampleTable, TINY_SPACE } from './testing.ts';

const withField = (path: (t: Record<string, any>) => void): string => {
  const t = structuredClone(sampleTable()) as unknown as Record<string, any>;
  path(t);
  return JSON.stringify(t);
};

describe('latency table', () => {
  it('round-trips through JSON and drops unknown fields', () => {
    const t = sampleTable();
    expect(tableFromJson(tableToJson(t))).toEqual(t);
    const extra = JSON.stringify({ ...t, comment: 'hi' });
    expect(tableFromJson(extra)).toEqual(t);
  });

  it('predicts fixed + Σ chosen candidate times', () => {
    const t = sampleTable();
    expect(predictLatency(t, [0, 0])).toBe(3 + 0.5 + 0.75);
    expect(predictLatency(t, [1, 1])).toBe(3 + 1.25 + 2);
    expect(predictLatency(t, [2, 0])).toBe(3 + 0.125 + 0.75);
    expect(() => predictLatency(t, [0])).toThrow(/2 searchable layers, got 1/);
    expect(() => predictLatency(t, [3, 0])).toThrow(/choice 3 out of range at layer 1/);
  });

  it('cost matrix is a copy of the ms rows', () => {
    const t = sampleTable();
    const m = toCostMatrix(t);
    expect(m).toEqual([
      [0.5, 1.25, 0.125],
      [0.75, 2],
    ]);
    m[0][0] = 99;
    expect(t.layers[0].ms[0]).toBe(0.5);
  });

  it('keys separate space, size, backend and adapter, escaping separators', () => {
    expect(tableKey('classroom', 64, 'webgl', 'ANGLE (Intel: UHD)')).toBe(
      'classroom:64:webgl:ANGLE%20(Intel%3A%20UHD)',
    );
    expect(tableKey('a', 64, 'b', 'c:d')).not.toBe(tableKey('a', 64, 'b:c', 'd'));
    expect(keyOfTable(sampleTable())).toBe('tiny-latency:16:webgpu:apple%20m2');
  });

  it('names the bad field', () => {
    expect(() => tableFromJson('{not json')).toThrow(/not valid JSON/);
    expect(() => tableFromJson('[]')).toThrow(/\(root\)/);
    expect(() => tableFromJson(withField((t) => (t.version = 2)))).toThrow(/"version": expected 1, got 2/);
    expect(() => tableFromJson(withField((t) => (t.space = '')))).toThrow(/"space"/);
    expect(() => tableFromJson(withField((t) => (t.inputSize = 15.5)))).toThrow(
      /"inputSize": expected a positive integer/,
    );
    expect(() => tableFromJson(withField((t) => delete t.batch))).toThrow(/"batch"/);
    expect(() => tableFromJson(withField((t) => (t.adapter = 3)))).toThrow(/"adapter"/);
    expect(() => tableFromJson(withField((t) => (t.fixedMs = -1)))).toThrow(/"fixedMs"/);
    expect(() => tableFromJson(withField((t) => (t.source = 'guess')))).toThrow(/"source"/);
    expect(() => tableFromJson(withField((t) => (t.layers[0].ms[1] = 'fast')))).toThrow(
      /"layers\[0\]\.ms\[1\]"/,
    );
    expect(() => tableFromJson(withField((t) => t.layers[1].spread.pop()))).toThrow(
      /"layers\[1\]\.spread": expected 2 entries/,
    );
    expect(() => tableFromJson(withField((t) => (t.layers[1].layer = 1)))).toThrow(/"layers\[1\]\.layer"/);
    expect(() => tableFromJson(withField((t) => (t.layers[0].candidates[2] = 'k3_e1')))).toThrow(
      /"layers\[0\]\.candidates\[2\]": expected a name not listed before/,
    );
    expect(() => validateTable({ ...sampleTable(), layers: 'x' })).toThrow(/"layers": expected an array/);
  });

  it('checks that a table fits a space', () => {
    const space = resolveSpace(TINY_SPACE);
    expect(tableMismatch(sampleTable(), space, 16)).toBeNull();
    expect(tableMismatch(sampleTable(), space, 32)).toMatch(/16px, not 32px/);
    expect(tableMismatch({ ...sampleTable(), space: 'other' }, space, 16)).toMatch(/space "other"/);
    const edited = resolveSpace(TINY_SPACE, { 1: ['k3_e1', 'skip'] });
    expect(tableMismatch(sampleTable(), edited, 16)).toMatch(
      /layer 1: the table has candidates k3_e1, k3_e3, skip/,
    );
  });
});
