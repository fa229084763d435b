/**
 * FBNetV3's joint architecture-recipe search (Dai et al., CVPR 2021, algorithm 1) as a resumable state
 * machine. Each call of step() does one unit of work — train one candidate, or one decision between
 * trainings — and leaves the whole search in `state`, plain JSON, so a worker can checkpoint after every
 * trained candidate and a reload loses at most the one in flight.
 *
 *  coarse stage
 *   1. pool: `poolSize` (architecture, recipe) pairs from a Sobol sequence, filtered by the MACs budget;
 *   2. round 0: the first `round0` of them train to their full step budget, logging validation NME at
 *      `checkpoints` evenly spaced fractions of it;
 *   3. early stop: the first logged fraction whose Kendall τ with the final ranking reaches `earlyStopTau`
 *      (early-stop.ts); from now on a candidate's NME at that fraction is its score;
 *   4. rounds: the predictor (pre-trained on computed MACs/params, then fitted on every score so far)
 *      picks the `perRound` untrained pool candidates it predicts best — their predictions recorded
 *      before they train — they train to the early-stop fraction only, and the predictor is refitted;
 *  fine stage
 *   5. for each MACs budget, a genetic search scored by the predictor alone (genetic.ts);
 *   6. verification: the top `verify` of each budget train to the full budget, and — to show what the
 *      recipe is worth — the best one's architecture also trains with the default recipe;
 *   7. recipe sensitivity (optional): the `sensitivity.architectures` best measured architectures train
 *      fully under the default recipe and under the searched one (the best verified candidate's), so the
 *      rank-crossing of architectures between two recipes can be seen (rank-crossing.ts).
 *
 * Training is injected (`TrainCandidate`): the app passes one that builds the network and trains it through
 * the shared trainer and data pipeline; tests pass a planted target. The predictor is not part of the
 * state: every fit is a deterministic function of the measurements and the seed (predictor.ts), so a
 * resumed search refits to the same predictor.
 */
import type { Arch } from '../arch/spec.ts';
import { kendallTau } from '../sample-search/pareto.ts';
import { chooseEarlyStop, DEFAULT_EARLY_STOP_TAU, type EarlyStopChoice } from './early-stop.ts';
import { PredictorEnsemble } from './ensemble.ts';
import { geneticSearch, type ScoredCandidate } from './genetic.ts';
import {
  archFeatures,
  archKey,
  candidateCost,
  candidateKey,
  classroomJointSpace,
  decodeArch,
  decodeRecipe,
  defaultRecipe,
  candidateFromUnit,
  knobGroups,
  recipeFeatures,
  meetsConstraint,
  withRecipe,
  type JointCandidate,
  type JointConstraint,
  type JointSpace,
  type JointSpaceOptions,
  type TrainingRecipe,
} from './joint-space.ts';
import type { PredictorOptions } from './predictor.ts';
import { proxyData } from './proxy-data.ts';
import { sobolPool } from './sobol.ts';

export interface JointSearchConfig {
  seed: number;
  /** The joint space (classroomJointSpace's options: plain data). */
  space: JointSpaceOptions;
  /** MACs budget of the pool (and of the coarse stage). */
  maxMacs: number;
  poolSize: number;
  /** Sobol points skipped before the pool (1 skips the origin). */
  poolSkip: number;
  round0: number;
  rounds: number;
  perRound: number;
  /** Logged validation points per full training run. */
  checkpoints: number;
  earlyStopTau: number;
  /** Sampled architectures the encoder is pre-trained on (0: no pre-training). */
  proxyArchs: number;
  predictor: Omit<PredictorOptions, 'seed'> & { members?: number };
  fine: {
    /** MACs budgets searched by the predictor alone. */
    budgets: number[];
    generations: number;
    population: number;
    /** Candidates per budget trained fully to check the prediction. */
    verify: number;
    /** Also train the best candidate's architecture with the default recipe. */
    defaultRecipe: boolean;
  };
  /**
   * After verification, the best `architectures` measured architectures each train under the default and
   * the searched recipe (0 disables; absent in checkpoints saved before the stage existed: 0).
   */
  sensitivity?: { architectures: number };
}

export const DEFAULT_JOINT_SEARCH: JointSearchConfig = {
  seed: 1,
  space: {},
  maxMacs: 6e6,
  poolSize: 64,
  poolSkip: 1,
  round0: 12,
  rounds: 3,
  perRound: 6,
  checkpoints: 6,
  earlyStopTau: DEFAULT_EARLY_STOP_TAU,
  proxyArchs: 2000,
  predictor: { members: 3 },
  fine: { budgets: [2e6, 4e6], generations: 30, population: 24, verify: 1, defaultRecipe: true },
  sensitivity: { architectures: 3 },
};

export type JointPhase = 'round0' | 'early-stop' | 'rounds' | 'fine' | 'verify' | 'sensitivity' | 'done';
export type TrainingStage = 'round0' | 'round' | 'verify' | 'default-recipe' | 'sensitivity';

/** One candidate to train, with what the predictor said about it beforehand (when it had a say). */
export interface QueuedCandidate {
  candidate: JointCandidate;
  stage: TrainingStage;
  round: number;
  /** Pool index, or −1 for candidates bred by the fine stage. */
  poolIndex: number;
  predicted: number | null;
  /** The fine-stage budget it was found for. */
  budget: number | null;
  /** Logged points to train through (all `checkpoints` = the full budget). */
  points: number;
  /** Sensitivity stage only: which of the chosen architectures (0 = best measured), under which recipe. */
  sensitivity?: { arch: number; recipe: 'default' | 'searched' };
}

export interface TrainedCandidate extends QueuedCandidate {
  /** Validation NME at each logged point trained through. */
  curve: number[];
  macs: number;
}

export interface RoundSummary {
  round: number;
  predicted: number[];
  measured: number[];
  /** Kendall τ-b between predicted and measured NME of the round's candidates; null when undefined. */
  tau: number | null;
}

export interface FineResult {
  budget: number;
  best: ScoredCandidate[];
}

export interface JointSearchState {
  version: 1;
  config: JointSearchConfig;
  phase: JointPhase;
  pool: JointCandidate[];
  queue: QueuedCandidate[];
  trained: TrainedCandidate[];
  earlyStop: EarlyStopChoice | null;
  round: number;
  rounds: RoundSummary[];
  fine: FineResult[];
}

export interface TrainRequest {
  candidate: JointCandidate;
  arch: Arch;
  recipe: TrainingRecipe;
  /** Steps after which to report the validation NME, ascending; training stops at the last. */
  logSteps: number[];
  seed: number;
  stage: TrainingStage;
  signal?: AbortSignal;
}

/** Trains one candidate standalone and returns its validation NME at every logged step. */
export type TrainCandidate = (request: TrainRequest) => Promise<{ nme: number[] }>;

export interface JointSearchDeps {
  trainCandidate: TrainCandidate;
  /** A second cost with its own budget for the fine stage (e.g. latency from the device's table). */
  cost?: JointConstraint['cost'];
}

export type JointEvent =
  | { kind: 'trained'; record: TrainedCandidate }
  | { kind: 'early-stop'; choice: EarlyStopChoice }
  | { kind: 'round'; summary: RoundSummary | null; next: QueuedCandidate[] }
  | { kind: 'fine'; results: FineResult[] }
  | { kind: 'done' };

/** The step counts at which a run of `steps` logs its `points` first of `checkpoints` points. */
export function loggedSteps(steps: number, checkpoints: number, points = checkpoints): number[] {
  return Array.from({ length: points }, (_, k) => Math.max(1, Math.round((steps * (k + 1)) / checkpoints)));
}

function checkConfig(c: JointSearchConfig): void {
  const int = (v: number, min: number, what: string) => {
    if (!Number.isInteger(v) || v < min) throw new Error(`${what} must be an integer ≥ ${min}, got ${v}`);
  };
  int(c.poolSize, 2, 'The pool size');
  int(c.round0, 2, 'Round 0');
  int(c.rounds, 0, 'The number of rounds');
  int(c.perRound, 1, 'Candidates per round');
  int(c.checkpoints, 1, 'Logged points');
  int(c.poolSkip, 0, 'The Sobol skip');
  int(c.sensitivity?.architectures ?? 0, 0, 'Sensitivity architectures');
  if (c.round0 + c.rounds * c.perRound > c.poolSize) {
    throw new Error(
      `The pool (${c.poolSize}) is smaller than round 0 plus the rounds (${c.round0 + c.rounds * c.perRound})`,
    );
  }
  if (!(c.maxMacs > 0)) throw new Error(`The MACs budget must be positive, got ${c.maxMacs}`);
}

/** A fresh search: the Sobol pool drawn and round 0 queued. */
export function initialState(config: JointSearchConfig): JointSearchState {
  checkConfig(config);
  const space = classroomJointSpace(config.space);
  const pool = sobolPool(
    space.knobs.length,
    config.poolSize,
    (u) => candidateFromUnit(space, u),
    (c) => meetsConstraint(space, c, { maxMacs: config.maxMacs }),
    { skip: config.poolSkip },
  );
  const queue: QueuedCandidate[] = pool.slice(0, config.round0).map((candidate, i) => ({
    candidate,
    stage: 'round0',
    round: 0,
    poolIndex: i,
    predicted: null,
    budget: null,
    points: config.checkpoints,
  }));
  return {
    version: 1,
    config: structuredClone(config),
    phase: 'round0',
    pool,
    queue,
    trained: [],
    earlyStop: null,
    round: 0,
    rounds: [],
    fine: [],
  };
}

/** Checks a restored state's shape before resuming from it (a damaged checkpoint says so). */
export function checkState(state: unknown): JointSearchState {
  const s = state as Partial<JointSearchState> | null;
  if (!s || typeof s !== 'object' || s.version !== 1) {
    throw new Error('Not a joint-search checkpoint of a known version');
  }
  for (const key of ['pool', 'queue', 'trained', 'rounds', 'fine'] as const) {
    if (!Array.isArray(s[key])) throw new Error(`The joint-search checkpoint has no ${key} list`);
  }
  if (!s.config || typeof s.phase !== 'string') throw new Error('The joint-search checkpoint has no config');
  checkConfig(s.config);
  return s as JointSearchState;
}

/**
 * The search's predictor: an ensemble seeded from the config and, when `pretrain` (default: the config
 * has proxy architectures), its encoder pre-trained on `proxyArchs` (or, if that is 0, the default count)
 * computed MACs/params. The pre-training ablation builds it both ways from the same seeds.
 */
export async function searchPredictor(
  space: JointSpace,
  config: Pick<JointSearchConfig, 'seed' | 'proxyArchs' | 'predictor'>,
  pretrain = config.proxyArchs > 0,
): Promise<PredictorEnsemble> {
  const g = knobGroups(space);
  const { members, ...options } = config.predictor;
  const predictor = new PredictorEnsemble(g.arch.length, g.recipe.length, {
    ...options,
    members: members ?? 3,
    seed: config.seed,
  });
  if (pretrain) {
    const count = config.proxyArchs > 0 ? config.proxyArchs : DEFAULT_JOINT_SEARCH.proxyArchs;
    const data = proxyData(space, count, (config.seed ^ 0x9e3779b9) >>> 0);
    await predictor.pretrain(data.arch, data.costs);
  }
  return predictor;
}

/** A trained candidate's score: its NME at the early-stop point (the last logged one before the choice). */
export function candidateScore(earlyStop: EarlyStopChoice | null, t: TrainedCandidate): number {
  const i = earlyStop ? Math.min(earlyStop.index, t.curve.length - 1) : t.curve.length - 1;
  return t.curve[i];
}

/** Whether a trained candidate is a coarse-stage measurement (what the predictor is fitted on). */
export function isCoarse(t: TrainedCandidate): boolean {
  return t.stage === 'round0' || t.stage === 'round';
}

/** Fits the predictor on trained candidates' scores (the one fitting path of the search and the ablation). */
export async function fitPredictor(
  predictor: PredictorEnsemble,
  space: JointSpace,
  earlyStop: EarlyStopChoice | null,
  measured: readonly TrainedCandidate[],
): Promise<void> {
  await predictor.fit(
    measured.map((t) => archFeatures(space, t.candidate)),
    measured.map((t) => recipeFeatures(space, t.candidate)),
    measured.map((t) => candidateScore(earlyStop, t)),
  );
}

export class JointSearch {
  readonly space: JointSpace;
  private predictor: PredictorEnsemble | null = null;
  /** How many trained records the in-memory predictor was last fitted on. */
  private fittedOn = -1;
  /** Candidates trained by this instance (not counting those restored from a checkpoint). */
  trainedHere = 0;

  constructor(
    public state: JointSearchState,
    private readonly deps: JointSearchDeps,
  ) {
    checkState(state);
    this.space = classroomJointSpace(state.config.space);
  }

  get done(): boolean {
    return this.state.phase === 'done';
  }

  /** The state as JSON text (what a checkpoint stores). */
  toJSON(): JointSearchState {
    return this.state;
  }

  private seedFor(index: number): number {
    return (Math.imul(this.state.config.seed, 1000003) + index) >>> 0;
  }

  /** Score of a trained candidate: its NME at the early-stop point. */
  private scoreOf(t: TrainedCandidate): number {
    return candidateScore(this.state.earlyStop, t);
  }

  private async ensurePredictor(): Promise<PredictorEnsemble> {
    const c = this.state.config;
    if (!this.predictor) {
      this.predictor = await searchPredictor(this.space, c);
      this.fittedOn = -1;
    }
    // measurements used: every coarse-stage candidate (their early-stop scores)
    const coarse = this.state.trained.filter(isCoarse);
    if (this.fittedOn !== coarse.length) {
      await fitPredictor(this.predictor, this.space, this.state.earlyStop, coarse);
      this.fittedOn = coarse.length;
    }
    return this.predictor;
  }

  /** Predicted NME of candidates (after fitting on everything measured so far). */
  async predict(candidates: JointCandidate[]): Promise<number[]> {
    const p = await this.ensurePredictor();
    return (
      await p.predict(
        candidates.map((c) => archFeatures(this.space, c)),
        candidates.map((c) => recipeFeatures(this.space, c)),
      )
    ).nme;
  }

  /** The next round's picks: the untrained pool candidates predicted best. */
  private async nextRound(): Promise<QueuedCandidate[]> {
    const c = this.state.config;
    const used = new Set(this.state.trained.map((t) => t.poolIndex));
    const open = this.state.pool.map((cand, i) => ({ cand, i })).filter(({ i }) => !used.has(i));
    const pred = await this.predict(open.map((o) => o.cand));
    const order = open.map((_, j) => j).sort((a, b) => pred[a] - pred[b] || open[a].i - open[b].i);
    return order.slice(0, c.perRound).map((j) => ({
      candidate: open[j].cand,
      stage: 'round',
      round: this.state.round + 1,
      poolIndex: open[j].i,
      predicted: pred[j],
      budget: null,
      points: (this.state.earlyStop?.index ?? c.checkpoints - 1) + 1,
    }));
  }

  private async train(q: QueuedCandidate, signal?: AbortSignal): Promise<TrainedCandidate> {
    const recipe = decodeRecipe(this.space, q.candidate);
    const arch = decodeArch(this.space, q.candidate, `v3-${q.stage}-${q.poolIndex}`);
    const steps = loggedSteps(recipe.steps, this.state.config.checkpoints, q.points);
    const index = q.poolIndex >= 0 ? q.poolIndex : 100000 + this.state.trained.length;
    const { nme } = await this.deps.trainCandidate({
      candidate: q.candidate,
      arch,
      recipe,
      logSteps: steps,
      seed: this.seedFor(index),
      stage: q.stage,
      signal,
    });
    if (nme.length !== steps.length || nme.some((v) => !(v > 0) || !Number.isFinite(v))) {
      throw new Error(
        `Training ${arch.name} returned ${nme.length} NMEs for ${steps.length} logged steps, or a non-positive one`,
      );
    }
    const { macs } = candidateCost(this.space, q.candidate);
    return { ...q, curve: [...nme], macs };
  }

  /** One unit of work; resolves with what happened. */
  async step(signal?: AbortSignal): Promise<JointEvent> {
    const s = this.state;
    const c = s.config;
    switch (s.phase) {
      case 'round0':
      case 'rounds':
      case 'verify':
      case 'sensitivity': {
        const q = s.queue[0];
        if (q) {
          const record = await this.train(q, signal);
          // the state changes only once the candidate has finished: an abort mid-training loses only it
          s.trained.push(record);
          s.queue.shift();
          this.trainedHere++;
          return { kind: 'trained', record };
        }
        if (s.phase === 'round0') {
          s.phase = 'early-stop';
          return this.step(signal);
        }
        if (s.phase === 'verify') {
          // the sensitivity queue is a function of the state: a reload before its first candidate rebuilds it
          s.queue = this.sensitivityQueue();
          s.phase = s.queue.length ? 'sensitivity' : 'done';
          return s.queue.length ? this.step(signal) : { kind: 'done' };
        }
        if (s.phase === 'sensitivity') {
          s.phase = 'done';
          return { kind: 'done' };
        }
        // a round has finished: compare the predictions made before it with what was measured
        const done = s.trained.filter((t) => t.stage === 'round' && t.round === s.round);
        const predicted = done.map((t) => t.predicted ?? NaN);
        const measured = done.map((t) => this.scoreOf(t));
        const tau = predicted.length > 1 ? kendallTau(predicted, measured) : NaN;
        const summary = { round: s.round, predicted, measured, tau: Number.isNaN(tau) ? null : tau };
        s.rounds.push(summary);
        if (s.round < c.rounds) {
          s.queue = await this.nextRound();
          s.round += 1;
          return { kind: 'round', summary, next: s.queue };
        }
        s.phase = 'fine';
        return { kind: 'round', summary, next: [] };
      }
      case 'early-stop': {
        const round0 = s.trained.filter((t) => t.stage === 'round0');
        const fractions = Array.from({ length: c.checkpoints }, (_, k) => (k + 1) / c.checkpoints);
        s.earlyStop = chooseEarlyStop(
          round0.map((t) => t.curve),
          fractions,
          c.earlyStopTau,
        );
        if (c.rounds > 0) {
          s.queue = await this.nextRound();
          s.round = 1;
          s.phase = 'rounds';
        } else {
          s.phase = 'fine';
        }
        return { kind: 'early-stop', choice: s.earlyStop };
      }
      case 'fine': {
        const results = await this.searchBudgets(c.fine.budgets);
        s.fine = results;
        const seen = new Set<string>();
        const queue: QueuedCandidate[] = [];
        const add = (
          cand: JointCandidate,
          stage: TrainingStage,
          budget: number,
          predicted: number | null,
        ) => {
          const k = `${stage}:${candidateKey(cand)}`;
          if (seen.has(k)) return;
          seen.add(k);
          queue.push({
            candidate: cand,
            stage,
            round: s.round,
            poolIndex: -1,
            predicted,
            budget,
            points: c.checkpoints,
          });
        };
        for (const r of results) {
          r.best.slice(0, c.fine.verify).forEach((b) => add(b.candidate, 'verify', r.budget, b.score));
          if (c.fine.defaultRecipe && r.best[0]) {
            const d = withRecipe(this.space, r.best[0].candidate, defaultRecipe(this.space));
            add(d, 'default-recipe', r.budget, (await this.predict([d]))[0]);
          }
        }
        s.queue = queue;
        s.phase = 'verify';
        return { kind: 'fine', results };
      }
      case 'done':
        return { kind: 'done' };
    }
  }

  /**
   * The recipe-sensitivity stage: the best `sensitivity.architectures` distinct measured architectures
   * (coarse stage, by score), each with the default recipe and with the searched one — the recipe of the
   * best fully trained fine-stage pick (else of the best measured candidate). Trained to the full budget.
   */
  private sensitivityQueue(): QueuedCandidate[] {
    const s = this.state;
    const k = s.config.sensitivity?.architectures ?? 0;
    if (k === 0) return [];
    const final = (t: TrainedCandidate) => t.curve[t.curve.length - 1];
    const coarse = s.trained.filter(isCoarse).sort((a, b) => this.scoreOf(a) - this.scoreOf(b));
    const verified = s.trained.filter((t) => t.stage === 'verify').sort((a, b) => final(a) - final(b));
    const source = verified[0] ?? coarse[0];
    if (!source) return [];
    const searched = decodeRecipe(this.space, source.candidate);
    const archs: JointCandidate[] = [];
    const seen = new Set<string>();
    for (const t of coarse) {
      const key = archKey(this.space, t.candidate);
      if (seen.has(key)) continue;
      seen.add(key);
      archs.push(t.candidate);
      if (archs.length === k) break;
    }
    return archs.flatMap((cand, arch) =>
      (['default', 'searched'] as const).map((recipe) => ({
        candidate: withRecipe(this.space, cand, recipe === 'default' ? defaultRecipe(this.space) : searched),
        stage: 'sensitivity' as const,
        round: s.round,
        poolIndex: -1,
        predicted: null,
        budget: null,
        points: s.config.checkpoints,
        sensitivity: { arch, recipe },
      })),
    );
  }

  /**
   * The fine stage for any budgets: a genetic search per budget scored by the predictor alone (no
   * training), seeded from the best measured candidates that fit. Callable again with new budgets.
   */
  async searchBudgets(budgets: readonly number[]): Promise<FineResult[]> {
    const c = this.state.config;
    await this.ensurePredictor();
    const measured = [...this.state.trained]
      .filter(isCoarse)
      .sort((a, b) => this.scoreOf(a) - this.scoreOf(b))
      .map((t) => t.candidate);
    const out: FineResult[] = [];
    for (const [i, budget] of budgets.entries()) {
      const r = await geneticSearch(
        this.space,
        (cands) => this.predict(cands),
        { maxMacs: budget, cost: this.deps.cost },
        {
          seed: (c.seed + 31 * (i + 1)) >>> 0,
          generations: c.fine.generations,
          population: c.fine.population,
          initial: measured,
        },
      );
      out.push({ budget, best: r.best });
    }
    return out;
  }

  /** Steps until done or aborted; `onEvent` sees every event (e.g. to checkpoint after each training). */
  async run(onEvent?: (e: JointEvent) => unknown, signal?: AbortSignal): Promise<'done' | 'aborted'> {
    while (!this.done) {
      if (signal?.aborted) return 'aborted';
      const e = await this.step(signal);
      await onEvent?.(e);
    }
    return 'done';
  }

  dispose(): void {
    this.predictor?.dispose();
    this.predictor = null;
  }
}
