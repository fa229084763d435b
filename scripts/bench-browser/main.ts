/**
 * The page of `npm run bench:browser` (scripts/bench-browser.ts builds and drives it): times the classroom
 * training steps on one tfjs backend, given in the query string with the size
 * (?backend=webgpu&batch=8&input=32&warmup=1&rounds=3&steps=subnet,soft), and puts the result on
 * window.benchResult. Steps run on the page's main thread: the kernels are the ones the app's worker runs.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import {
  CLASSROOM_STEPS,
  registerFastCpuKernels,
  timeSteps,
  type ClassroomStepKind,
} from '../../src/nas/index.ts';
import type { BrowserBenchResult } from './result.ts';

declare global {
  interface Window {
    benchResult?: BrowserBenchResult;
  }
}

/** What renders behind the backend (e.g. SwiftShader), so a software GPU is visible in the report. */
async function deviceOf(backend: string): Promise<string> {
  try {
    if (backend === 'webgpu') {
      const adapter = await navigator.gpu?.requestAdapter();
      const info = adapter?.info;
      return info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') : '?';
    }
    if (backend === 'webgl') {
      const gl = document.createElement('canvas').getContext('webgl2');
      const ext = gl?.getExtension('WEBGL_debug_renderer_info');
      return gl && ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : '?';
    }
  } catch {
    return '?';
  }
  return 'JS (fast cpu kernels)';
}

async function run(q: URLSearchParams): Promise<BrowserBenchResult> {
  const backend = q.get('backend') ?? 'cpu';
  const num = (k: string, d: number) => Number(q.get(k) ?? d);
  const batch = num('batch', 8);
  const inputSize = num('input', 32);
  const kinds = (q.get('steps') ?? Object.keys(CLASSROOM_STEPS).join(',')).split(',') as ClassroomStepKind[];
  const result: BrowserBenchResult = { backend, device: '', steps: [] };
  try {
    if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} is not available here`);
    await tf.ready();
    if (backend === 'cpu') registerFastCpuKernels();
    result.device = await deviceOf(backend);
    for (const kind of kinds) {
      const make = CLASSROOM_STEPS[kind];
      if (!make) throw new Error(`unknown step "${kind}"`);
      const before = tf.memory().numTensors;
      const step = make({ batch, inputSize, seed: 1 });
      try {
        const t = await timeSteps(step, { warmup: num('warmup', 1), rounds: num('rounds', 3) });
        result.steps.push({ kind, label: step.label, ...t });
      } finally {
        step.dispose();
      }
      if (tf.memory().numTensors !== before)
        throw new Error(`${kind}: ${tf.memory().numTensors - before} tensors left after dispose`);
    }
  } catch (e) {
    result.error = e instanceof Error ? e.message : String(e);
  }
  return result;
}

run(new URLSearchParams(location.search)).then((r) => {
  window.benchResult = r;
  document.getElementById('status')!.textContent = JSON.stringify(r);
});
