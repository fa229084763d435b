/**
 * Sample-based strategies side by side (SANAS, aging evolution, random search) on the search's trained
 * supernet: the settings form, the worker run, its live summary, and its checkpoint. The worker streams
 * the resumable state with every evaluation; the latest one is kept in IndexedDB (with a checksum,
 * storage/strategies-checkpoint.ts) under the search run's id, so a reload can restore the supernet (the
 * run's final checkpoint) and continue the strategies.
 */
import {
  rewardFormula,
  type RewardSpec,
  type SampleStrategyId,
  type SideBySideSettings,
  type SideBySideState,
  type SideBySideSummary,
  type WeightSharingReport,
  type WeightSharingRow,
} from '../../nas/index.ts';
import { DEFAULT_SHARED_STRATEGIES as D, type SharedStrategies } from '../../share/index.ts';
import type { WorkerEvent } from '../../worker/protocol.ts';
import {
  browserStrategiesStore,
  type StoredStrategies as StoredCheckpoint,
} from '../../storage/strategies-checkpoint.ts';
import { runtime } from './runtime.svelte.ts';
import { checkpointStore, search } from './search.svelte.ts';
import { results } from './results.svelte.ts';

export type StoredStrategies = StoredCheckpoint<SideBySideState>;

const isSideBySideState = (s: unknown): s is SideBySideState =>
  !!s &&
  typeof s === 'object' &&
  (s as SideBySideState).version === 1 &&
  Array.isArray((s as SideBySideState).runs);

const store = browserStrategiesStore(isSideBySideState);

function pickedOf(ids: readonly SampleStrategyId[]): Record<SampleStrategyId, boolean> {
  return {
    sanas: ids.includes('sanas'),
    evolution: ids.includes('evolution'),
    random: ids.includes('random'),
  };
}

export class StrategiesState {
  picked = $state<Record<SampleStrategyId, boolean>>(pickedOf(D.strategies));
  seeds = $state(D.seeds);
  budget = $state(D.budget);
  rewardKind = $state<'score' | 'mnas-soft' | 'mnas-hard'>(D.reward);
  /** MACs target T of the MnasNet reward and the hard budget of the constraint (0: none). */
  macsBudget = $state(D.target);
  /** SANAS: T0 and r of T = T0 · r^iteration (PaddleSlim's defaults for a random start). */
  t0 = $state(D.initTemperature);
  rate = $state(D.reduceRate);
  /** Aging evolution: population P and sample S. */
  population = $state(D.population);
  sample = $state(D.sample);
  running = $state(false);
  progress = $state<{ done: number; total: number; etaMs: number } | null>(null);
  summary = $state.raw<SideBySideSummary | null>(null);
  best = $state.raw<{ tokens: number[]; reward: number; nme: number; cost: number } | null>(null);
  error = $state<string | null>(null);
  /** A checkpoint from an earlier page, offered for resuming (read from IndexedDB at start-up). */
  stored = $state.raw<StoredStrategies | null>(null);
  /** The weight-sharing check: settings, rows so far, the report. */
  wsCount = $state(6);
  wsSteps = $state(60);
  wsRows = $state.raw<WeightSharingRow[]>([]);
  wsReport = $state.raw<WeightSharingReport | null>(null);
  wsRunning = $state(false);
  private latest: SideBySideState | null = null;
  private unsubscribe: (() => void) | null = null;
  /** Checkpoint writes in order: a slow write never lands after a newer one. */
  private writes: Promise<void> = Promise.resolve();

  constructor() {
    void this.loadStored();
  }

  private async loadStored(): Promise<void> {
    try {
      const { value, problem } = await store.load();
      if (problem) this.error = problem;
      // a run started meanwhile writes its own checkpoint: do not offer the old one next to it
      if (value && !this.running) this.stored = value;
    } catch {
      // IndexedDB unavailable: nothing to resume
    }
  }

  private writeStored(v: StoredStrategies | null): void {
    this.writes = this.writes
      .then(() => (v ? store.save(v) : store.clear()))
      .catch((err: unknown) => {
        // the run goes on; only its checkpoint is lost, and the user is told why
        if (err instanceof Error && err.name === 'StorageFullError') this.error = err.message;
      });
  }

  get reward(): RewardSpec {
    if (this.rewardKind === 'score' || !(this.macsBudget > 0)) return { kind: 'score' };
    return { kind: 'mnas', target: this.macsBudget, mode: this.rewardKind === 'mnas-soft' ? 'soft' : 'hard' };
  }

  get formula(): string {
    return rewardFormula(this.reward);
  }

  settings(): SideBySideSettings {
    const strategies = (Object.keys(this.picked) as SampleStrategyId[]).filter((k) => this.picked[k]);
    return {
      strategies,
      seeds: Array.from({ length: Math.max(1, Math.round(this.seeds)) }, (_, i) => i + 1),
      budget: Math.round(this.budget),
      reward: this.reward,
      constraint:
        this.macsBudget > 0 && this.rewardKind !== 'mnas-soft' ? { max: this.macsBudget } : undefined,
      options: {
        initTemperature: this.t0,
        reduceRate: this.rate,
        population: Math.round(this.population),
        sample: Math.round(this.sample),
      },
    };
  }

  /** The form as a share link carries it. */
  shared(): SharedStrategies {
    return {
      strategies: (Object.keys(this.picked) as SampleStrategyId[]).filter((k) => this.picked[k]),
      seeds: this.seeds,
      budget: this.budget,
      reward: this.rewardKind,
      target: this.macsBudget,
      initTemperature: this.t0,
      reduceRate: this.rate,
      population: this.population,
      sample: this.sample,
    };
  }

  /** Fills the form from an opened link (already checked by the share codec). */
  applyShared(s: SharedStrategies): void {
    this.picked = pickedOf(s.strategies);
    this.seeds = s.seeds;
    this.budget = s.budget;
    this.rewardKind = s.reward;
    this.macsBudget = s.target;
    this.t0 = s.initTemperature;
    this.rate = s.reduceRate;
    this.population = s.population;
    this.sample = s.sample;
  }

  private connect(): void {
    this.unsubscribe?.();
    this.unsubscribe = runtime.client?.onEvent((e) => this.onEvent(e)) ?? null;
  }

  private onEvent(e: WorkerEvent): void {
    if (e.type === 'weight-sharing-progress') {
      this.wsRows = [...this.wsRows, e.row];
      return;
    }
    if (e.type !== 'strategies-progress') return;
    this.progress = { done: e.done, total: e.total, etaMs: e.etaMs };
    this.summary = e.summary;
    this.latest = e.state;
    const runId = search.layout?.runId;
    if (runId) this.writeStored({ runId, state: e.state });
  }

  async start(resume?: SideBySideState): Promise<void> {
    const client = runtime.client;
    if (!client || !search.layout) {
      this.error = 'Train or resume a supernet first.';
      return;
    }
    this.connect();
    this.error = null;
    this.running = true;
    if (!resume) {
      this.summary = null;
      this.best = null;
      this.progress = null;
    }
    try {
      const out = await client.call('strategiesStart', {
        settings: resume?.settings ?? this.settings(),
        resume,
      });
      this.summary = out.summary;
      this.best = out.best;
      if (out.status === 'finished') this.writeStored({ runId: search.layout.runId, state: out.state });
    } catch (err) {
      this.error = `Strategies stopped: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      this.running = false;
    }
  }

  /** Trains wsCount random candidates standalone and compares with their one-shot NME (Kendall τ). */
  async checkWeightSharing(): Promise<void> {
    const client = runtime.client;
    if (!client || !search.layout) {
      this.error = 'Train or resume a supernet first.';
      return;
    }
    this.connect();
    this.error = null;
    this.wsRows = [];
    this.wsReport = null;
    this.wsRunning = true;
    try {
      this.wsReport = await client.call('strategiesWeightSharing', {
        count: Math.round(this.wsCount),
        steps: Math.round(this.wsSteps),
        lr: 0.01,
        seed: 7,
      });
    } catch (err) {
      this.error = `Weight-sharing check stopped: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      this.wsRunning = false;
    }
  }

  async stop(): Promise<void> {
    await runtime.client?.call('strategiesStop', {}).catch(() => undefined);
  }

  /** Restores the stored run's supernet (its latest checkpoint) when needed, then continues the strategies. */
  async resumeStored(): Promise<void> {
    const stored = this.stored;
    if (!stored) return;
    this.stored = null;
    if (search.layout?.runId !== stored.runId) {
      const manifest = await checkpointStore.manifest(stored.runId).catch(() => undefined);
      if (!manifest) {
        this.error = 'The supernet of the stored strategies run is no longer in this browser.';
        return;
      }
      search.config = structuredClone(manifest.config);
      if (!(await search.configure(stored.runId))) {
        this.error = 'Could not restore the supernet of the stored strategies run.';
        return;
      }
    }
    // the form shows the settings the resumed run uses
    const st = stored.state.settings;
    this.picked = pickedOf(st.strategies);
    this.seeds = st.seeds.length;
    this.budget = st.budget;
    if (st.options?.initTemperature !== undefined) this.t0 = st.options.initTemperature;
    if (st.options?.reduceRate !== undefined) this.rate = st.options.reduceRate;
    if (st.options?.population !== undefined) this.population = st.options.population;
    if (st.options?.sample !== undefined) this.sample = st.options.sample;
    await this.start(stored.state);
  }

  discardStored(): void {
    this.stored = null;
    this.writeStored(null);
  }

  /** Hands the best candidate to Results as a hand-picked derivation. */
  async deriveBest(): Promise<void> {
    const b = this.best ?? this.bestFromSummary();
    if (!b) return;
    b.tokens.forEach((t, l) => results.choose(l, t));
    await results.derive('manual');
  }

  private bestFromSummary(): { tokens: number[] } | null {
    let best: { tokens: number[]; reward: number } | null = null;
    for (const s of this.summary?.strategies ?? [])
      for (const p of s.points) if (!best || p.reward > best.reward) best = p;
    return best;
  }

  /** The latest checkpoint streamed by the worker (for tests and the status line). */
  get checkpoint(): SideBySideState | null {
    return this.latest;
  }
}

export const strategies = new StrategiesState();
