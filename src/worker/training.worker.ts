/// <reference lib="webworker" />
/**
 * The training worker: owns tfjs and every tensor. The UI thread only sends requests (protocol.ts) and
 * renders the events this worker posts.
 */
import * as tf from '@tensorflow/tfjs';
import { dispatch, type FromWorker, type Handlers, WorkerRequestError } from './protocol.ts';
import { selectBackend } from './backend.ts';
import { measureRunEstimate, runSmokeStep, type BackendId } from '../nas/index.ts';
import { adapterLabel } from './backend-probe.ts';
import { SearchSession } from './search-session.ts';
import { ResultsSession } from './results-session.ts';
import { LatencySession } from './latency-session.ts';
import { SweepSession } from './sweep-session.ts';
import { StrategiesSession } from './strategies-session.ts';
import { V3Session } from './v3-session.ts';
import { LessonSession } from './lesson-session.ts';
import { BaselineSession } from './baseline-session.ts';
import { BaselineCheckStore } from '../storage/baseline-checks.ts';
import { RunStore } from '../storage/runs.ts';
import { idbKV } from '../storage/kv.ts';
import { FaultyKV } from '../storage/faulty-kv.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: FromWorker) => scope.postMessage(message);

let activeBackend: BackendId | null = null;
/** The adapter in words, stored with measured latency tables ('' off WebGPU). */
let activeAdapter = '';
/** Bumped by Start and by a newer estimate: an estimate still timing steps stops at its next step. */
let estimateGeneration = 0;
const latency = new LatencySession((event) => post({ kind: 'event', event }));
/** The run store, through a pass-through that test hooks can make fail (injectStorageFault). */
const runsKV = new FaultyKV(idbKV('nas-playground', 'runs'));
const session = new SearchSession((event) => post({ kind: 'event', event }), runsKV);
const results = new ResultsSession(
  (event) => post({ kind: 'event', event }),
  () => session.activeTrainer,
);
const strategies = new StrategiesSession(
  (event) => post({ kind: 'event', event }),
  () => session.activeTrainer,
);
const v3 = new V3Session((event) => post({ kind: 'event', event }));
const lesson = new LessonSession((event) => post({ kind: 'event', event }));

/** Writes the check into the runs library's store (the one RunRecorder keeps records in), next to its run. */
const libraryKV = idbKV('nas-playground-library', 'runs');
const libraryRuns = new RunStore(libraryKV);
const baseline = new BaselineSession(
  (event) => post({ kind: 'event', event }),
  () => session.activeTrainer,
  new BaselineCheckStore(libraryKV, async (id) => !!(await libraryRuns.get(id))),
);

const sweep = new SweepSession(
  (event) => post({ kind: 'event', event }),
  () => session.activeTrainer,
);

/** The GPUDevice under tfjs's WebGPU backend, or null on other backends. */
function webgpuDevice(): GPUDevice | null {
  if (activeBackend !== 'webgpu') return null;
  return (tf.backend() as unknown as { device?: GPUDevice }).device ?? null;
}

/**
 * A lost device (driver reset, GPU removed, tab backgrounded on some systems) makes every later op fail.
 * Say so once, clearly; the search loop stops on its next failing op and its last checkpoint stays.
 */
function watchDeviceLoss(): void {
  const device = webgpuDevice();
  void device?.lost.then((info) => {
    post({
      kind: 'event',
      event: {
        type: 'device-lost',
        message: `The GPU device was lost (${info.message || info.reason || 'no reason given'}).`,
      },
    });
  });
}

function requireBackend(): BackendId {
  if (!activeBackend)
    throw new WorkerRequestError('The worker has not chosen a backend yet; call init first.', 'not-ready');
  return activeBackend;
}

const handlers: Handlers = {
  async init({ backend, remeasure }) {
    const info = await selectBackend(backend, remeasure);
    activeBackend = info.backend;
    activeAdapter = info.adapter ? adapterLabel(info.adapter) : '';
    watchDeviceLoss();
    return info;
  },
  loseDevice() {
    const device = webgpuDevice();
    device?.destroy();
    return { lost: !!device };
  },
  async smokeStep({ size, batch, seed }) {
    const backend = requireBackend();
    const outcome = await runSmokeStep({ size, batch, seed });
    return { backend, ...outcome };
  },
  ping() {
    return { backend: activeBackend, numTensors: tf.memory().numTensors };
  },
  configure({ config, resumeRunId, checkpointEvery }) {
    requireBackend();
    return session.configure(config, resumeRunId, checkpointEvery);
  },
  estimateRun({ config }) {
    requireBackend();
    const generation = ++estimateGeneration;
    return measureRunEstimate(config, { cancelled: () => generation !== estimateGeneration });
  },
  start: () => {
    estimateGeneration++;
    return session.start();
  },
  pause: () => session.pause(),
  step: ({ phase }) => session.step(phase),
  stop: () => session.stop(),
  derive: ({ mode }) => session.derive(mode),
  thetaReadout: () => session.thetaReadout(),
  resultsDerive: (args) => results.derive(args),
  resultsFinetune: (args) => results.finetune(args),
  resultsCancel: () => results.cancel(),
  resultsEvaluate: () => results.evaluate(),
  resultsExport: (args) => results.export(args),
  exportPytorch: (args) =>
    args.from === 'search' ? session.exportPytorch(args.experimentUrl) : results.exportPytorch(args),
  profileLatency: (args) => {
    requireBackend();
    return latency.profile(args, activeAdapter);
  },
  cancelProfile: () => latency.cancel(),
  listLatencyTables: () => latency.list(),
  getLatencyTable: ({ key }) => latency.get(key),
  deleteLatencyTable: ({ key }) => latency.remove(key),
  exportLatencyTable: ({ key }) => latency.exportJson(key),
  importLatencyTable: (args) => latency.import(args),
  checkLatency: (args) => {
    requireBackend();
    return latency.check(args);
  },
  sweepRun: (args) => {
    requireBackend();
    return sweep.run(args);
  },
  estimateCheck: (args) => sweep.checkEstimate(args),
  sweepCancel: () => sweep.cancel(),
  baselineStart: (args) => {
    requireBackend();
    return baseline.start(args);
  },
  baselineStop: () => baseline.stop(),
  strategiesStart: (args) => strategies.start(args),
  strategiesStop: () => strategies.stop(),
  strategiesWeightSharing: (args) => strategies.weightSharing(args),
  v3Start: (args) => {
    requireBackend();
    return v3.start(args);
  },
  v3Pause: () => v3.pause(),
  lessonLatency: (args) => {
    requireBackend();
    return lesson.latency(args, activeAdapter);
  },
  lessonWeightSharing: (args) => {
    requireBackend();
    return lesson.weightSharing(args);
  },
  lessonStop: () => lesson.stop(),
  lessonMaskTiming: (args) => {
    requireBackend();
    return lesson.maskTiming(args);
  },
  v3Ablation: (args) => v3.ablation(args.state),
  v3Export: (args) => {
    requireBackend();
    return v3.export(args);
  },
  v3Budgets: (args) => {
    requireBackend();
    return v3.budgets(args);
  },
  injectStorageFault({ kind, at = 1, keyPattern }) {
    if (kind === 'clear') {
      runsKV.clear();
      return { armed: false };
    }
    const re = keyPattern ? new RegExp(keyPattern) : null;
    runsKV.arm({ kind, at, match: re ? (key) => re.test(key) : undefined });
    return { armed: true };
  },
};

scope.addEventListener('message', (ev: MessageEvent) => {
  void dispatch(handlers, ev.data, post);
});
