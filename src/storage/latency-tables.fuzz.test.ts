/**
 * Hostile latency-table files (issue 19): the JSON a user imports and PaddleSlim's text tables. A JSON file
 * is saved as a valid table or refused with a "Latency table …" message; PaddleSlim text always parses to
 * entries plus problems by line, and its mapping onto a space is always a table the store accepts. Nothing
 * else is thrown, and nothing invalid is stored.
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  mapPaddleSlimToSpace,
  parsePaddleSlimTable,
  resolveSpace,
  SPACES,
  validateTable,
  type LatencyTable,
} from '../nas/index.ts';
import { memoryKV } from './kv.ts';
import { LatencyTableStore } from './latency-tables.ts';
import { logFault } from '../../scripts/fault-log.ts';

const RUNS = 1000;

const num = fc.oneof(
  fc.double({ min: 0, max: 1e3, noNaN: true }),
  fc.constantFrom(0, -1, 1e308, -0, 1.7976931348623157e308, 5e-324, 2 ** 53),
  fc.integer(),
);
const table = fc
  .array(
    fc.tuple(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }), num),
    {
      maxLength: 5,
    },
  )
  .map((layers): LatencyTable => ({
    version: 1,
    space: 'classroom',
    inputSize: 16,
    batch: 1,
    backend: 'cpu',
    adapter: '',
    createdAt: 1,
    layers: layers.map(([candidates, ms], i) => ({
      layer: i,
      candidates,
      ms: candidates.map(() => Math.abs(ms)),
      spread: candidates.map(() => 0),
    })),
    fixedMs: 1,
    source: 'measured',
  }));
/** Replace one value somewhere in a JSON tree by `v`. */
function poke(value: unknown, path: number[], v: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return v;
  const keys = Object.keys(value);
  if (!keys.length) return v;
  const k = keys[path[0] % keys.length];
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as never) : { ...value };
  copy[k] = poke((value as Record<string, unknown>)[k], path.slice(1), v);
  return copy;
}
const jsonText = fc.oneof(
  table.map((t) => JSON.stringify(t)),
  fc
    .tuple(table, fc.array(fc.nat(), { maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }))
    .map(([t, p, v]) => JSON.stringify(poke(t, p, v))),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 100 }).map((s) => '{' + s),
  fc.integer({ min: 1, max: 20_000 }).map((d) => '{"layers":' + '['.repeat(d) + ']'.repeat(d) + '}'),
  table.map((t) => JSON.stringify(t).replace('"layers"', '"__proto__":{"version":1},"layers"')),
);

const int = fc.oneof(fc.integer({ min: -2, max: 300 }), fc.constantFrom(2 ** 31, 2 ** 53, 1e21));
const latency = fc.oneof(
  fc.double({ min: 0, max: 50, noNaN: true }).map(String),
  fc.constantFrom('1e308', '1.7e308', '1e999', 'inf', 'NaN', '-1', '0', 'abc', '1e-320'),
);
const opLine = fc.oneof(
  // well-formed convs (bias, relu, n, c, h, w, out, groups, k, pad, stride, dilation), so tables get mapped
  fc
    .tuple(
      fc.integer({ min: 1, max: 64 }),
      fc.integer({ min: 1, max: 32 }),
      fc.integer({ min: 1, max: 64 }),
      fc.constantFrom(1, 3, 5),
      fc.constantFrom(1, 2),
      latency,
    )
    .map(([c, h, out, k, st, l]) => `conv,0,1,1,${c},${h},${h},${out},1,${k},${k >> 1},${st},1\t${l}`),
  fc
    .tuple(fc.array(int, { minLength: 10, maxLength: 17 }), latency)
    .map(([f, l]) => `conv,${f.join(',')}\t${l}`),
  fc
    .tuple(
      fc.constantFrom('relu', 'relu6', 'hard_swish', 'swish', 'sigmoid', 'eltwise', 'softmax'),
      fc.array(int, { minLength: 3, maxLength: 6 }),
      latency,
    )
    .map(([op, f, l]) => `${op},${f.join(',')}\t${l}`),
  fc
    .tuple(fc.array(int, { minLength: 9, maxLength: 14 }), latency)
    .map(([f, l]) => `pooling,${f.join(',')}\t${l}`),
  fc
    .tuple(fc.array(int, { minLength: 4, maxLength: 4 }), latency)
    .map(([f, l]) => `batch_norm,x,${f.join(',')}\t${l}`),
  fc.string({ maxLength: 60 }),
  fc.constantFrom('# comment', '', '   '),
);
const paddleText = fc
  .tuple(
    fc.constantFrom('', 'device\tengine\tus', 'sd855,lite,ms\n', 'x,y,z'),
    fc.array(opLine, { maxLength: 25 }),
    fc.constantFrom('\n', '\r\n'),
  )
  .map(([h, lines, eol]) => [h, ...lines].join(eol));

describe('latency table fuzz', () => {
  test('fault: hostile latency JSON — saved valid or refused with a message, never a throw', async () => {
    let runs = 0;
    let survived = 0;
    try {
      await fc.assert(
        fc.asyncProperty(jsonText, async (text) => {
          runs++;
          const store = new LatencyTableStore(memoryKV());
          let saved: LatencyTable | null = null;
          try {
            saved = await store.importTable(text);
          } catch (e) {
            expect(e).toBeInstanceOf(Error);
            expect((e as Error).message).toMatch(/^Latency table/);
          }
          const listed = await store.listTables();
          if (saved) {
            expect(validateTable(saved)).toEqual(saved);
            expect(listed.length).toBe(1);
            expect(Number.isFinite(listed[0].slowestMs)).toBe(true);
          } else expect(listed).toEqual([]);
          survived++;
        }),
        { numRuns: RUNS, seed: 1905 },
      );
    } finally {
      logFault('hostile latency-table JSON', runs, survived);
    }
    expect(runs).toBeGreaterThanOrEqual(RUNS);
  });

  test('fault: hostile PaddleSlim tables — entries and problems by line, a table the store accepts', async () => {
    const space = resolveSpace(SPACES.classroom);
    let mapped = 0;
    let runs = 0;
    let survived = 0;
    try {
      await fc.assert(
        fc.asyncProperty(paddleText, async (text) => {
          runs++;
          const parsed = parsePaddleSlimTable(text);
          for (const e of parsed.entries) expect(Number.isFinite(e.ms) && e.ms >= 0).toBe(true);
          const lines = new Set([
            ...parsed.entries.map((e) => e.line),
            ...parsed.problems.map((p) => p.line),
          ]);
          for (const l of lines) expect(l).toBeGreaterThan(0);
          const store = new LatencyTableStore(memoryKV());
          try {
            const mapping = mapPaddleSlimToSpace(parsed.entries, space, 16, { header: parsed.header });
            await store.saveTable(mapping.table);
          } catch (e) {
            // refusals the importer shows: no conv to map from, or estimates beyond any plausible latency
            expect(e).toBeInstanceOf(Error);
            expect((e as Error).message).toMatch(/PaddleSlim|^Latency table/);
          }
          const listed = await store.listTables();
          for (const t of listed) expect(Number.isFinite(t.slowestMs)).toBe(true);
          if (listed.length) mapped++;
          survived++;
        }),
        { numRuns: RUNS, seed: 1906 },
      );
    } finally {
      logFault('hostile PaddleSlim latency tables', runs, survived);
    }
    expect(runs).toBeGreaterThanOrEqual(RUNS);
    expect(mapped).toBeGreaterThan(RUNS / 4); // the fuzzer reaches the mapping, not only the parser
  });
});
