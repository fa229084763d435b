/**
 * `npm run faults`: runs every fault-injection test (unit and e2e tests whose titles contain "fault:"),
 * each appending to the ledger named by FAULT_LOG (scripts/fault-log.ts), then prints one row per fault:
 * how many times it was injected and how many runs ended with nothing acknowledged lost. The table is also
 * written to test-results/faults.md. Exits non-zero when a test failed or a run did not survive.
 *
 *   npm run faults               # vitest fault tests, then build + playwright fault specs
 *   npm run faults -- --unit     # vitest only
 *   npm run faults -- --no-build # reuse dist/ for the e2e part
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FaultRecord } from './fault-log.ts';

export const LEDGER = 'test-results/faults.jsonl';
const MARK = 'fault:';

export interface FaultRow extends FaultRecord {
  /** how many ledger lines (tests) fed this row */
  tests: number;
}

/** One row per fault name, in first-seen order; malformed ledger lines are skipped and counted. */
export function aggregate(ledger: string): { rows: FaultRow[]; malformed: number } {
  const rows = new Map<string, FaultRow>();
  let malformed = 0;
  for (const line of ledger.split('\n')) {
    if (!line.trim()) continue;
    let r: Partial<FaultRecord>;
    try {
      r = JSON.parse(line);
    } catch {
      malformed++;
      continue;
    }
    if (typeof r.fault !== 'string' || !Number.isFinite(r.runs) || !Number.isFinite(r.survived)) {
      malformed++;
      continue;
    }
    const row = rows.get(r.fault) ?? { fault: r.fault, runs: 0, survived: 0, tests: 0 };
    row.runs += r.runs!;
    row.survived += r.survived!;
    row.tests++;
    rows.set(r.fault, row);
  }
  return { rows: [...rows.values()], malformed };
}

/** A Markdown table (readable as plain text too). */
export function formatTable(rows: FaultRow[]): string {
  const head = ['fault', 'runs', 'survived', ''];
  const body = rows.map((r) => [
    r.fault,
    String(r.runs),
    String(r.survived),
    r.survived === r.runs ? 'ok' : 'LOST',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    '| ' +
    cells.map((c, i) => (i === 1 || i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ') +
    ' |';
  const rule =
    '| ' +
    widths.map((w, i) => (i === 1 || i === 2 ? '-'.repeat(w - 1) + ':' : '-'.repeat(w))).join(' | ') +
    ' |';
  return [line(head), rule, ...body.map(line)].join('\n');
}

/** Test files under `dir` whose text names a fault test. */
function filesWithFaults(dir: string, suffix: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (name === 'node_modules') continue;
      if (statSync(p).isDirectory()) walk(p);
      else if (suffix.test(name) && readFileSync(p, 'utf8').includes(MARK)) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): boolean {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  return spawnSync(cmd, args, { stdio: 'inherit', env }).status === 0;
}

function main(argv: string[]): number {
  const unitOnly = argv.includes('--unit');
  const build = !argv.includes('--no-build');
  const ledger = resolve(LEDGER);
  mkdirSync(resolve('test-results'), { recursive: true });
  rmSync(ledger, { force: true });
  const env = { ...process.env, FAULT_LOG: ledger };
  let ok = true;

  const unit = [
    ...filesWithFaults('src', /\.test\.ts$/),
    ...filesWithFaults('scripts', /\.test\.ts$/),
  ].filter((f) => !f.endsWith('fault-report.test.ts'));
  if (unit.length) ok = run('npx', ['vitest', 'run', '-t', MARK, ...unit], env) && ok;
  const e2e = filesWithFaults('e2e', /\.spec\.ts$/);
  if (!unitOnly && e2e.length) {
    if (build) ok = run('npx', ['vite', 'build'], env) && ok;
    ok = run('npx', ['playwright', 'test', '--grep', MARK, ...e2e], env) && ok;
  }

  const { rows, malformed } = aggregate(existsSync(ledger) ? readFileSync(ledger, 'utf8') : '');
  const table = formatTable(rows);
  const lost = rows.filter((r) => r.survived !== r.runs);
  const total = rows.reduce((s, r) => s + r.runs, 0);
  const summary =
    `${rows.length} faults, ${total} injections, ` +
    (lost.length ? `${lost.length} with runs that lost data` : 'every run survived') +
    (malformed ? ` (${malformed} malformed ledger lines)` : '') +
    (ok ? '' : '; some fault tests FAILED (see above)');
  console.log(`\nFault report (${LEDGER})\n\n${table}\n\n${summary}`);
  writeFileSync(resolve('test-results/faults.md'), `# Fault report\n\n${table}\n\n${summary}\n`);
  return ok && !lost.length && rows.length > 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
