/**
 * The FBNetV3 joint search inside the worker: a thin driver of the engine's resumable JointSearch
 * (src/nas/v3). Steps the state machine, streams progress with the whole state after every event — the UI
 * checkpoints it, so a reload loses at most the candidate in flight — and pauses by aborting that
 * candidate (the state only changes once a candidate has finished, joint-search.ts).
 */
import {
  checkState,
  classroomJointSpace,
  DEFAULT_JOINT_SEARCH,
  pretrainAblation,
  candidateKey,
  exportJointCandidate,
  generateDataset,
  initialState,
  isCoarse,
  JointSearch,
  standaloneTrainer,
  type FineResult,
  type JointSearchConfig,
  type JointSearchState,
  type PretrainAblationRow,
  type TrainCandidate,
  type ResultsExport,
  type WeightKeepingTrainer,
  type WeightMap,
} from '../nas/index.ts';
import { prepareOrt } from './onnx-runtime.ts';
import {
  WorkerRequestError,
  type V3BudgetsArgs,
  type V3ExportArgs,
  type V3Outcome,
  type V3Settings,
  type V3StartArgs,
  type WorkerEvent,
} from './protocol.ts';

/** A tiny run: seconds per candidate on the CPU path (the form's defaults). */
export const DEFAULT_V3_SETTINGS: V3Settings & { sensitivity: number } = {
  seed: 1,
  faces: 40,
  size: 32,
  batch: 4,
  poolSize: 12,
  round0: 4,
  rounds: 2,
  perRound: 2,
  steps: 6,
  checkpoints: 3,
  earlyStopTau: 0.92,
  maxMacs: 3e6,
  budgets: [1.5e6, 3e6],
  proxyArchs: 200,
  predictorSteps: 60,
  generations: 4,
  population: 8,
  sensitivity: 0,
};

/** The engine's config for a form (the space narrowed to the data's size, dropout pinned: see train-candidate.ts). */
export function jointConfigOf(s: V3Settings): JointSearchConfig {
  const int = (v: number, min: number, what: string) => {
    if (!Number.isInteger(v) || v < min) throw new Error(`${what} must be a whole number ≥ ${min}, got ${v}`);
  };
  int(s.faces, 10, 'Faces');
  int(s.size, 16, 'The face size');
  int(s.batch, 1, 'The batch size');
  int(s.steps, 3, 'Training steps');
  int(s.proxyArchs, 0, 'Pre-training architectures');
  int(s.predictorSteps, 1, 'Predictor steps');
  int(s.generations, 1, 'Generations');
  int(s.population, 2, 'Population');
  int(s.sensitivity ?? 0, 0, 'Sensitivity architectures');
  if (!(s.earlyStopTau > 0 && s.earlyStopTau <= 1)) {
    throw new Error(`The early-stop τ must lie in (0, 1], got ${s.earlyStopTau}`);
  }
  if (s.budgets.length === 0 || s.budgets.some((b) => !(b > 0))) {
    throw new Error('Give at least one positive MACs budget for the fine stage');
  }
  const n = s.predictorSteps;
  return {
    ...DEFAULT_JOINT_SEARCH,
    seed: s.seed,
    space: {
      resolutions: s.size > 32 ? [32, s.size] : [s.size],
      recipe: {
        dropout: [0, 0],
        steps: [s.steps / 3, (2 * s.steps) / 3, s.steps].map(Math.round),
      },
    },
    maxMacs: s.maxMacs,
    poolSize: s.poolSize,
    round0: s.round0,
    rounds: s.rounds,
    perRound: s.perRound,
    checkpoints: s.checkpoints,
    earlyStopTau: s.earlyStopTau,
    proxyArchs: s.proxyArchs,
    predictor: { members: 1, pretrainSteps: 2 * n, frozenSteps: 2 * n, endToEndSteps: Math.ceil(n / 4) },
    fine: {
      budgets: [...s.budgets],
      generations: s.generations,
      population: s.population,
      verify: 1,
      defaultRecipe: true,
    },
    sensitivity: { architectures: s.sensitivity ?? 0 },
  };
}

/** Phases in which the predictor has seen every coarse-stage measurement it will see. */
const FINE_OR_LATER: readonly JointSearchState['phase'][] = ['fine', 'verify', 'sensitivity', 'done'];

/** Candidates a search trains in all (exact once the fine stage has queued its verifications). */
export function plannedCandidates(state: JointSearchState): number {
  const c = state.config;
  const verify = c.fine.budgets.length * (c.fine.verify + (c.fine.defaultRecipe ? 1 : 0));
  const sensitivity = 2 * (c.sensitivity?.architectures ?? 0);
  if (state.phase === 'sensitivity' || state.phase === 'done')
    return state.trained.length + state.queue.length;
  if (state.phase === 'verify') return state.trained.length + state.queue.length + sensitivity;
  return c.round0 + c.rounds * c.perRound + verify + sensitivity;
}

/**
 * Builds the trainer of a run (the app: SynthFace + the shared trainer; tests: a planted target). A trainer
 * that returns weights has them streamed (v3-weights) for the verification trainings: the exportable nets.
 */
export type TrainerFactory = (settings: V3Settings) => WeightKeepingTrainer;

/** The run's faces: the same for its trainings and for the parity check of an export. */
const runData = (s: V3Settings) =>
  generateDataset({ count: s.faces, size: s.size, difficulty: 0.5, seed: s.seed });

export const syntheticTrainer: TrainerFactory = (s) =>
  standaloneTrainer({
    data: runData(s),
    batchSize: s.batch,
    splitSeed: s.seed,
    keepWeights: (r) => r.stage === 'verify',
  });

/** A search state sent with a request, copied and checked; a damaged one is the caller's bad request. */
function checkedState(state: unknown): JointSearchState {
  try {
    return checkState(structuredClone(state));
  } catch (e) {
    throw new WorkerRequestError(e instanceof Error ? e.message : String(e), 'bad-request');
  }
}

/** Budgets one re-budgeting request may search (each is a genetic search of its own). */
export const MAX_REBUDGETS = 8;

/** What a re-budgeting's predictor is fitted from: a search with the same key fits the same predictor. */
const predictorKey = (s: JointSearchState) =>
  JSON.stringify([s.config, s.earlyStop, s.trained.filter(isCoarse).map((t) => [t.candidate, t.curve])]);

export class V3Session {
  private abort: AbortController | null = null;
  /**
   * The last re-budgeted search: its predictor (pre-trained and fitted) is kept, so a second budget for the
   * same measurements costs only the genetic search.
   */
  private rebudget: { key: string; search: JointSearch } | null = null;

  constructor(
    private readonly emit: (event: WorkerEvent) => void,
    private readonly makeTrainer: TrainerFactory = syntheticTrainer,
    /** Sets up onnxruntime-web for an export's parity check (Node tests: nothing to set up). */
    private readonly prepareRuntime: () => Promise<void> = prepareOrt,
  ) {}

  async start(args: V3StartArgs): Promise<V3Outcome> {
    if (this.abort) throw new WorkerRequestError('The joint search is already running', 'busy');
    let search: JointSearch;
    // the weights of the candidate that just finished, handed on once the search has recorded it
    let kept: { key: string; weights: WeightMap } | null = null;
    try {
      const state = args.resume ?? initialState(jointConfigOf(args.settings));
      const trainer = this.makeTrainer(args.settings);
      search = new JointSearch(structuredClone(state), {
        trainCandidate: async (request) => {
          kept = null;
          const { nme, weights } = await trainer(request);
          if (weights) kept = { key: candidateKey(request.candidate), weights };
          return { nme };
        },
      });
    } catch (e) {
      throw new WorkerRequestError(e instanceof Error ? e.message : String(e), 'bad-settings');
    }
    const abort = new AbortController();
    this.abort = abort;
    const started = performance.now();
    try {
      const result = await search
        .run((e) => {
          const s = search.state;
          if (e.kind === 'trained' && kept && kept.key === candidateKey(e.record.candidate)) {
            this.emit({ type: 'v3-weights', key: kept.key, budget: e.record.budget, weights: kept.weights });
            kept = null;
          }
          const total = plannedCandidates(s);
          const perCandidate =
            search.trainedHere > 0 ? (performance.now() - started) / search.trainedHere : null;
          this.emit({
            type: 'v3-progress',
            phase: s.phase,
            event: e.kind,
            trained: s.trained.length,
            total,
            etaMs: perCandidate === null ? null : perCandidate * Math.max(0, total - s.trained.length),
            state: s,
          });
          return new Promise<void>((r) => setTimeout(r, 0)); // let a pause request in
        }, abort.signal)
        .catch((err: unknown) => {
          // a pause mid-candidate drops only that candidate; the state is as after the last one
          if (abort.signal.aborted) return 'aborted' as const;
          throw err;
        });
      return { status: result === 'done' ? 'finished' : 'paused', state: search.state };
    } finally {
      this.abort = null;
      search.dispose();
    }
  }

  /**
   * The pre-training ablation of a search's predictor rounds (pretrain-ablation.ts): the predictor fitted
   * per round with and without encoder pre-training, from the search's own seeds and sizes.
   */
  async ablation(state: JointSearchState): Promise<PretrainAblationRow[]> {
    const checked = checkedState(state);
    return pretrainAblation(classroomJointSpace(checked.config.space), checked.trained, {
      config: checked.config,
      earlyStop: checked.earlyStop,
      onRound: (done, total) => this.emit({ type: 'v3-ablation-progress', done, total }),
    });
  }

  /** A trained candidate to ONNX, with the parity check on the run's own validation faces. */
  async export(args: V3ExportArgs): Promise<ResultsExport> {
    try {
      return await exportJointCandidate(
        classroomJointSpace(args.state.config.space),
        args.candidate,
        args.weights,
        {
          data: runData(args.settings),
          splitSeed: args.settings.seed,
          name: args.name,
          note: args.note,
          experimentUrl: args.experimentUrl,
          prepareRuntime: this.prepareRuntime,
        },
      );
    } catch (e) {
      throw new WorkerRequestError(e instanceof Error ? e.message : String(e), 'bad-request');
    }
  }

  /**
   * The fine stage for new MACs budgets (issue 15, point 5): the predictor — refitted deterministically from
   * the state's measurements — scores a genetic search per budget. Nothing is trained: the search's trainer
   * refuses. Each budget is searched on its own (the seed of the search's first budget), so a budget's result
   * does not depend on the others asked with it, and the search's first budget comes out as its fine stage did.
   */
  async budgets(args: V3BudgetsArgs): Promise<FineResult[]> {
    if (this.abort) {
      throw new WorkerRequestError(
        'Pause the joint search or let it finish before searching new budgets',
        'busy',
      );
    }
    const budgets: unknown = args?.budgets;
    if (
      !Array.isArray(budgets) ||
      budgets.length < 1 ||
      budgets.length > MAX_REBUDGETS ||
      budgets.some((b) => typeof b !== 'number' || !Number.isFinite(b) || !(b > 0))
    ) {
      throw new WorkerRequestError(
        `Give 1 to ${MAX_REBUDGETS} MACs budgets, each a positive finite number`,
        'bad-request',
      );
    }
    const state = checkedState(args.state);
    if (!FINE_OR_LATER.includes(state.phase)) {
      throw new WorkerRequestError(
        `The search has not reached the fine stage yet (it is at ${state.phase}): its predictor is not final`,
        'bad-request',
      );
    }
    const key = predictorKey(state);
    if (this.rebudget?.key !== key) {
      this.rebudget?.search.dispose();
      this.rebudget = null;
      const search = new JointSearch(state, {
        trainCandidate: () => {
          throw new Error('Searching a new budget trains nothing');
        },
      });
      this.rebudget = { key, search };
    }
    const search = this.rebudget.search;
    const out: FineResult[] = [];
    for (const b of budgets as number[]) {
      try {
        out.push(...(await search.searchBudgets([b])));
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        // a budget below the space's smallest network: the user's input, said plainly
        if (/meets the constraint/.test(message)) throw new WorkerRequestError(message, 'bad-request');
        throw e;
      }
    }
    return out;
  }

  pause(): { paused: boolean } {
    const a = this.abort;
    a?.abort();
    return { paused: !!a };
  }
}
