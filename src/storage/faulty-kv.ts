/**
 * Fault injection for the stores: a KV that passes every call through to another KV until a fault is armed,
 * then fails at the chosen write, as the browser would:
 * - 'crash': the tab closes during write number `at`: that write and every later call never happen;
 * - 'quota': the disk is full from write number `at` on (deletes still succeed and free space) until cleared;
 * - 'stall': write number `at` waits until `release()` (so a test can reload the page mid-write).
 * A write is one set or setMany call; setMany stays all-or-nothing, as one IndexedDB transaction is.
 * Used by the unit tests and, behind `?testHooks=1`, by the worker's stores in e2e tests.
 */
import type { KV } from './kv.ts';

export type StorageFaultKind = 'crash' | 'quota' | 'stall';

export interface StorageFault {
  kind: StorageFaultKind;
  /** 1-based index of the write (counted from when the fault is armed) that fails */
  at: number;
  /** only writes to keys this matches count (default: all) */
  match?: (key: string) => boolean;
}

export function quotaError(): Error {
  const e = new Error('The quota has been exceeded.');
  e.name = 'QuotaExceededError';
  return e;
}

export class FaultyKV implements KV {
  private fault: StorageFault | null = null;
  private writes = 0;
  private tripped = false;
  private stalled: (() => void) | null = null;
  /** resolves when a 'stall' fault starts holding a write */
  onStall: (() => void) | null = null;

  constructor(private readonly inner: KV) {}

  /** Arms a fault; counting of writes starts now. */
  arm(fault: StorageFault): void {
    this.fault = fault;
    this.writes = 0;
    this.tripped = false;
  }

  /** Disarms: storage works again (space freed, or a fresh tab on the same database). */
  clear(): void {
    this.fault = null;
    this.tripped = false;
    this.release();
  }

  /** Lets a stalled write go on. */
  release(): void {
    const go = this.stalled;
    this.stalled = null;
    go?.();
  }

  /** Whether the armed fault has fired. */
  get fired(): boolean {
    return this.tripped;
  }

  private async beforeWrite(keys: string[]): Promise<void> {
    const f = this.fault;
    if (!f) return;
    if (this.tripped && f.kind !== 'stall') throw this.error(f.kind);
    if (!keys.some((k) => (f.match ? f.match(k) : true))) return;
    if (++this.writes !== f.at) return;
    this.tripped = true;
    if (f.kind === 'stall') {
      await new Promise<void>((resolve) => {
        this.stalled = resolve;
        this.onStall?.();
      });
      return;
    }
    throw this.error(f.kind);
  }

  private error(kind: StorageFaultKind): Error {
    return kind === 'quota' ? quotaError() : new Error('injected fault: the tab was closed');
  }

  private checkOpen(): void {
    if (this.tripped && this.fault?.kind === 'crash') throw this.error('crash');
  }

  async get<T>(key: string): Promise<T | undefined> {
    this.checkOpen();
    return this.inner.get<T>(key);
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.beforeWrite([key]);
    return this.inner.set(key, value);
  }

  async setMany(entries: [string, unknown][]): Promise<void> {
    await this.beforeWrite(entries.map(([k]) => k));
    return this.inner.setMany(entries);
  }

  async del(key: string): Promise<void> {
    this.checkOpen();
    return this.inner.del(key);
  }

  async keys(): Promise<string[]> {
    this.checkOpen();
    return this.inner.keys();
  }
}
