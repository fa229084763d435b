/**
 * The import rules of `npm run check:deps` (.dependency-cruiser.cjs), run as that script runs them on a
 * throw-away tree: clean code passes; an import cycle and a deep import into src/nas from outside fail.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'node_modules/.bin/depcruise');
const config = join(root, '.dependency-cruiser.cjs');
let dir = '';

/** Writes `files` (path → source) into a fresh tree and runs the check there; exit code and output. */
function check(files: Record<string, string>): { code: number; out: string } {
  dir = mkdtempSync(join(tmpdir(), 'deps-'));
  const all = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true, noEmit: true } }),
    'src/nas/index.ts': "export { deep } from './deep/inner.ts';\n",
    'src/nas/testing.ts': 'export const toy = 1;\n',
    'src/nas/deep/inner.ts': 'export const deep = 1;\n',
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  try {
    // CI=true makes the colour library colour its output even without a terminal: ask for plain text
    const env = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
    const out = execFileSync(bin, ['--config', config, 'src'], { cwd: dir, encoding: 'utf8', env });
    return { code: 0, out };
  } catch (e) {
    const err = e as { status: number; stdout: string };
    return { code: err.status, out: err.stdout };
  }
}

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm run check:deps rules', () => {
  it('passes imports through the public entries', () => {
    const r = check({
      'src/ui/a.ts':
        "import { deep } from '../nas/index.ts';\nimport { toy } from '../nas/testing.ts';\nexport const a = deep + toy;\n",
    });
    expect(r.out).toContain('no dependency violations');
    expect(r.code).toBe(0);
  });

  it('fails on a deep import into src/nas from outside it and on an import cycle, also a type-only one', () => {
    const r = check({
      'src/worker/w.ts': "import { deep } from '../nas/deep/inner.ts';\nexport const w = deep;\n",
      'src/ui/a.ts': "import type { B } from './b.ts';\nexport interface A {\n  b?: B;\n}\n",
      'src/ui/b.ts': "import type { A } from './a.ts';\nexport interface B {\n  a?: A;\n}\n",
    });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('nas-only-through-index: src/worker/w.ts → src/nas/deep/inner.ts');
    expect(r.out).toMatch(/no-circular: src\/ui\/a\.ts →\s+src\/ui\/b\.ts →\s+src\/ui\/a\.ts/);
    expect(r.out).toContain('2 dependency violations');
  });
});
