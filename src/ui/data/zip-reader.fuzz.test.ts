/**
 * Hostile .zip archives (issue 19): nested archives, path traversal names, declared sizes that lie, zip
 * bombs, damaged bytes. readZip either refuses with a ZipRefusedError or returns files that respect the
 * limits; it never throws anything else and never inflates past its bounds.
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { zipSync, strToU8 } from 'fflate';
import { readZip, safeEntryPath, ZIP_LIMITS, ZipRefusedError, type ZipLimits } from './zip-reader.ts';
import { sourceFromZip } from './file-source.ts';
import { logFault } from '../../../scripts/fault-log.ts';

const RUNS = 1000;
const LIMITS: ZipLimits = {
  maxEntries: 40,
  maxEntryBytes: 48 * 1024,
  maxTotalBytes: 128 * 1024,
  maxRatio: 20,
  ratioFloorBytes: 2048,
};

const name = fc.oneof(
  fc.constantFrom(
    'list.txt',
    'imgs/0.png',
    '../../etc/passwd',
    '/abs/list.txt',
    'C:\\Windows\\evil.dll',
    'a/../../b.png',
    '..\\..\\up.txt',
    'inner.zip',
    'deep/nested.tar.gz',
    '__MACOSX/._x',
    './././x.png',
    'dir/',
  ),
  fc.string({ minLength: 1, maxLength: 40 }),
);
const content = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  fc.integer({ min: 0, max: 200_000 }).map((n) => new Uint8Array(n)), // compresses very well: bomb-like
  fc.string({ maxLength: 300 }).map((s) => strToU8(s)),
);
const archive = fc.record({
  entries: fc.array(fc.tuple(name, content), { maxLength: 8 }),
  level: fc.constantFrom(0, 6, 9),
  nested: fc.boolean(),
});

/** Offsets of central directory headers (PK\1\2). */
function centralHeaders(zip: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 46 <= zip.length; i++)
    if (zip[i] === 0x50 && zip[i + 1] === 0x4b && zip[i + 2] === 1 && zip[i + 3] === 2) out.push(i);
  return out;
}

type Mutation =
  | { kind: 'none' }
  | { kind: 'size'; entry: number; field: 20 | 24; value: number }
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'truncate'; keep: number }
  | { kind: 'count'; value: number };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({
    kind: fc.constant('size' as const),
    entry: fc.nat(10),
    field: fc.constantFrom(20 as const, 24 as const),
    value: fc.oneof(fc.constantFrom(0, 1, 0xffffffff, 0x7fffffff, 1 << 30), fc.nat()),
  }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant('count' as const), value: fc.constantFrom(0, 41, 0xffff) }),
);

function mutate(zip: Uint8Array, m: Mutation): Uint8Array {
  const z = zip.slice();
  const view = new DataView(z.buffer);
  if (m.kind === 'size') {
    const heads = centralHeaders(z);
    if (heads.length) view.setUint32(heads[m.entry % heads.length] + m.field, m.value >>> 0, true);
  } else if (m.kind === 'flip' && z.length) z[m.at % z.length] = m.byte;
  else if (m.kind === 'truncate') return z.subarray(0, m.keep % (z.length + 1));
  else if (m.kind === 'count' && z.length >= 22) {
    // entries counts in the end-of-central-directory record
    view.setUint16(z.length - 22 + 8, m.value, true);
    view.setUint16(z.length - 22 + 10, m.value, true);
  }
  return z;
}

function build(a: { entries: [string, Uint8Array][]; level: 0 | 6 | 9; nested: boolean }): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [n, c] of a.entries) if (!n.endsWith('/')) files[n] = c;
  if (a.nested)
    files['nested.zip'] = zipSync({
      'list.txt': strToU8('x 1 2'),
      'inner.zip': zipSync({ a: strToU8('a') }),
    });
  return zipSync(files, { level: a.level });
}

describe('zip fuzz', () => {
  test('fault: hostile zip archives — bounded, refused or read, never an unhandled error', async () => {
    let runs = 0;
    let survived = 0;
    try {
      await fc.assert(
        fc.asyncProperty(archive, mutation, async (a, m) => {
          runs++;
          const zip = mutate(build(a as Parameters<typeof build>[0]), m);
          let read: Awaited<ReturnType<typeof readZip>> | null = null;
          try {
            read = await readZip(zip, () => false, LIMITS);
          } catch (e) {
            expect(e).toBeInstanceOf(ZipRefusedError);
          }
          if (read) {
            let total = 0;
            for (const [path, data] of read.files) {
              expect(path.split('/')).not.toContain('..');
              expect(path).not.toMatch(/^\/|^[A-Za-z]:(\/|$)/);
              expect(path).not.toMatch(/\.(zip|tar|gz)$/i);
              expect(data.length).toBeLessThanOrEqual(LIMITS.maxEntryBytes);
              total += data.length;
            }
            expect(total).toBeLessThanOrEqual(LIMITS.maxTotalBytes);
            expect(read.notes.length).toBeLessThanOrEqual(51);
          }
          survived++;
        }),
        { numRuns: RUNS, seed: 1903 },
      );
    } finally {
      logFault('hostile zip archives', runs, survived);
    }
    expect(runs).toBeGreaterThanOrEqual(RUNS);
  });

  test('a zip bomb, traversal names and a nested zip are left out with notes; the rest is read', async () => {
    const zip = zipSync(
      {
        'list.txt': strToU8('imgs/a.png 0.5'),
        'imgs/a.png': new Uint8Array([1, 2, 3]),
        'bomb.bin': new Uint8Array(64 * 1024 * 1024),
        '../escape.txt': strToU8('x'),
        'more.zip': zipSync({ 'x.txt': strToU8('x') }),
      },
      { level: 9 },
    );
    const { files, notes } = await readZip(zip);
    expect([...files.keys()].sort()).toEqual(['imgs/a.png', 'list.txt']);
    expect(notes.join('\n')).toMatch(/bomb\.bin.*expand \d+:1/);
    expect(notes.join('\n')).toMatch(/escape\.txt.*outside the archive/);
    expect(notes.join('\n')).toMatch(/more\.zip.*not opened/);
    const src = await sourceFromZip(zip, 'b.zip');
    expect(src.notes?.length).toBe(3);
    // a declared total above the limit refuses the whole archive before inflating anything
    const big = zipSync({ a: new Uint8Array(10), b: new Uint8Array(10) }, { level: 0 });
    for (const at of centralHeaders(big))
      new DataView(big.buffer).setUint32(at + 24, ZIP_LIMITS.maxEntryBytes, true);
    await expect(
      readZip(big, () => false, { ...ZIP_LIMITS, maxTotalBytes: ZIP_LIMITS.maxEntryBytes }),
    ).rejects.toThrow(/would expand to more than/);
    expect(safeEntryPath('C:\\data\\list.txt')).toBe('data/list.txt');
    expect(safeEntryPath('a/./b/../c')).toBeNull();
  });
});
