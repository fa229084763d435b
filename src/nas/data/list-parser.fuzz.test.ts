/**
 * Hostile list.txt files (issue 19): the parser returns a report for anything and never throws; every line
 * is either a sample or a problem; and no rejected line changes how the accepted lines are read.
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { parseList } from './list-parser.ts';
import { NUM_COORDS } from './landmarks106.ts';
import { logFault } from '../../../scripts/fault-log.ts';

const RUNS = 1000;

const normalised = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
  minLength: NUM_COORDS,
  maxLength: NUM_COORDS,
});
const pixels = fc.array(fc.double({ min: 2, max: 4000, noNaN: true }), {
  minLength: NUM_COORDS,
  maxLength: NUM_COORDS,
});
const token = fc.oneof(
  fc.constantFrom(
    'NaN',
    'nan',
    'inf',
    '-inf',
    'Infinity',
    '1e999',
    '-1e999',
    '1e39',
    '0x10',
    '1,5',
    '--1',
    '.',
    'e5',
  ),
  fc.string({ maxLength: 12 }).filter((s) => s.trim() !== '' && !/\s/.test(s)),
);
/** A line that is invalid for a reason other than its unit: a bad value, a wrong count, a path with "..". */
const invalidLine = (values: fc.Arbitrary<number[]>) =>
  fc.oneof(
    fc
      .tuple(values, fc.nat(NUM_COORDS - 1), fc.constantFrom('NaN', 'inf', '1e999', '-1e999', 'x', '1e39'))
      .map(([v, k, t]) => ['bad.png', ...v.map(String).map((s, i) => (i === k ? t : s))].join(' ')),
    fc
      .tuple(values, fc.integer({ min: 0, max: NUM_COORDS + 10 }))
      .map(([v, n]) =>
        ['short.png', ...v.concat(v).slice(0, n === NUM_COORDS || n === NUM_COORDS + 3 ? n + 1 : n)].join(
          ' ',
        ),
      ),
    values.map((v) => ['../outside.png', ...v].join(' ')),
  );

describe('list.txt fuzz', () => {
  test('fault: hostile list.txt lines — a report for any text, never a throw', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(token, { maxLength: 230 }).map((t) => ['img.png', ...t].join(' ')),
      fc
        .tuple(normalised, fc.array(token, { maxLength: 4 }))
        .map(([v, t]) => ['n.png', ...v, ...t].join(' ')),
      pixels.map((v) => ['p.png', ...v].join('\t')),
    );
    let runs = 0;
    let survived = 0;
    try {
      fc.assert(
        fc.property(fc.array(line, { maxLength: 12 }), fc.constantFrom('\n', '\r\n', '\r'), (lines, eol) => {
          runs++;
          const text = lines.join(eol);
          const r = parseList(text);
          const nonEmpty = text.split(/\r\n|\n|\r/).filter((l) => l.trim()).length;
          expect(r.lines).toBe(nonEmpty);
          const sampleLines = r.samples.map((s) => s.line);
          const problemLines = r.problems.map((p) => p.line);
          expect(new Set([...sampleLines, ...problemLines]).size).toBe(
            sampleLines.length + problemLines.length,
          );
          if (!r.mixed) expect(sampleLines.length + problemLines.length).toBe(nonEmpty);
          else expect(r.samples).toEqual([]);
          for (const s of r.samples) {
            expect(s.landmarks.length).toBe(NUM_COORDS);
            expect(s.landmarks.every(Number.isFinite)).toBe(true);
            expect(s.path.split('/')).not.toContain('..');
          }
          expect(Number.isFinite(r.unit.min) && Number.isFinite(r.unit.max)).toBe(true);
          survived++;
        }),
        { numRuns: RUNS, seed: 1901 },
      );
    } finally {
      logFault('hostile list.txt lines', runs, survived);
    }
    expect(runs).toBeGreaterThanOrEqual(RUNS);
  });

  test('fault: rejected lines sway the unit — invalid lines never change how valid ones are read', () => {
    const file = fc.oneof(normalised, pixels).chain((first) => {
      const values = first[0] <= 1 && first.every((v) => v <= 1) ? normalised : pixels;
      return fc.tuple(
        fc.constant(first),
        fc.array(values, { maxLength: 5 }),
        fc.array(invalidLine(values), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { minLength: 10, maxLength: 10 }),
      );
    });
    let runs = 0;
    let survived = 0;
    try {
      fc.assert(
        fc.property(file, ([first, rest, bad, order]) => {
          runs++;
          const good = [first, ...rest].map((v, k) => [`g${k}.png`, ...v].join(' '));
          const mixed = [...good];
          bad.forEach((l, k) => mixed.splice(order[k] % (mixed.length + 1), 0, l));
          const alone = parseList(good.join('\n'));
          const withBad = parseList(mixed.join('\n'));
          expect(withBad.coords).toBe(alone.coords);
          expect(withBad.mixed).toBeNull();
          expect(withBad.samples.map((s) => s.path)).toEqual(alone.samples.map((s) => s.path));
          withBad.samples.forEach((s, k) => expect(s.landmarks).toEqual(alone.samples[k].landmarks));
          expect(withBad.problems.length).toBe(bad.length + alone.problems.length);
          survived++;
        }),
        { numRuns: RUNS, seed: 1902 },
      );
    } finally {
      logFault('rejected list lines sway the unit', runs, survived);
    }
    expect(runs).toBeGreaterThanOrEqual(RUNS);
  });
});
