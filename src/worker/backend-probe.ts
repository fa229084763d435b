/**
 * Auto mode's measurement (issue 14): which GPU is behind each backend, whether it is a software rasteriser,
 * and the timed proxy step on every available backend, cached per device in IndexedDB so a reload does not
 * measure again. The ranking itself is engine logic (rankBackends in src/nas).
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_EXPERIMENT, experimentStep, rankBackends, type BackendId } from '../nas/index.ts';
import { idbKV } from '../storage/kv.ts';
import type { AdapterDescription, BackendProbe, BackendTiming } from './protocol.ts';

/** Renderer names of software rasterisers (Chromium's SwiftShader, Mesa's llvmpipe/softpipe, Windows' WARP). */
const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render|warp/i;

export function isSoftwareRenderer(name: string): boolean {
  return SOFTWARE.test(name);
}

/** A small proxy of the experiment: on a software GPU the full supernet step takes tens of seconds. */
const PROXY = { kind: 'subnet', inputSize: 32, batchSize: 4 } as const;
export const PROBE_WORKLOAD = `a derived subnet of the default experiment, ${PROXY.inputSize} px, batch ${PROXY.batchSize} (proxy)`;
const BUDGET_MS = 10_000;
const CACHE_VERSION = 1;

export async function webgpuAdapter(): Promise<AdapterDescription | null> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter();
  if (!adapter) return null;
  const info = adapter.info;
  const d = {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
  };
  const fallback = (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return { ...d, software: fallback || isSoftwareRenderer(Object.values(d).join(' ')) };
}

export function adapterLabel(a: AdapterDescription): string {
  return [a.vendor, a.architecture, a.device].filter(Boolean).join(' ') || a.description;
}

/** The WebGL renderer string (the GPU's own name where WEBGL_debug_renderer_info exposes it). */
function webglRenderer(): string {
  try {
    const gl =
      new OffscreenCanvas(1, 1).getContext('webgl2') ?? new OffscreenCanvas(1, 1).getContext('webgl');
    if (!gl) return '';
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  } catch {
    return '';
  }
}

async function deviceOf(backend: BackendId): Promise<string> {
  if (backend === 'webgpu') {
    const a = await webgpuAdapter();
    return a ? `${adapterLabel(a)}${a.description ? ` (${a.description})` : ''}` : '';
  }
  return backend === 'webgl' ? webglRenderer() : '';
}

const cache = idbKV('nas-playground-backend-probe', 'probes');

/** Times the proxy step on each backend (or reads this device's cached result); fastest first. */
export async function probeBackends(backends: BackendId[], remeasure: boolean): Promise<BackendProbe> {
  const devices = await Promise.all(backends.map(deviceOf));
  const key = `v${CACHE_VERSION}|${PROBE_WORKLOAD}|${backends.map((b, i) => `${b}:${devices[i]}`).join('|')}`;
  if (!remeasure) {
    const hit = await cache.get<BackendProbe>(key).catch(() => undefined);
    if (hit) return { ...hit, cached: true };
  }
  const ranked = await rankBackends(backends, {
    activate: async (b) => {
      if (!(await tf.setBackend(b))) throw new Error(`${b} did not initialise`);
      await tf.ready();
    },
    build: () => experimentStep(DEFAULT_EXPERIMENT, PROXY),
    rounds: 2,
    budgetMs: BUDGET_MS,
  });
  const timings: BackendTiming[] = ranked.map((m) => {
    const device = devices[backends.indexOf(m.backend)];
    return { ...m, device, software: isSoftwareRenderer(device) };
  });
  const probe: BackendProbe = { workload: PROBE_WORKLOAD, timings, cached: false, measuredAt: Date.now() };
  await cache.set(key, probe).catch(() => undefined); // not cached (storage blocked): measured again next time
  return probe;
}
