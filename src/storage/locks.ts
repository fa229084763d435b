/**
 * One writer per record across tabs. Two tabs of the app share one IndexedDB; if both resumed the same run
 * (or imported into the same dataset) their writes would interleave: checkpoint numbers reused, a manifest
 * overwritten with the other tab's list. The Web Locks API gives each run or dataset one holder per origin;
 * a lock is released when its holder releases it or its tab/worker goes away (reload, close, crash).
 * Without Web Locks (Node tests, very old browsers) every request succeeds: one tab is then all there is.
 */

export interface HeldLock {
  readonly name: string;
  release(): void;
}

/** The parts of the Web Locks API used here (LockManager), so tests can pass a stand-in. */
export interface LockManagerLike {
  request(
    name: string,
    options: { ifAvailable?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => Promise<void> | void,
  ): Promise<unknown>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

export const runLockName = (runId: string) => `nas-playground:run:${runId}`;
export const datasetLockName = (name: string) => `nas-playground:dataset:${name}`;

function defaultManager(): LockManagerLike | null {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks ?? null;
}

/**
 * Takes the lock if no one holds it; null when another tab (or worker) does. With `waitMs`, waits that long
 * for a holder that is going away (a worker just terminated releases its locks shortly after).
 */
export async function tryLock(
  name: string,
  manager: LockManagerLike | null = defaultManager(),
  waitMs = 0,
): Promise<HeldLock | null> {
  if (!manager) return { name, release() {} };
  const options = waitMs > 0 ? { signal: AbortSignal.timeout(waitMs) } : { ifAvailable: true };
  return new Promise<HeldLock | null>((resolve, reject) => {
    manager
      .request(name, options, (lock) => {
        if (!lock) {
          resolve(null);
          return;
        }
        // held until release() settles this promise
        return new Promise<void>((release) => resolve({ name, release }));
      })
      .catch((err: unknown) =>
        // the wait ran out: still held elsewhere
        err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')
          ? resolve(null)
          : reject(err),
      );
  });
}

/** Names of the locks held anywhere in this origin (empty without Web Locks). */
export async function heldLockNames(manager: LockManagerLike | null = defaultManager()): Promise<string[]> {
  if (!manager) return [];
  try {
    const q = await manager.query();
    return (q.held ?? []).map((l) => l.name ?? '').filter(Boolean);
  } catch {
    return [];
  }
}

/** An in-memory LockManager for tests: the same semantics as the browser's for ifAvailable requests. */
export function memoryLocks(): LockManagerLike {
  const held = new Set<string>();
  return {
    async request(name, _options, callback) {
      if (held.has(name)) return callback(null);
      held.add(name);
      try {
        return await callback({ name });
      } finally {
        held.delete(name);
      }
    },
    async query() {
      return { held: [...held].map((name) => ({ name })) };
    },
  };
}
