/**
 * Several strategies × seeds on the same evaluator at the same budget, stepped round-robin so every
 * strategy has had (almost) the same number of evaluations at any moment, and the figures the side-by-side
 * view plots: best-so-far reward vs evaluations (mean and spread over seeds), every evaluated candidate on
 * the cost–NME plane with each strategy's Pareto front, and the strategies' own telemetry over time.
 */
import { paretoFront } from './pareto.ts';
import type { RewardSpec } from './reward.ts';
import {
  SampleSearch,
  type CostOf,
  type EvalRecord,
  type Evaluate,
  type SampleSearchState,
} from './sample-search.ts';
import type { SampleStrategyOptions } from './sample-strategies.ts';
import type { SampleStrategyId } from './strategy.ts';
import type { TokenSpace } from './token-space.ts';

export interface SideBySideSettings {
  strategies: SampleStrategyId[];
  /** One run of every strategy per seed. */
  seeds: number[];
  /** Evaluations per run. */
  budget: number;
  reward: RewardSpec;
  constraint?: { max?: number; min?: number };
  /** Shared strategy options (aging evolution's P and S, SANAS's initial tokens...); seeds come from `seeds`. */
  options?: Omit<SampleStrategyOptions, 'seed'>;
}

export interface SideBySideState {
  version: 1;
  settings: SideBySideSettings;
  runs: SampleSearchState[];
}

export interface SideBySideRun {
  strategy: SampleStrategyId;
  seed: number;
  search: SampleSearch;
}

export function checkSideBySide(s: SideBySideSettings): void {
  if (s.strategies.length === 0) throw new Error('Pick at least one strategy');
  if (new Set(s.strategies).size !== s.strategies.length) throw new Error('A strategy is listed twice');
  if (s.seeds.length === 0) throw new Error('Give at least one seed');
  if (!(Number.isInteger(s.budget) && s.budget >= 1 && s.budget <= 10_000)) {
    throw new Error(`The budget must be a whole number of evaluations from 1 to 10000, got ${s.budget}`);
  }
  // form values arrive as typed: a zero temperature or a rate outside (0, 1) would make SANAS's
  // acceptance exp(Δr / T) meaningless, so they are refused here, before any evaluation
  const o = s.options ?? {};
  if (o.initTemperature !== undefined && !(Number.isFinite(o.initTemperature) && o.initTemperature > 0)) {
    throw new Error(`SANAS's initial temperature T0 must be a positive number, got ${o.initTemperature}`);
  }
  if (o.reduceRate !== undefined && !(o.reduceRate > 0 && o.reduceRate < 1)) {
    throw new Error(`SANAS's reduce rate r must lie strictly between 0 and 1, got ${o.reduceRate}`);
  }
}

export class SideBySide {
  readonly runs: SideBySideRun[];

  constructor(
    readonly space: TokenSpace,
    readonly settings: SideBySideSettings,
    costOf: CostOf,
    evaluate: Evaluate,
    restored?: SideBySideState,
  ) {
    checkSideBySide(settings);
    const pairs = settings.strategies.flatMap((strategy) =>
      settings.seeds.map((seed) => ({ strategy, seed })),
    );
    if (restored && restored.runs.length !== pairs.length) {
      throw new Error(`The checkpoint holds ${restored.runs.length} runs, the settings ${pairs.length}`);
    }
    this.runs = pairs.map(({ strategy, seed }, i) => ({
      strategy,
      seed,
      search: restored
        ? SampleSearch.restore(space, restored.runs[i], costOf, evaluate)
        : new SampleSearch(
            space,
            {
              strategy,
              options: { ...settings.options, seed },
              budget: settings.budget,
              reward: settings.reward,
              constraint: settings.constraint,
            },
            costOf,
            evaluate,
          ),
    }));
  }

  get done(): boolean {
    return this.runs.every((r) => r.search.done);
  }

  /** Evaluations done and planned over all runs (a run stopped early counts as complete). */
  progress(): { done: number; total: number } {
    const total = this.runs.length * this.settings.budget;
    const done = this.runs.reduce(
      (a, r) => a + (r.search.done ? this.settings.budget : r.search.records.length),
      0,
    );
    return { done, total };
  }

  /** One evaluation of the unfinished run with the fewest; null when all are done. */
  async step(): Promise<{ run: number; record: EvalRecord | null } | null> {
    let pick = -1;
    this.runs.forEach((r, i) => {
      if (r.search.done) return;
      if (pick < 0 || r.search.records.length < this.runs[pick].search.records.length) pick = i;
    });
    if (pick < 0) return null;
    return { run: pick, record: await this.runs[pick].search.step() };
  }

  /** The best record over every run (highest reward). */
  best(): (EvalRecord & { strategy: SampleStrategyId; seed: number }) | null {
    let out: (EvalRecord & { strategy: SampleStrategyId; seed: number }) | null = null;
    for (const r of this.runs) {
      const b = r.search.best();
      if (b && (!out || b.reward > out.reward)) out = { ...b, strategy: r.strategy, seed: r.seed };
    }
    return out;
  }

  state(): SideBySideState {
    return {
      version: 1,
      settings: structuredClone(this.settings),
      runs: this.runs.map((r) => r.search.state()),
    };
  }

  static restore(space: TokenSpace, state: SideBySideState, costOf: CostOf, evaluate: Evaluate): SideBySide {
    if (state.version !== 1) throw new Error(`Unsupported side-by-side state version ${state.version}`);
    return new SideBySide(space, state.settings, costOf, evaluate, state);
  }

  summary(): SideBySideSummary {
    return summarize(
      this.settings.strategies,
      this.runs.map((r) => ({
        strategy: r.strategy,
        seed: r.seed,
        records: r.search.records,
        stopped: r.search.stopped,
      })),
    );
  }
}

/** Mean and spread (min, max) over seeds of best-so-far reward at each evaluation count. */
export interface Band {
  mean: number[];
  lo: number[];
  hi: number[];
}

export interface StrategySummary {
  strategy: SampleStrategyId;
  bestSoFar: Band;
  /** Every evaluated candidate of every seed. */
  points: { cost: number; nme: number; reward: number; tokens: number[]; seed: number }[];
  /** Indices into `points` of the Pareto front (cost and NME both lower is better), by cost. */
  front: number[];
  /** Telemetry of the first seed's run over time (SANAS: temperature and acceptance rate). */
  temperature: number[];
  acceptanceRate: number[];
  stopped: string[];
}

export interface SideBySideSummary {
  strategies: StrategySummary[];
}

/** Best-so-far bands at evaluation k = 1 .. over the runs that reached k. */
export function bestSoFarBand(runs: readonly (readonly EvalRecord[])[]): Band {
  const len = Math.max(0, ...runs.map((r) => r.length));
  const band: Band = { mean: [], lo: [], hi: [] };
  for (let k = 0; k < len; k++) {
    const v = runs.filter((r) => r.length > k).map((r) => r[k].bestReward);
    band.mean.push(v.reduce((a, b) => a + b, 0) / v.length);
    band.lo.push(Math.min(...v));
    band.hi.push(Math.max(...v));
  }
  return band;
}

export function summarize(
  strategies: readonly SampleStrategyId[],
  runs: readonly {
    strategy: SampleStrategyId;
    seed: number;
    records: readonly EvalRecord[];
    stopped: string | null;
  }[],
): SideBySideSummary {
  return {
    strategies: strategies.map((strategy) => {
      const mine = runs.filter((r) => r.strategy === strategy);
      const points = mine.flatMap((r) =>
        r.records.map((x) => ({
          cost: x.cost,
          nme: x.nme,
          reward: x.reward,
          tokens: [...x.tokens],
          seed: r.seed,
        })),
      );
      const first = mine[0]?.records ?? [];
      return {
        strategy,
        bestSoFar: bestSoFarBand(mine.map((r) => r.records)),
        points,
        front: paretoFront(points),
        temperature: first.map((x) => x.note.temperature ?? NaN).filter((v) => !Number.isNaN(v)),
        acceptanceRate: first.map((x) => x.note.acceptanceRate ?? NaN).filter((v) => !Number.isNaN(v)),
        stopped: mine.map((r) => r.stopped).filter((s): s is string => s !== null),
      };
    }),
  };
}
