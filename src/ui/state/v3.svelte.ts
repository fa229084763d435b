/**
 * The FBNetV3 joint search (architecture + training recipe, Dai et al. CVPR 2021): the settings form, the
 * worker run, its live state and its checkpoint. The worker streams the engine's resumable state after
 * every trained candidate; the latest is kept in IndexedDB (storage/v3-checkpoint.ts), so a reload offers
 * to resume without retraining a finished candidate.
 */
import type { JointPhase, JointSearchState } from '../../nas/index.ts';
import type { V3Settings, WorkerEvent } from '../../worker/protocol.ts';
import { browserV3Store, type KeptWeights, type StoredV3 } from '../../storage/v3-checkpoint.ts';
import { DEFAULT_V3_SETTINGS as V3_DEFAULTS, plannedCandidates } from '../../worker/v3-session.ts';
import { runtime } from './runtime.svelte.ts';
import type { SharedV3 } from '../../share/index.ts';

const store = browserV3Store();

export const PHASE_TITLES: Record<JointPhase, string> = {
  round0: 'round 0: training the first pool candidates fully',
  'early-stop': 'choosing the early-stop step',
  rounds: 'predictor rounds',
  fine: 'fine stage: genetic search on the predictor',
  verify: 'verification: training the fine stage’s picks fully',
  sensitivity: 'recipe sensitivity: the best architectures under the default and the searched recipe',
  done: 'done',
};

export class V3State {
  settings = $state<V3Settings>(structuredClone(V3_DEFAULTS));
  /** The budgets as the user types them (M MACs, comma-separated). */
  budgetsText = $state(V3_DEFAULTS.budgets.map((b) => b / 1e6).join(', '));
  running = $state(false);
  progress = $state<{ phase: JointPhase; trained: number; total: number; etaMs: number | null } | null>(null);
  search = $state.raw<JointSearchState | null>(null);
  error = $state<string | null>(null);
  /** A checkpoint from an earlier page, offered for resuming. */
  stored = $state.raw<StoredV3 | null>(null);
  /** The networks verification trainings kept (by candidate key): what can be exported to ONNX. */
  kept = $state.raw<Record<string, KeptWeights>>({});
  /** The settings of the search shown (running, paused or finished): what its export rebuilds the data from. */
  searchSettings = $state.raw<V3Settings | null>(null);
  /** Set when an opened share link filled the form: a stored checkpoint then does not overwrite it. */
  private formFromLink = false;
  private unsubscribe: (() => void) | null = null;
  private writes: Promise<void> = Promise.resolve();
  /** The settings of the run in flight (what its checkpoint stores). */
  private active: V3Settings | null = null;

  constructor() {
    void this.loadStored();
  }

  private async loadStored(): Promise<void> {
    try {
      const { value, problem } = await store.load();
      if (problem) this.error = problem;
      if (value && !this.running) {
        // a finished search is shown as it ended; an unfinished one is offered for resuming
        if (value.state.phase !== 'done') this.stored = value;
        this.search = value.state;
        this.searchSettings = value.settings;
        if (!this.formFromLink) this.showSettings(value.settings);
        const kept = await store.loadWeights();
        if (kept.problem) this.error = kept.problem;
        if (!this.running) this.kept = kept.value;
      }
    } catch {
      // IndexedDB unavailable: nothing to resume
    }
  }

  private writeStored(v: StoredV3 | null): void {
    this.writes = this.writes
      .then(() => (v ? store.save(v) : store.clear()))
      .catch((err: unknown) => {
        if (err instanceof Error && err.name === 'StorageFullError') this.error = err.message;
      });
  }

  /** The form's settings, with the budgets parsed; null (and a message) when they do not parse. */
  private formSettings(): V3Settings | null {
    const budgets = this.budgetsText
      .split(/[,\s]+/)
      .filter(Boolean)
      .map((v) => Number(v) * 1e6);
    if (budgets.length === 0 || budgets.some((b) => !(b > 0))) {
      this.error = 'Fine-stage budgets: give positive numbers of millions of MACs, separated by commas.';
      return null;
    }
    return { ...$state.snapshot(this.settings), budgets };
  }

  private onEvent(e: WorkerEvent): void {
    if (e.type === 'v3-weights') {
      const k: KeptWeights = { key: e.key, budget: e.budget, weights: e.weights };
      this.kept = { ...this.kept, [e.key]: k };
      this.writes = this.writes
        .then(() => store.saveWeights(k))
        .catch((err: unknown) => {
          if (err instanceof Error && err.name === 'StorageFullError') this.error = err.message;
        });
      return;
    }
    if (e.type !== 'v3-progress') return;
    this.progress = { phase: e.phase, trained: e.trained, total: e.total, etaMs: e.etaMs };
    this.search = e.state;
    if (this.active) this.writeStored({ settings: this.active, state: e.state });
  }

  async start(resume?: StoredV3): Promise<void> {
    const client = runtime.client;
    if (!client || !runtime.info) {
      this.error = 'The training worker is not ready yet.';
      return;
    }
    const settings = resume?.settings ?? this.formSettings();
    if (!settings) return;
    this.unsubscribe?.();
    this.unsubscribe = client.onEvent((e) => this.onEvent(e));
    this.error = null;
    this.stored = null;
    this.active = settings;
    this.searchSettings = settings;
    this.running = true;
    if (!resume) {
      // a fresh search: the networks the last one kept belong to it
      this.kept = {};
      this.writes = this.writes.then(() => store.clearWeights()).catch(() => undefined);
    }
    if (resume) {
      const { phase, trained } = resume.state;
      this.progress = { phase, trained: trained.length, total: plannedCandidates(resume.state), etaMs: null };
    } else {
      this.search = null;
      this.progress = null;
    }
    try {
      const out = await client.call('v3Start', { settings, resume: resume?.state });
      this.search = out.state;
      this.writeStored({ settings, state: out.state });
      if (out.status === 'paused') this.stored = { settings, state: out.state };
    } catch (err) {
      this.error = `The joint search stopped: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      this.running = false;
      this.active = null;
    }
  }

  async pause(): Promise<void> {
    await runtime.client?.call('v3Pause', {}).catch(() => undefined);
  }

  async resume(): Promise<void> {
    const s = this.stored;
    if (!s) return;
    this.showSettings(s.settings);
    await this.start(s);
  }

  /** The form shows the settings a stored run uses. */
  private showSettings(s: V3Settings): void {
    this.settings = structuredClone(s);
    this.budgetsText = s.budgets.map((b) => b / 1e6).join(', ');
  }

  /** The form as a share link carries it (budgets as typed when they parse, else the last good ones). */
  shared(): SharedV3 {
    const typed = this.budgetsText
      .split(/[,\s]+/)
      .filter(Boolean)
      .map((v) => Number(v) * 1e6);
    const ok = typed.length > 0 && typed.every((b) => b > 0 && Number.isFinite(b));
    // read field by field (not a snapshot) so the address bar's effect follows every field
    return {
      ...this.settings,
      sensitivity: this.settings.sensitivity ?? 0,
      budgets: ok ? typed : [...this.settings.budgets],
    };
  }

  /** Fills the form from an opened link (already checked by the share codec); a stored run keeps its own. */
  applyShared(s: SharedV3): void {
    this.formFromLink = true;
    this.showSettings({ ...s, budgets: [...s.budgets] });
  }

  discardStored(): void {
    this.kept = {};
    this.searchSettings = null;
    this.stored = null;
    this.search = null;
    this.progress = null;
    this.writeStored(null);
  }
}

export const v3 = new V3State();
