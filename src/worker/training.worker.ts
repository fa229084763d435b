/// <reference lib="webworker" />
/**
 * The training worker: owns tfjs and every tensor. The UI thread only sends requests (protocol.ts) and
 * renders the events this worker posts.
 */
import * as tf from '@tensorflow/tfjs';
import { dispatch, type FromWorker, type Handlers, WorkerRequestError } from './protocol.ts';
import { selectBackend } from './backend.ts';
import { runSmokeStep } from '../nas/train/smoke-step.ts';
import type { BackendId } from '../nas/experiment.ts';
import { SearchSession } from './search-session.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: FromWorker) => scope.postMessage(message);

let activeBackend: BackendId | null = null;
const session = new SearchSession((event) => post({ kind: 'event', event }));

function requireBackend(): BackendId {
  if (!activeBackend) throw new WorkerRequestError('The worker has not chosen a backend yet; call init first.', 'not-ready');
  return activeBackend;
}

const handlers: Handlers = {
  async init({ backend }) {
    const info = await selectBackend(backend);
    activeBackend = info.backend;
    return info;
  },
  async smokeStep({ size, batch, seed }) {
    const backend = requireBackend();
    const outcome = await runSmokeStep({ size, batch, seed });
    return { backend, ...outcome };
  },
  ping() {
    return { backend: activeBackend, numTensors: tf.memory().numTensors };
  },
  configure({ config, resumeRunId }) {
    requireBackend();
    return session.configure(config, resumeRunId);
  },
  start: () => session.start(),
  pause: () => session.pause(),
  step: ({ phase }) => session.step(phase),
  stop: () => session.stop(),
  derive: ({ mode }) => session.derive(mode),
  thetaReadout: () => session.thetaReadout(),
};

scope.addEventListener('message', (ev: MessageEvent) => {
  void dispatch(handlers, ev.data, post);
});
