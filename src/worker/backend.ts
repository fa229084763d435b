/**
 * Backend selection inside the worker. Auto mode starts every backend that can run, times a training step
 * on each (backend-probe.ts, cached per device) and keeps the fastest: a software-rendered GPU does not win
 * over a faster CPU path. A forced backend is tried first, then WebGPU → WebGL → CPU. Each failed attempt
 * is remembered with its reason so the UI can say why it fell back.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { registerFastCpuKernels, type BackendId } from '../nas/index.ts';
import type { BackendChoice, BackendInfo } from './protocol.ts';
import { probeBackends, webgpuAdapter } from './backend-probe.ts';

const ORDER: BackendId[] = ['webgpu', 'webgl', 'cpu'];

// the engine's typed-array kernels for tfjs's cpu backend (src/nas/kernels): the CPU fallback is usable
registerFastCpuKernels();

async function whyUnavailable(backend: BackendId): Promise<string | null> {
  if (backend === 'webgpu') {
    if (!(globalThis.navigator as Navigator | undefined)?.gpu)
      return 'WebGPU is not available in this browser (navigator.gpu is missing).';
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return 'WebGPU is present but no GPU adapter was found.';
  }
  if (backend === 'webgl' && typeof OffscreenCanvas === 'undefined')
    return 'WebGL in a worker needs OffscreenCanvas, which this browser lacks.';
  return null;
}

/** Starts `backend` and proves it runs; throws with the reason when it does not. */
async function startBackend(backend: BackendId): Promise<void> {
  const ok = await tf.setBackend(backend);
  if (!ok) throw new Error('initialisation returned false');
  await tf.ready();
  // A tiny op proves the backend really runs (some WebGL contexts initialise but fail on first use).
  const probe = tf.add(tf.scalar(1), tf.scalar(2));
  const value = (await probe.data())[0];
  tf.dispose(probe);
  if (value !== 3) throw new Error(`self-check computed ${value} instead of 3`);
}

/** The backends of `order` that start, in order, and why the others did not. */
async function startable(order: BackendId[], all: boolean): Promise<{ ok: BackendId[]; reasons: string[] }> {
  const ok: BackendId[] = [];
  const reasons: string[] = [];
  for (const backend of order) {
    const reason = await whyUnavailable(backend);
    if (reason) {
      reasons.push(`${backend}: ${reason}`);
      continue;
    }
    try {
      await startBackend(backend);
      ok.push(backend);
      if (!all) break;
    } catch (err) {
      reasons.push(`${backend}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { ok, reasons };
}

function tryRemoveBackend(backend: BackendId): void {
  try {
    if (tf.getBackend() !== backend) tf.removeBackend(backend);
  } catch {
    // still registered: harmless, only memory
  }
}

export async function selectBackend(requested: BackendChoice, remeasure = false): Promise<BackendInfo> {
  const auto = requested === 'auto';
  const order = auto ? ORDER : [requested, ...ORDER.filter((b) => b !== requested)];
  const { ok, reasons } = await startable(order, auto);
  if (!ok.length) throw new Error(`No tfjs backend could start: ${reasons.join('; ')}`);
  let backend = ok[0];
  let probe = null;
  if (auto && ok.length > 1) {
    probe = await probeBackends(ok, remeasure);
    backend = probe.timings.find((t) => t.msPerStep !== null)?.backend ?? backend;
  }
  await startBackend(backend);
  // the others would keep a GPU device or context alive; another choice restarts the worker anyway
  if (probe) for (const other of ok) if (other !== backend) tryRemoveBackend(other);
  const adapter = backend === 'webgpu' ? await webgpuAdapter() : null;
  return { backend, requested, adapter, fallbackReasons: reasons, probe };
}
