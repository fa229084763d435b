/**
 * The key-value surface our stores need. In the browser it is idb-keyval (IndexedDB, usable from the
 * worker too); in Node tests an in-memory Map stands in, so store logic is tested without a browser.
 */
import { createStore, del, get, keys, set, setMany, type UseStore } from 'idb-keyval';

export interface KV {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  /** Written in one transaction: all entries land or none. */
  setMany(entries: [string, unknown][]): Promise<void>;
  del(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

export class StorageFullError extends Error {
  constructor(what: string) {
    super(
      `Browser storage is full: could not save ${what}. Delete old checkpoints or datasets (Data and Search areas) ` +
        `or free disk space, then try again. Nothing already saved was lost.`,
    );
    this.name = 'StorageFullError';
  }
}

export function isQuotaError(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err.name === 'QuotaExceededError' ||
      /quota/i.test(err.message) ||
      err.name === 'NS_ERROR_DOM_QUOTA_REACHED')
  );
}

export function idbKV(dbName: string, storeName: string): KV {
  let store: UseStore | null = null;
  const s = () => (store ??= createStore(dbName, storeName));
  return {
    get: (key) => get(key, s()),
    set: (key, value) => set(key, value, s()),
    setMany: (entries) => setMany(entries, s()),
    del: (key) => del(key, s()),
    keys: async () => (await keys(s())).map(String),
  };
}

export function memoryKV(): KV & { map: Map<string, unknown> } {
  const map = new Map<string, unknown>();
  return {
    map,
    async get<T>(key: string) {
      return structuredClone(map.get(key)) as T | undefined;
    },
    async set(key, value) {
      map.set(key, structuredClone(value));
    },
    async setMany(entries) {
      const copies = entries.map(([k, v]) => [k, structuredClone(v)] as const);
      for (const [k, v] of copies) map.set(k, v);
    },
    async del(key) {
      map.delete(key);
    },
    async keys() {
      return [...map.keys()];
    },
  };
}
