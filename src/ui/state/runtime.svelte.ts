/**
 * The UI's handle on the training worker: starts it, chooses the backend (user preference from
 * `?backend=` or local storage, else auto), and exposes what the header badge shows.
 */
import { WorkerClient, type ArgsOf, type BackendChoice, type BackendInfo } from '../../worker/protocol.ts';
import { TAB_WORKER_NAME } from '../../worker/run-broadcast.ts';

const PREF_KEY = 'nas-playground.backend';
const CHOICES: BackendChoice[] = ['auto', 'webgpu', 'webgl', 'cpu'];

export function readBackendPreference(): BackendChoice {
  const fromUrl = new URLSearchParams(location.search).get('backend');
  if (fromUrl && (CHOICES as string[]).includes(fromUrl)) return fromUrl as BackendChoice;
  try {
    const stored = localStorage.getItem(PREF_KEY);
    if (stored && (CHOICES as string[]).includes(stored)) return stored as BackendChoice;
  } catch {
    // storage can be blocked (privacy mode); auto is a fine default
  }
  return 'auto';
}

/** `?testHooks=1` exposes fault injection to e2e tests (never used by the app itself). */
function exposeTestHooks(client: WorkerClient, runtime: Runtime): void {
  if (new URLSearchParams(location.search).get('testHooks') !== '1') return;
  (globalThis as unknown as { __nasTest: unknown }).__nasTest = {
    loseDevice: () => client.call('loseDevice', {}),
    /** the worker dies as an out-of-memory kill would take it: no reply, no goodbye */
    crashWorker: () => runtime.crashForTest(),
    injectStorageFault: (args: ArgsOf<'injectStorageFault'>) => client.call('injectStorageFault', args),
  };
}

export class Runtime {
  status = $state<'starting' | 'ready' | 'failed'>('starting');
  info = $state<BackendInfo | null>(null);
  error = $state<string | null>(null);
  preference = $state<BackendChoice>('auto');
  client: WorkerClient | null = null;
  private worker: Worker | null = null;
  private crashListeners = new Set<(message: string) => void>();

  /** Called when the worker dies (uncaught error, killed): the search offers to resume elsewhere. */
  onCrash(listener: (message: string) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  private crashed(client: WorkerClient, message: string): void {
    if (this.client !== client) return; // an old worker being replaced
    client.failAll(message);
    this.status = 'failed';
    this.error = message;
    for (const l of this.crashListeners) l(message);
  }

  /** Test hook: terminates the worker mid-whatever and handles it as the crash it stands for. */
  crashForTest(): void {
    const client = this.client;
    this.worker?.terminate();
    if (client) this.crashed(client, 'The training worker stopped unexpectedly (terminated)');
  }

  /** A label such as "webgpu · google swiftshader". */
  adapterLabel = $derived.by(() => {
    const a = this.info?.adapter;
    if (!a) return '';
    return [a.vendor, a.architecture, a.device].filter(Boolean).join(' ') || a.description;
  });

  /**
   * Not on WebGPU because it could not start (or another forced choice failed). A backend chosen over a
   * working WebGPU by measurement is a choice, not a fallback.
   */
  fellBack = $derived.by(() => {
    const i = this.info;
    if (!i || i.requested === 'cpu' || i.backend === 'webgpu') return false;
    if (i.probe) return !i.probe.timings.some((t) => t.backend === 'webgpu');
    return i.requested !== i.backend;
  });

  async start(preference: BackendChoice = readBackendPreference(), remeasure = false): Promise<void> {
    this.preference = preference;
    this.status = 'starting';
    this.error = null;
    this.worker?.terminate();
    const worker = new Worker(new URL('../../worker/training.worker.ts', import.meta.url), {
      type: 'module',
      name: TAB_WORKER_NAME,
    });
    this.worker = worker;
    const client = new WorkerClient(worker);
    this.client = client;
    worker.addEventListener('error', (ev) => {
      this.crashed(client, ev.message || 'The training worker stopped unexpectedly');
    });
    client.onEvent((e) => {
      if (e.type === 'device-lost') {
        this.status = 'failed';
        this.error = `${e.message} Training cannot continue on this device. Reload the page (the last checkpoint is offered for resuming) or choose another backend`;
      }
    });
    exposeTestHooks(client, this);
    try {
      this.info = await client.call('init', { backend: preference, remeasure });
      this.status = 'ready';
    } catch (err) {
      this.status = 'failed';
      this.error = `The training engine could not start: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  /** Auto mode again, timing every backend anew instead of reading this device's cached result. */
  async measureAgain(): Promise<void> {
    await this.choose('auto', true);
  }

  async choose(preference: BackendChoice, remeasure = false): Promise<void> {
    try {
      localStorage.setItem(PREF_KEY, preference);
    } catch {
      // not persisted; still switch for this session
    }
    await this.start(preference, remeasure);
  }
}

export const runtime = new Runtime();
