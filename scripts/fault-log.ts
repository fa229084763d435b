/**
 * The fault-injection ledger: every fault test (unit or e2e) records how many times it injected its fault and
 * how many of those runs ended with nothing acknowledged lost. `npm run faults` aggregates the ledger into a
 * table. Writing is a no-op unless FAULT_LOG names a file, so ordinary test runs leave nothing behind.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface FaultRecord {
  /** Stable name of the fault, e.g. "quota exceeded while checkpointing". */
  fault: string;
  /** How many times the fault was injected in this test. */
  runs: number;
  /** Of those, how many ended in a safe state with nothing acknowledged lost. */
  survived: number;
}

export function logFault(fault: string, runs: number, survived: number): void {
  const file = process.env.FAULT_LOG;
  if (!file) return;
  mkdirSync(dirname(file), { recursive: true });
  const record: FaultRecord = { fault, runs, survived };
  appendFileSync(file, JSON.stringify(record) + '\n');
}
