/**
 * What a run is doing, told to the app's other tabs. The worker that holds a run's lock (locks.ts) posts its
 * status on every change; another tab on the same stores shows it instead of offering to resume that run.
 */
import type { TrainingStatus } from './protocol.ts';

export const RUN_CHANNEL = 'nas-playground:runs';

/**
 * This tab's name for its training worker (the Worker's `name`): announcements carry it, so a tab can tell
 * its own worker's news from another tab's.
 */
export const TAB_WORKER_NAME = `nas-training-${Math.random().toString(36).slice(2, 10)}`;

/** The announcing worker's name (set by the tab that started it; '' outside a worker). */
const selfName = () => String((globalThis as { name?: unknown }).name ?? '');

export interface RunAnnouncement {
  /** name of the worker that sent it (TAB_WORKER_NAME of its tab) */
  from: string;
  runId: string;
  title: string;
  status: TrainingStatus;
  step: number;
}

let channel: BroadcastChannel | null | undefined;

function open(): BroadcastChannel | null {
  if (channel === undefined) {
    channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(RUN_CHANNEL) : null;
    // Node (unit tests) would otherwise stay alive for the open channel
    (channel as unknown as { unref?: () => void } | null)?.unref?.();
  }
  return channel;
}

export function announceRun(a: Omit<RunAnnouncement, 'from'>): void {
  try {
    open()?.postMessage({ ...a, from: selfName() });
  } catch {
    // a closed channel (worker shutting down): nobody to tell
  }
}

export function isRunAnnouncement(v: unknown): v is RunAnnouncement {
  const a = v as RunAnnouncement;
  return !!a && typeof a.runId === 'string' && typeof a.status === 'string' && typeof a.step === 'number';
}

/** Calls `listener` with every announcement from other tabs' workers; returns the unsubscribe. */
export function listenToRuns(listener: (a: RunAnnouncement) => void): () => void {
  if (typeof BroadcastChannel !== 'function') return () => {};
  const ch = new BroadcastChannel(RUN_CHANNEL);
  ch.onmessage = (ev) => {
    if (isRunAnnouncement(ev.data) && ev.data.from !== TAB_WORKER_NAME) listener(ev.data);
  };
  return () => ch.close();
}
