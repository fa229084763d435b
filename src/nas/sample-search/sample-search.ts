/**
 * The driver of a sample-based search: asks the strategy for a candidate (already checked against the
 * constraint), evaluates it, turns NME and cost into the reward, tells the strategy, and records
 * everything the side-by-side view plots (reward, best so far, cost, NME, the strategy's note). It reads
 * strategies only through SampleStrategy (strategy.ts) and creates them through sample-strategies.ts.
 * state() / restore() continue a run exactly: the records and the strategy's state (its Rng included).
 */
import { countCost } from '../cost/count.ts';
import { rewardOf, type RewardSpec } from './reward.ts';
import {
  createSampleStrategy,
  restoreSampleStrategy,
  type SampleStrategyOptions,
} from './sample-strategies.ts';
import type { SampleStrategy, SampleStrategyId, StrategyNote, StrategyState } from './strategy.ts';
import { tokenKey, type TokenSpace } from './token-space.ts';

/** What evaluating one candidate yields (lower NME is better). */
export interface CandidateScore {
  nme: number;
}

export type Evaluate = (tokens: number[]) => Promise<CandidateScore>;
export type CostOf = (tokens: readonly number[]) => number;

export interface SampleSearchSettings {
  strategy: SampleStrategyId;
  options: SampleStrategyOptions;
  /** Evaluations of the run. */
  budget: number;
  reward: RewardSpec;
  /** Candidates whose cost is above max (or below min) are rejected before evaluation. */
  constraint?: { max?: number; min?: number };
  /** Draws per proposal before the space counts as exhausted (default 200). */
  maxRetries?: number;
}

export interface EvalRecord {
  /** 0-based evaluation number. */
  index: number;
  tokens: number[];
  nme: number;
  cost: number;
  reward: number;
  /** Best reward up to and including this evaluation. */
  bestReward: number;
  note: StrategyNote;
}

export interface SampleSearchState {
  version: 1;
  settings: SampleSearchSettings;
  strategy: StrategyState;
  records: EvalRecord[];
  /** Why the run stopped early (e.g. the space was exhausted), else null. */
  stopped: string | null;
}

/** Cost = MACs of the decoded architecture (memoised). */
export function macsCost(space: TokenSpace): CostOf {
  const memo = new Map<string, number>();
  return (tokens) => {
    const key = tokenKey(tokens);
    let c = memo.get(key);
    if (c === undefined) {
      c = countCost(space.decode(tokens)).macs;
      memo.set(key, c);
    }
    return c;
  };
}

function checkSettings(s: SampleSearchSettings): void {
  if (!(Number.isInteger(s.budget) && s.budget >= 1)) {
    throw new Error(`The evaluation budget must be a positive integer, got ${s.budget}`);
  }
  const c = s.constraint;
  if (c && c.max !== undefined && c.min !== undefined && c.min > c.max) {
    throw new Error(`The constraint's minimum ${c.min} is above its maximum ${c.max}`);
  }
}

export class SampleSearch {
  readonly records: EvalRecord[] = [];
  /** Why the run stopped before its budget, else null. */
  stopped: string | null = null;
  private readonly strategy: SampleStrategy;

  constructor(
    readonly space: TokenSpace,
    readonly settings: SampleSearchSettings,
    private readonly costOf: CostOf,
    private readonly evaluate: Evaluate,
    restored?: SampleSearchState,
  ) {
    checkSettings(settings);
    const { max = Infinity, min = -Infinity } = settings.constraint ?? {};
    const ctx = {
      space,
      feasible: (t: readonly number[]) => {
        const c = costOf(t);
        return c <= max && c >= min;
      },
      maxRetries: settings.maxRetries ?? 200,
    };
    if (restored) {
      this.strategy = restoreSampleStrategy(restored.strategy, ctx);
      this.records.push(...structuredClone(restored.records));
      this.stopped = restored.stopped;
    } else {
      this.strategy = createSampleStrategy(settings.strategy, ctx, settings.options);
    }
  }

  get done(): boolean {
    return this.stopped !== null || this.records.length >= this.settings.budget;
  }

  /** The best record so far (highest reward; the first of equals), or null. */
  best(): EvalRecord | null {
    let b: EvalRecord | null = null;
    for (const r of this.records) if (!b || r.reward > b.reward) b = r;
    return b;
  }

  /** Proposes, evaluates and records one candidate; null when the run is done or the space ran out. */
  async step(): Promise<EvalRecord | null> {
    if (this.done) return null;
    let tokens: number[];
    try {
      tokens = this.strategy.propose();
    } catch (e) {
      // exhaustion is an outcome, not a crash: the records so far stay valid
      this.stopped = e instanceof Error ? e.message : String(e);
      return null;
    }
    const cost = this.costOf(tokens);
    const { nme } = await this.evaluate(tokens);
    const reward = rewardOf(this.settings.reward, nme, cost);
    const note = this.strategy.observe(tokens, reward);
    const prev = this.records.at(-1)?.bestReward ?? -Infinity;
    const record: EvalRecord = {
      index: this.records.length,
      tokens,
      nme,
      cost,
      reward,
      bestReward: Math.max(prev, reward),
      note,
    };
    this.records.push(record);
    return record;
  }

  /** Steps to the budget; awaits onRecord after each; stops early when `signal` aborts. */
  async run(onRecord?: (r: EvalRecord) => unknown, signal?: AbortSignal): Promise<void> {
    while (!this.done && !signal?.aborted) {
      const r = await this.step();
      if (r && onRecord) await onRecord(r);
    }
  }

  state(): SampleSearchState {
    return {
      version: 1,
      settings: structuredClone(this.settings),
      strategy: this.strategy.state(),
      records: structuredClone(this.records),
      stopped: this.stopped,
    };
  }

  static restore(
    space: TokenSpace,
    state: SampleSearchState,
    costOf: CostOf,
    evaluate: Evaluate,
  ): SampleSearch {
    if (state.version !== 1) throw new Error(`Unsupported sample-search state version ${state.version}`);
    return new SampleSearch(space, state.settings, costOf, evaluate, state);
  }
}
