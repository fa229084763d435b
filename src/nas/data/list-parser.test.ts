import { describe, expect, test } from 'vitest';
import { candidateImagePaths, parseList, toNormalised } from './list-parser.ts';

const vals = (v: number | ((i: number) => number), n = 212) =>
  Array.from({ length: n }, (_, i) => (typeof v === 'number' ? v : v(i)));
const line = (path: string, values: (number | string)[]) => [path, ...values].join(' ');

describe('list.txt parser', () => {
  test('good lines: 212 values, or 212 + 3 Euler angles; empty lines ignored; CRLF accepted', () => {
    const text = [
      line(
        'train_data/imgs/a.png',
        vals((i) => (i % 10) / 10),
      ),
      '',
      '   ',
      line('train_data/imgs/b.png', [...vals(0.5), 1.5, -20.25, 3]),
    ].join('\r\n');
    const r = parseList(text);
    expect(r.problems).toEqual([]);
    expect(r.coords).toBe('normalized');
    expect(r.lines).toBe(2);
    expect(r.samples.map((s) => [s.line, s.path])).toEqual([
      [1, 'train_data/imgs/a.png'],
      [4, 'train_data/imgs/b.png'],
    ]);
    expect(r.samples[0].landmarks.length).toBe(212);
    expect(r.samples[0].landmarks[3]).toBeCloseTo(0.3, 6);
    expect(r.samples[0].extra).toEqual([]);
    expect(r.samples[1].extra).toEqual([1.5, -20.25, 3]);
  });

  test('each bad line is reported with its line number and reason', () => {
    const good = line('ok.png', vals(0.5));
    const text = [
      good, // 1
      line('short.png', vals(0.5, 211)), // 2: wrong count
      line('long.png', vals(0.5, 214)), // 3: wrong count
      line('word.png', [...vals(0.5, 100), 'abc', ...vals(0.5, 111)]), // 4: non-numeric
      line('nan.png', [...vals(0.5, 5), 'NaN', ...vals(0.5, 206)]), // 5: NaN
      line('range.png', [...vals(0.5, 7), 1.2, ...vals(0.5, 204)]), // 6: out of [0, 1]
      line('neg.png', [-0.2, ...vals(0.5, 211)]), // 7: out of [0, 1]
      good, // 8: duplicate path
      '', // 9
      line('ok2.png', vals(0.25)), // 10
    ].join('\n');
    const r = parseList(text);
    expect(r.samples.map((s) => s.line)).toEqual([1, 10]);
    expect(r.problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    const reason = (l: number) => r.problems.find((p) => p.line === l)!.reason;
    expect(reason(2)).toMatch(/expected 212 .* found 211/);
    expect(reason(3)).toMatch(/found 214/);
    expect(reason(4)).toMatch(/value 101 "abc" is not a number/);
    expect(reason(5)).toMatch(/NaN/);
    expect(reason(6)).toMatch(/landmark 3 y = 1.2.* outside \[0, 1\]/);
    expect(reason(7)).toMatch(/landmark 0 x = -0.2/);
    expect(reason(8)).toMatch(/duplicate image path "ok.png" \(first on line 1\)/);
  });

  test('pixel coordinates are detected per file; negative pixels are reported; mode can be forced', () => {
    const text = [
      line(
        'a.jpg',
        vals((i) => 10 + i),
      ),
      line('b.jpg', vals(40)),
      line('c.jpg', [-3, ...vals(4, 211)]),
    ].join('\n');
    const r = parseList(text);
    expect(r.coords).toBe('pixels');
    expect(r.unit).toMatchObject({ decidedBy: 'auto', normalisedLines: 0, pixelLines: 3, min: -3, max: 221 });
    expect(r.samples.map((s) => s.path)).toEqual(['a.jpg', 'b.jpg']);
    expect(r.problems).toEqual([{ line: 3, reason: expect.stringMatching(/negative/) }]);
    const forced = parseList(line('a.jpg', vals(0.5)), { coords: 'pixels' });
    expect(forced.coords).toBe('pixels');
    expect(forced.unit.decidedBy).toBe('forced');
  });

  test('non-finite values (NaN, inf, 1e999, -Infinity, 1e39 beyond float32) are bad values on their line', () => {
    const bad = ['NaN', 'inf', '1e999', '-Infinity', '1e39', '-3e300'];
    const text = [
      line('good.png', vals(0.5)),
      ...bad.map((b, k) => line(`bad${k}.png`, [...vals(0.5, 10), b, ...vals(0.5, 201)])),
    ].join('\n');
    const r = parseList(text);
    expect(r.coords).toBe('normalized');
    expect(r.samples.map((s) => s.line)).toEqual([1]);
    expect(r.problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7]);
    for (const p of r.problems) expect(p.reason).toMatch(/value 11 is .* \(not a finite number\)/);
  });

  test('fault: the unit is decided from valid lines only; a stray pixel-range line is reported, not obeyed', () => {
    const good = (k: number) =>
      line(
        `g${k}.png`,
        vals((i) => ((i * 7 + k) % 100) / 100),
      );
    const text = [
      ...Array.from({ length: 12 }, (_, k) => good(k)), // 1..12
      line('inf.png', [...vals(0.4, 3), '1e999', ...vals(0.4, 208)]), // 13: non-finite
      line(
        'garbage.png',
        vals((i) => 37 + i * 3),
      ), // 14: pixel-range values
      line('half.png', [...vals(0.5, 200), ...vals(500, 12)]), // 15: mostly normalised, some huge
    ].join('\n');
    const r = parseList(text);
    expect(r.coords).toBe('normalized');
    expect(r.mixed).toBeNull();
    expect(r.unit).toMatchObject({ decidedBy: 'auto', normalisedLines: 12, pixelLines: 1, max: 670 });
    expect(r.unit.summary).toMatch(
      /Normalised coordinates: 12 of 14 valid lines .* line\(s\) 14 look like pixel/,
    );
    expect(r.samples.map((s) => s.line)).toEqual(Array.from({ length: 12 }, (_, k) => k + 1));
    expect(r.problems.map((p) => p.line)).toEqual([13, 14, 15]);
    expect(r.problems[1].reason).toMatch(/look like pixel coordinates, .* not rescaled/);
    expect(r.problems[2].reason).toMatch(/landmark 100 x = 500 is outside \[0, 1\]/);
    // the values are kept exactly as written
    expect(Array.from(r.samples[3].landmarks)).toEqual(
      Array.from(Float32Array.from(vals((i) => ((i * 7 + 3) % 100) / 100))),
    );
  });

  test('fault: a file mixing units is refused with a message naming the lines; choosing the unit overrides', () => {
    const text = [
      line('n1.png', vals(0.5)),
      line('p1.png', vals(50)),
      line('n2.png', vals(0.25)),
      line('p2.png', vals(60)),
      line('p3.png', vals(70)),
    ].join('\n');
    const r = parseList(text);
    expect(r.samples).toEqual([]);
    expect(r.mixed).toMatch(/line\(s\) 1, 3 hold normalised values .* line\(s\) 2, 4, 5 hold pixel values/);
    expect(r.unit).toMatchObject({ normalisedLines: 2, pixelLines: 3 });
    const px = parseList(text, { coords: 'pixels' });
    expect(px.mixed).toBeNull();
    expect(px.samples.map((s) => s.path)).toEqual(['p1.png', 'p2.png', 'p3.png']);
    expect(px.problems.map((p) => p.line)).toEqual([1, 3]);
    const norm = parseList(text, { coords: 'normalized' });
    expect(norm.samples.map((s) => s.path)).toEqual(['n1.png', 'n2.png']);
    expect(norm.problems.map((p) => p.line)).toEqual([2, 4, 5]);
    expect(norm.unit.summary).toMatch(/chosen by you/);
    // one line of each unit is a tie, not a stray line: refused too
    const tie = parseList([line('n.png', vals(0.5)), line('p.png', vals(50))].join('\n'));
    expect(tie.mixed).toMatch(/line\(s\) 1 hold normalised .* line\(s\) 2 hold pixel/);
  });

  test('toNormalised divides pixel values by the image size and copies normalised ones', () => {
    const lm = Float32Array.from([10, 20, 30, 40]);
    expect(Array.from(toNormalised(lm, 'pixels', 100, 50))).toEqual(
      Array.from(Float32Array.from([0.1, 0.4, 0.3, 0.8])),
    );
    const copy = toNormalised(lm, 'normalized', 100, 50);
    expect(copy).not.toBe(lm);
    expect(Array.from(copy)).toEqual([10, 20, 30, 40]);
  });

  test('candidate image paths follow the reference data_root join first', () => {
    expect(candidateImagePaths('106points/train_data/list.txt', 'train_data/imgs/1.png')).toEqual([
      '106points/train_data/imgs/1.png',
      '106points/train_data/train_data/imgs/1.png',
      'train_data/imgs/1.png',
    ]);
    expect(candidateImagePaths('list.txt', './imgs\\2.png')).toEqual(['imgs/2.png']);
  });
});

describe('the bundled sample (datasets/106points-sample)', () => {
  test('parses without problems and its images decode at 112 px', async () => {
    const { readFileSync } = await import('node:fs');
    const { decodePng } = await import('./png.ts');
    const root = new URL('../../../datasets/106points-sample/', import.meta.url);
    for (const [split, n] of [
      ['train_data', 24],
      ['test_data', 8],
    ] as const) {
      const r = parseList(readFileSync(new URL(`${split}/list.txt`, root), 'utf8'));
      expect(r.problems).toEqual([]);
      expect(r.coords).toBe('normalized');
      expect(r.samples.length).toBe(n);
      expect(r.samples[0].extra.length).toBe(3);
      const img = decodePng(readFileSync(new URL(r.samples[0].path, root)));
      expect([img.width, img.height]).toEqual([112, 112]);
      // the left pupil is a dark pixel
      const [x, y] = [r.samples[0].landmarks[208], r.samples[0].landmarks[209]];
      const o = (Math.floor(y * 112) * 112 + Math.floor(x * 112)) * 3;
      expect(img.rgb[o] + img.rgb[o + 1] + img.rgb[o + 2]).toBeLessThan(3 * 80);
    }
  });
});
