import { describe, expect, test } from 'vitest';
import { aggregate, formatTable } from './fault-report.ts';

describe('fault report', () => {
  test('sums runs and survivals per fault, skips malformed lines, marks losses', () => {
    const ledger = [
      JSON.stringify({ fault: 'quota exceeded', runs: 3, survived: 3 }),
      '{not json',
      JSON.stringify({ fault: 'hostile zip archives', runs: 1000, survived: 999 }),
      JSON.stringify({ fault: 'quota exceeded', runs: 2, survived: 2 }),
      JSON.stringify({ fault: 'no runs field' }),
      '',
    ].join('\n');
    const { rows, malformed } = aggregate(ledger);
    expect(malformed).toBe(2);
    expect(rows).toEqual([
      { fault: 'quota exceeded', runs: 5, survived: 5, tests: 2 },
      { fault: 'hostile zip archives', runs: 1000, survived: 999, tests: 1 },
    ]);
    const table = formatTable(rows).split('\n');
    expect(table[0]).toMatch(/^\| fault +\| runs \| survived \| +\|$/);
    expect(table[2]).toMatch(/^\| quota exceeded +\| +5 \| +5 \| ok +\|$/);
    expect(table[3]).toMatch(/\| 1000 \| +999 \| LOST \|$/);
  });
});
