/**
 * The exported data.py reads a 106points list.txt by the app's rules (list-parser.ts): the same lines become
 * samples, the same lines are reported, and a file mixing units is refused by both.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseList } from '../../data/list-parser.ts';
import { DEFAULT_EXPERIMENT } from '../../experiment.ts';
import { dataPy } from './project.ts';

const PYTHON = '/usr/bin/python3';
const HAS_NUMPY_TORCH =
  existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import numpy, torch'], { stdio: 'ignore' }).status === 0;
if (!HAS_NUMPY_TORCH)
  console.warn(`data-py.test.ts: SKIPPED — ${PYTHON} cannot import torch (apt-get install python3-torch)`);

const line = (path: string, v: (i: number) => string) =>
  [path, ...Array.from({ length: 212 }, (_, i) => v(i))].join(' ');

function pythonParse(text: string): { samples: number[]; problems: number[]; coords: string } | 'refused' {
  const dir = mkdtempSync(join(tmpdir(), 'data-py-'));
  writeFileSync(join(dir, 'data.py'), dataPy({ config: DEFAULT_EXPERIMENT }));
  writeFileSync(join(dir, 'list.txt'), text);
  const script = [
    'import json, data',
    'try:',
    '    s, p, c = data.parse_list(open("list.txt").read())',
    '    print(json.dumps({"samples": [x["line"] for x in s], "problems": [l for l, _ in p], "coords": c}))',
    'except ValueError:',
    '    print(json.dumps("refused"))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe.skipIf(!HAS_NUMPY_TORCH)('exported data.py', () => {
  it('takes and reports the same lines as the app, a non-finite line does not change the unit', () => {
    const good = Array.from({ length: 12 }, (_, k) =>
      line(`imgs/${k}.jpg`, (i) => (0.2 + 0.5 * (((i * 7 + k) % 13) / 13)).toFixed(4)),
    );
    const text = [
      ...good.slice(0, 6),
      line('imgs/inf.jpg', (i) => (i === 5 ? '1e999' : '0.5')),
      line('imgs/px.jpg', (i) => String(40 + i)),
      line('imgs/nan.jpg', (i) => (i === 0 ? 'NaN' : '0.4')),
      line('../up.jpg', () => '0.3'),
      'imgs/short.jpg 0.1 0.2',
      ...good.slice(6),
      good[0],
    ].join('\n');
    const ts = parseList(text);
    const py = pythonParse(text);
    expect(py).not.toBe('refused');
    if (py === 'refused') return;
    expect(py.coords).toBe(ts.coords);
    expect(py.coords).toBe('normalized');
    expect(py.samples).toEqual(ts.samples.map((s) => s.line));
    expect(py.samples).toHaveLength(12);
    expect(py.problems).toEqual(ts.problems.map((p) => p.line));
  });

  it('refuses a file that mixes units, as the app does', () => {
    const norm = Array.from({ length: 5 }, (_, k) => line(`n${k}.jpg`, () => '0.5'));
    const px = Array.from({ length: 5 }, (_, k) => line(`p${k}.jpg`, (i) => String(20 + i)));
    const text = [...norm, ...px].join('\n');
    expect(parseList(text).mixed).toBeTruthy();
    expect(pythonParse(text)).toBe('refused');
  });
});
