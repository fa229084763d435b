/**
 * The one message vocabulary between the UI thread and the training worker. Both sides import this
 * module, so a renamed field or a new command is a type error on both ends.
 *
 * Shape: the UI sends requests `{ kind: 'request', id, method, args }`; the worker answers each with
 * `{ kind: 'response', id, ok, result | error }` and pushes unsolicited `{ kind: 'event', event }`
 * messages (metrics, progress, state changes) at its own pace.
 */
import type {
  Arch,
  BackendId,
  DeriveMode,
  ExperimentConfig,
  FinetuneSummary,
  FinetuneTarget,
  LatencyTable,
  ResultsArchSummary,
  ResultsEvaluation,
  ResultsExport,
  RunEstimate,
  StepMetrics,
  StandaloneCheck,
  SweepPoint,
  SweepProgress,
  SweepResult,
} from '../nas/index.ts';
import type { CheckpointInfo } from '../storage/checkpoints.ts';
import type { LatencyTableSummary } from '../storage/latency-tables.ts';
import type {
  SideBySideSettings,
  SideBySideState,
  SideBySideSummary,
  WeightSharingReport,
  WeightSharingRow,
} from '../nas/index.ts';
import type { JointPhase, JointSearchState, PretrainAblationRow } from '../nas/index.ts';
import type { FineResult } from '../nas/index.ts';
import type { JointCandidate, WeightMap } from '../nas/index.ts';
import type { BaselineCheckState, BaselineProgress, BaselineSettings } from '../nas/index.ts';

export type BackendChoice = BackendId | 'auto';

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software rasteriser (SwiftShader, llvmpipe …) rather than a GPU. */
  software: boolean;
}

/** One backend's measured training step (auto mode times each available backend, fastest wins). */
export interface BackendTiming {
  backend: BackendId;
  /** Median ms per step after the warm-up; null when the backend failed. */
  msPerStep: number | null;
  /** The first step (kernel compilation included). */
  firstMs: number | null;
  /** The first step alone exceeded the time budget: msPerStep is a lower bound. */
  overBudget: boolean;
  /** The GPU behind it in words (WebGPU adapter or WebGL renderer); '' for cpu. */
  device: string;
  software: boolean;
  error?: string;
}

/** What auto mode measured to choose the backend. */
export interface BackendProbe {
  /** The step that was timed, in words (a small proxy of the experiment). */
  workload: string;
  timings: BackendTiming[];
  /** Read from this device's cache instead of measured now. */
  cached: boolean;
  measuredAt: number;
}

export interface BackendInfo {
  backend: BackendId;
  requested: BackendChoice;
  /** WebGPU adapter info when the backend is webgpu, else null. */
  adapter: AdapterDescription | null;
  /** Why a preferred backend was not used, in order of attempts (empty when the first choice worked). */
  fallbackReasons: string[];
  /** Auto mode: the measured steps the choice was made from (null when the user forced a backend). */
  probe: BackendProbe | null;
}

export interface SmokeStepResult {
  backend: BackendId;
  loss: number;
  tensorsBefore: number;
  tensorsAfter: number;
  millis: number;
}

export type TrainingStatus =
  'idle' | 'preparing' | 'ready' | 'running' | 'paused' | 'finished' | 'diverged' | 'error';

/** What the UI needs to draw a configured search before any step runs. */
export interface SearchLayout {
  runId: string;
  /** One entry per searchable layer. */
  layers: { index: number; out: number; stride: number; candidates: string[] }[];
  totalSteps: number;
  stepsPerEpoch: number;
  tauSchedule: number[]; // τ per epoch
  /** Where a resumed run continues from (0 for a fresh run). */
  step: number;
  datasetSummary: string;
  /** Validation NME (%) of always predicting the mean training shape: the bar a search must clear. */
  meanShapeNme: number | null;
  /** Metric history restored from a checkpoint. */
  history: StepMetrics[];
  /** What the live validation NME measures, in words (absent from workers before it existed). */
  estimateBasis?: string;
}

/** Measuring a latency table of a space on the active backend. */
export interface ProfileLatencyArgs {
  space: string;
  /** Candidate edits (body index -> names), as in ExperimentConfig.candidateEdits. */
  edits: Record<number, string[]>;
  inputSize: number;
  batch: number;
  warmup: number;
  repeats: number;
  seed?: number;
}

export interface LatencyImportArgs {
  /** A table exported as JSON, or PaddleSlim's latency text. */
  text: string;
  /** For PaddleSlim text: the space (with edits) and input size to map the ops onto. */
  space: string;
  edits: Record<number, string[]>;
  inputSize: number;
}

export interface LatencyImportReport {
  summary: LatencyTableSummary;
  format: 'json' | 'paddleslim';
  /** Ops of the space not found in the PaddleSlim table (estimated or left out), and unreadable lines. */
  unmapped: string[];
}

export interface LatencyCheckPoint {
  choices: number[];
  predicted: number;
  measured: number;
}

export interface LatencyCheckResult {
  key: string;
  points: LatencyCheckPoint[];
  /** Rank correlation of predicted vs measured (1: the table orders the subnets exactly as the device). */
  spearman: number;
}

export interface DerivedResult {
  arch: Arch;
  choices: number[];
  probs: number[];
  macs: number;
  params: number;
}

/** A PyTorch project zip (src/nas/export/pytorch) and the name to save it under. */
export interface PytorchExport {
  fileName: string;
  bytes: Uint8Array;
}

export interface StatusEvent {
  type: 'status';
  status: TrainingStatus;
  step: number;
  totalSteps: number;
  message?: string;
}

/** A cost-weight sweep of an experiment (src/nas/sweep). */
export interface SweepArgs {
  config: ExperimentConfig;
  /** β of every point, in order. */
  betas: number[];
  /** Finetune steps per derived network (default: the engine's DEFAULT_FINETUNE.steps). */
  finetuneSteps?: number;
}

export interface StrategiesStartArgs {
  settings: SideBySideSettings;
  /** Continue this checkpoint instead of starting over (its settings win). */
  resume?: SideBySideState;
  /** BatchNorm recalibration batches per one-shot evaluation (default 8). */
  recalibrationBatches?: number;
}

export interface WeightSharingArgs {
  /** Random distinct candidates to score both ways (at least 2). */
  count: number;
  /** Standalone training steps per candidate and its learning rate. */
  steps: number;
  lr: number;
  seed: number;
}

export interface StrategiesOutcome {
  status: 'finished' | 'stopped';
  summary: SideBySideSummary;
  state: SideBySideState;
  best: { tokens: number[]; reward: number; nme: number; cost: number } | null;
}

/** "Better than random?" of the search's run: a fresh check (settings over the defaults) or a stored one resumed. */
export interface BaselineStartArgs {
  /** The run the check belongs to; its state is stored under this id after every finished unit. */
  runId: string;
  settings?: Partial<BaselineSettings>;
  /** Continue this check (its plan wins); its finished (network, init seed) units are not retrained. */
  resume?: BaselineCheckState;
}

/** The FBNetV3 joint search's form: data, pool and rounds, training length, predictor and fine stage. */
export interface V3Settings {
  seed: number;
  /** SynthFace faces generated for the run, and their size (the largest input resolution). */
  faces: number;
  size: number;
  batch: number;
  poolSize: number;
  round0: number;
  rounds: number;
  perRound: number;
  /** The longest training recipe (the steps knob offers a third, two thirds and all of it). */
  steps: number;
  /** Validation points logged per full training run. */
  checkpoints: number;
  earlyStopTau: number;
  /** MACs budget of the pool (coarse stage). */
  maxMacs: number;
  /** MACs budgets of the fine stage. */
  budgets: number[];
  /** Architectures the predictor's encoder is pre-trained on (0: none) and its training steps. */
  proxyArchs: number;
  predictorSteps: number;
  generations: number;
  population: number;
  /** Architectures trained under the default and the searched recipe after verification (absent: 0). */
  sensitivity?: number;
}

export interface V3StartArgs {
  settings: V3Settings;
  /** Continue this checkpoint (its finished candidates are not retrained). */
  resume?: JointSearchState;
}

export interface V3Outcome {
  status: 'finished' | 'paused';
  state: JointSearchState;
}

/** Export of a trained joint-search candidate (a fine-stage winner) with the weights its training kept. */
export interface V3ExportArgs {
  /** The run's form: its data (faces, size, seed) gives the validation faces of the parity check. */
  settings: V3Settings;
  /** The search's config (its joint space decodes the candidate). */
  state: JointSearchState;
  candidate: JointCandidate;
  weights: WeightMap;
  name: string;
  note?: string;
  experimentUrl?: string;
}

/** The fine stage re-run for new MACs budgets on a search's predictor alone (nothing is trained). */
export interface V3BudgetsArgs {
  /** A search that has reached the fine stage (its measurements refit the predictor). */
  state: JointSearchState;
  /** 1–8 positive MACs budgets. */
  budgets: number[];
}

/** A lesson's latency measurement: a space with edits, timed like profileLatency but not stored. */
export type LessonLatencyArgs = ProfileLatencyArgs;

/** A lesson's weight-sharing check: its own tiny SPOS supernet, then one-shot vs standalone scores. */
export interface LessonWeightSharingArgs {
  candidates: number;
  supernetSteps: number;
  standaloneSteps: number;
  /** Input size of the generated faces (pixels). */
  size: number;
  seed: number;
}

/** A lesson's masking timing: one supernet step of FBNetV2 masking vs naive copies per k, on this backend. */
export interface LessonMaskTimingArgs {
  /** Numbers of width options to time (distinct integers in [2, 8]). */
  ks: number[];
  batch: number;
  /** Input size (pixels, square). */
  size: number;
  warmup: number;
  /** Timed rounds; each round steps every variant once. */
  rounds: number;
  seed: number;
}

/** Median milliseconds per step of each variant, and its ratio to the plain (unsearched) layer's step. */
export interface LessonMaskTimingRow {
  k: number;
  maskedMs: number;
  naiveMs: number;
  maskedRatio: number;
  naiveRatio: number;
}

export interface LessonMaskTimingResult {
  backend: string;
  batch: number;
  size: number;
  rounds: number;
  plainMs: number;
  rows: LessonMaskTimingRow[];
}

/** Every request the worker understands: method name -> argument and result types. */
export interface WorkerApi {
  /** Choose the backend; in auto mode by timing a step on each (cached per device unless remeasure). */
  init: { args: { backend: BackendChoice; remeasure?: boolean }; result: BackendInfo };
  /** Times the experiment's weight and arch steps on the active backend: the run's duration on this device. */
  estimateRun: { args: { config: ExperimentConfig }; result: RunEstimate | null };
  /** One real training step of a small conv net, proving the backend can train. */
  smokeStep: { args: { size: number; batch: number; seed: number }; result: SmokeStepResult };
  ping: { args: Record<string, never>; result: { backend: BackendId | null; numTensors: number } };
  /** Test hook (only with `?testHooks=1`): destroys the WebGPU device, as a driver reset would. */
  loseDevice: { args: Record<string, never>; result: { lost: boolean } };
  /** Build the supernet and data for an experiment; with runId, restore that run's latest checkpoint. */
  configure: {
    args: { config: ExperimentConfig; resumeRunId?: string; checkpointEvery?: number };
    result: SearchLayout;
  };
  start: { args: Record<string, never>; result: { status: TrainingStatus } };
  pause: { args: Record<string, never>; result: { status: TrainingStatus; step: number } };
  step: { args: { phase: 'weights' | 'arch' }; result: StepMetrics };
  stop: { args: Record<string, never>; result: { status: TrainingStatus; step: number } };
  derive: { args: { mode: 'argmax' | 'sample' }; result: DerivedResult };
  thetaReadout: { args: Record<string, never>; result: { step: number; theta: number[][] } };
  /** Results area: a plain network from the supernet (argmax θ, a sample, or choices by hand), weights inherited. */
  resultsDerive: { args: { mode: DeriveMode; choices?: number[] }; result: ResultsArchSummary };
  /** Finetune the derived network (or retrain it / the PFLD baseline from scratch); streams finetune-progress. */
  resultsFinetune: {
    args: { steps: number; lr: number; fromScratch: boolean; target?: FinetuneTarget };
    result: FinetuneSummary;
  };
  resultsCancel: { args: Record<string, never>; result: { cancelled: boolean } };
  /** NME, latency, size of the derived network next to the PFLD baseline and the supernet's estimate. */
  resultsEvaluate: { args: Record<string, never>; result: ResultsEvaluation };
  /** ONNX bytes (arch JSON and experiment URL in the metadata) and the tfjs vs onnxruntime-web parity. */
  resultsExport: { args: { experimentUrl?: string }; result: ResultsExport };
  /** Measure a latency table of a space on the active backend (streams latency-progress) and store it. */
  profileLatency: { args: ProfileLatencyArgs; result: LatencyTableSummary };
  /** Cancels a running latency measurement or check. */
  cancelProfile: { args: Record<string, never>; result: { cancelled: boolean } };
  listLatencyTables: { args: Record<string, never>; result: LatencyTableSummary[] };
  getLatencyTable: { args: { key: string }; result: LatencyTable };
  deleteLatencyTable: { args: { key: string }; result: { deleted: string } };
  exportLatencyTable: { args: { key: string }; result: { key: string; json: string } };
  /** A table JSON, or PaddleSlim text mapped onto the space (the report lists ops it could not map). */
  importLatencyTable: { args: LatencyImportArgs; result: LatencyImportReport };
  /** Predicted (table) vs measured (end-to-end) latency of random subnets, and their rank correlation. */
  checkLatency: {
    args: { key: string; samples: number; warmup: number; repeats: number; seed?: number };
    result: LatencyCheckResult;
  };
  /** The experiment as a PyTorch project zip: from the Results area (derived network as finetuned) or Search. */
  exportPytorch: { args: { from: 'results' | 'search'; experimentUrl?: string }; result: PytorchExport };
  /** The experiment searched once per β (shared warm-up), each argmax net finetuned and evaluated; streams sweep-progress and sweep-point. */
  sweepRun: { args: SweepArgs; result: SweepResult };
  /** The search's argmax net derived and finetuned briefly, next to the supernet's estimate; streams estimate-progress. */
  estimateCheck: { args: { finetuneSteps?: number }; result: StandaloneCheck };
  /** Cancels a running sweep or estimate check. */
  sweepCancel: { args: Record<string, never>; result: { cancelled: boolean } };
  /** The searched net and random ones of its space trained from scratch (streams baseline-progress, baseline-state). */
  baselineStart: {
    args: BaselineStartArgs;
    result: { outcome: 'finished' | 'aborted'; state: BaselineCheckState };
  };
  /** Stops the random-baseline check; the unit in training is dropped, finished ones stay stored. */
  baselineStop: { args: Record<string, never>; result: { stopped: boolean } };
  /** Sample-based strategies side by side on the trained supernet (streams strategies-progress). */
  strategiesStart: { args: StrategiesStartArgs; result: StrategiesOutcome };
  /** One-shot vs standalone NME of random candidates and their Kendall τ (streams weight-sharing-progress). */
  strategiesWeightSharing: { args: WeightSharingArgs; result: WeightSharingReport };
  strategiesStop: { args: Record<string, never>; result: { stopped: boolean } };
  /** FBNetV3 joint architecture-recipe search, candidates trained standalone (streams v3-progress). */
  v3Start: { args: V3StartArgs; result: V3Outcome };
  /** Pauses the joint search after dropping the candidate in flight; its state stays resumable. */
  v3Pause: { args: Record<string, never>; result: { paused: boolean } };
  /** The pre-training ablation of a joint search's predictor rounds (streams v3-ablation-progress). */
  v3Ablation: { args: { state: JointSearchState }; result: PretrainAblationRow[] };
  /** A trained candidate to ONNX through the shared exporter, checked against onnxruntime-web. */
  v3Export: { args: V3ExportArgs; result: ResultsExport };
  /** The fine stage for new MACs budgets: the predictor's genetic search per budget, no training. */
  v3Budgets: { args: V3BudgetsArgs; result: FineResult[] };
  /** Learn area: latency table of a small space edit on this device, returned and NOT stored (streams lesson-progress). */
  lessonLatency: { args: LessonLatencyArgs; result: LatencyTable };
  /** Learn area: a lesson-sized weight-sharing check on its own SPOS supernet (streams lesson-progress). */
  lessonWeightSharing: { args: LessonWeightSharingArgs; result: WeightSharingReport };
  lessonStop: { args: Record<string, never>; result: { stopped: boolean } };
  /** Learn area: FBNetV2 masking vs naive copies, one step timed per k on this backend (streams lesson-progress). */
  lessonMaskTiming: { args: LessonMaskTimingArgs; result: LessonMaskTimingResult };
  /**
   * Test hook (only with `?testHooks=1`): a storage fault in the worker's run store from the `at`-th write
   * on to a key matching `keyPattern` (a RegExp source; default any): 'quota' (disk full until 'clear'),
   * 'stall' (that write waits forever: reload the page to cut it), 'crash' (that write and all later fail).
   */
  injectStorageFault: {
    args: { kind: 'quota' | 'stall' | 'crash' | 'clear'; at?: number; keyPattern?: string };
    result: { armed: boolean };
  };
}

export type Method = keyof WorkerApi;
export type ArgsOf<M extends Method> = WorkerApi[M]['args'];
export type ResultOf<M extends Method> = WorkerApi[M]['result'];

export type RequestMessage = {
  [M in Method]: { kind: 'request'; id: number; method: M; args: ArgsOf<M> };
}[Method];

export interface WorkerErrorInfo {
  message: string;
  /** Machine-readable cause, e.g. 'device-lost', 'nan-loss', 'bad-request'. */
  code: string;
}

export type ResponseMessage =
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: WorkerErrorInfo };

export type WorkerEvent =
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'device-lost'; message: string }
  | { type: 'metrics'; items: StepMetrics[] }
  | { type: 'evaluation'; step: number; valNme: number | null }
  | { type: 'checkpoint'; runId: string; info: CheckpointInfo }
  | { type: 'progress'; label: string; done: number; total: number }
  | { type: 'latency-progress'; label: string; done: number; total: number }
  | {
      type: 'strategies-progress';
      done: number;
      total: number;
      /** Estimated time left (ms) from the pace of this session's evaluations. */
      etaMs: number;
      summary: SideBySideSummary;
      /** Resumable state of every run: the checkpoint. */
      state: SideBySideState;
    }
  | {
      type: 'lesson-progress';
      what: 'latency' | 'weight-sharing' | 'mask-timing';
      label: string;
      done: number;
      total: number;
    }
  | { type: 'weight-sharing-progress'; done: number; total: number; row: WeightSharingRow }
  | {
      type: 'finetune-progress';
      target: FinetuneTarget;
      step: number;
      total: number;
      loss: number;
      lr: number;
    }
  | StatusEvent
  | ({ type: 'sweep-progress' } & SweepProgress)
  | { type: 'sweep-point'; point: SweepPoint }
  | { type: 'estimate-progress'; step: number; total: number }
  | ({ type: 'baseline-progress' } & BaselineProgress)
  | {
      /** The check after planning and after every finished unit, once written to the runs library. */
      type: 'baseline-state';
      runId: string;
      state: BaselineCheckState;
      /** Why it could not be stored (the check goes on; a reload would lose the units since). */
      storageError?: string;
    }
  | {
      type: 'v3-progress';
      phase: JointPhase;
      /** What just happened (a candidate trained, the early-stop choice, a round, the fine stage). */
      event: 'trained' | 'early-stop' | 'round' | 'fine' | 'done';
      trained: number;
      total: number;
      /** Estimated time left (ms) from this session's pace per trained candidate; null before one. */
      etaMs: number | null;
      /** The resumable search: the checkpoint. */
      state: JointSearchState;
    }
  | { type: 'v3-ablation-progress'; done: number; total: number }
  | {
      /** A verification training's final weights (sent just before the progress event that records it). */
      type: 'v3-weights';
      /** candidateKey of the trained candidate. */
      key: string;
      budget: number | null;
      weights: WeightMap;
    };

export type EventMessage = { kind: 'event'; event: WorkerEvent };
export type FromWorker = ResponseMessage | EventMessage;

const METHODS: readonly Method[] = [
  'loseDevice',
  'init',
  'smokeStep',
  'estimateRun',
  'ping',
  'configure',
  'start',
  'pause',
  'step',
  'stop',
  'derive',
  'thetaReadout',
  'resultsDerive',
  'resultsFinetune',
  'resultsCancel',
  'resultsEvaluate',
  'resultsExport',
  'profileLatency',
  'cancelProfile',
  'listLatencyTables',
  'getLatencyTable',
  'deleteLatencyTable',
  'exportLatencyTable',
  'importLatencyTable',
  'checkLatency',
  'exportPytorch',
  'sweepRun',
  'estimateCheck',
  'sweepCancel',
  'strategiesStart',
  'strategiesStop',
  'strategiesWeightSharing',
  'injectStorageFault',
  'v3Start',
  'v3Pause',
  'lessonLatency',
  'lessonWeightSharing',
  'lessonStop',
  'v3Ablation',
  'v3Export',
  'lessonMaskTiming',
  'v3Budgets',
  'baselineStart',
  'baselineStop',
];

export function isMethod(value: unknown): value is Method {
  return typeof value === 'string' && (METHODS as readonly string[]).includes(value);
}

/** Validates an incoming request (structured clone gives no type guarantees). */
export function parseRequest(data: unknown): RequestMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const m = data as Record<string, unknown>;
  if (m.kind !== 'request' || typeof m.id !== 'number' || !isMethod(m.method)) return null;
  if (typeof m.args !== 'object' || m.args === null) return null;
  return m as unknown as RequestMessage;
}

export function parseFromWorker(data: unknown): FromWorker | null {
  if (typeof data !== 'object' || data === null) return null;
  const m = data as Record<string, unknown>;
  if (m.kind === 'response' && typeof m.id === 'number' && typeof m.ok === 'boolean')
    return m as unknown as FromWorker;
  if (m.kind === 'event' && typeof m.event === 'object' && m.event !== null)
    return m as unknown as FromWorker;
  return null;
}

export class WorkerRequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'WorkerRequestError';
  }
}

export type Handlers = { [M in Method]: (args: ArgsOf<M>) => Promise<ResultOf<M>> | ResultOf<M> };

/**
 * Worker side: turns a raw message into a handler call and a response. Errors become `ok: false`
 * responses with a code, never an uncaught exception in the worker.
 */
export async function dispatch(
  handlers: Handlers,
  data: unknown,
  post: (message: FromWorker) => void,
): Promise<void> {
  const request = parseRequest(data);
  if (!request) {
    const id = typeof (data as { id?: unknown })?.id === 'number' ? (data as { id: number }).id : -1;
    post({ kind: 'response', id, ok: false, error: { message: 'Malformed request', code: 'bad-request' } });
    return;
  }
  try {
    const handler = handlers[request.method] as (args: unknown) => unknown;
    const result = await handler(request.args);
    post({ kind: 'response', id: request.id, ok: true, result });
  } catch (err) {
    const code = err instanceof WorkerRequestError ? err.code : 'failed';
    const message = err instanceof Error ? err.message : String(err);
    post({ kind: 'response', id: request.id, ok: false, error: { message, code } });
  }
}

/** Minimal port interface so the client can be tested without a real Worker. */
export interface MessagePortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (ev: { data: unknown }) => void): void;
}

/** UI side: typed calls with promise results, plus an event subscription. */
export class WorkerClient {
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private listeners = new Set<(event: WorkerEvent) => void>();

  constructor(private port: MessagePortLike) {
    port.addEventListener('message', (ev) => this.receive(ev.data));
  }

  call<M extends Method>(method: M, args: ArgsOf<M>): Promise<ResultOf<M>> {
    const id = this.nextId++;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ kind: 'request', id, method, args } as RequestMessage);
    });
  }

  onEvent(listener: (event: WorkerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Rejects every pending call, e.g. when the worker crashed. */
  failAll(message: string, code = 'worker-crashed'): void {
    for (const p of this.pending.values()) p.reject(new WorkerRequestError(message, code));
    this.pending.clear();
  }

  private receive(data: unknown): void {
    const msg = parseFromWorker(data);
    if (!msg) return;
    if (msg.kind === 'event') {
      for (const l of this.listeners) l(msg.event);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new WorkerRequestError(msg.error.message, msg.error.code));
  }
}
