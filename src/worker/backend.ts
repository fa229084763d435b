/**
 * Backend selection inside the worker: WebGPU first, then WebGL, then CPU, unless the user picked one.
 * Each failed attempt is remembered with its reason so the UI can say why it fell back.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { registerFastCpuKernels, type BackendId } from '../nas/index.ts';
import type { AdapterDescription, BackendChoice, BackendInfo } from './protocol.ts';

const ORDER: BackendId[] = ['webgpu', 'webgl', 'cpu'];

// the engine's typed-array kernels for tfjs's cpu backend (src/nas/kernels): the CPU fallback is usable
registerFastCpuKernels();

async function webgpuAdapter(): Promise<AdapterDescription | null> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter();
  if (!adapter) return null;
  const info = adapter.info;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
  };
}

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

export async function selectBackend(requested: BackendChoice): Promise<BackendInfo> {
  const order = requested === 'auto' ? ORDER : [requested, ...ORDER.filter((b) => b !== requested)];
  const fallbackReasons: string[] = [];
  for (const backend of order) {
    const reason = await whyUnavailable(backend);
    if (reason) {
      fallbackReasons.push(`${backend}: ${reason}`);
      continue;
    }
    try {
      const ok = await tf.setBackend(backend);
      if (!ok) throw new Error('initialisation returned false');
      await tf.ready();
      // A tiny op proves the backend really runs (some WebGL contexts initialise but fail on first use).
      const probe = tf.add(tf.scalar(1), tf.scalar(2));
      const value = (await probe.data())[0];
      tf.dispose(probe);
      if (value !== 3) throw new Error(`self-check computed ${value} instead of 3`);
      const adapter = backend === 'webgpu' ? await webgpuAdapter() : null;
      return { backend, requested, adapter, fallbackReasons };
    } catch (err) {
      fallbackReasons.push(`${backend}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  throw new Error(`No tfjs backend could start: ${fallbackReasons.join('; ')}`);
}
