/**
 * End-to-end latency of a plain model on this device and backend: batch 1, inference mode. Warm-up runs
 * first (shader compilation, texture allocation); each timed run starts the clock, predicts and stops it
 * only once `await output.data()` resolves, because on WebGL/WebGPU `predict` returns as soon as the work
 * is queued. The median is reported: browser timings have a heavy right tail (GC, other tabs).
 */
import * as tf from '@tensorflow/tfjs';
import type { NasModel } from '../model/model.ts';
import { median } from '../latency/stats.ts';

export interface LatencyOptions {
  /** Untimed runs before the timed ones; default 3. */
  warmup?: number;
  /** Seed of the random input (the timing does not depend on it). */
  seed?: number;
  /** Clock in ms; default performance.now(). */
  now?: () => number;
  signal?: AbortSignal;
}

export interface LatencyResult {
  medianMs: number;
  samples: number[];
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export async function measureLatency(
  model: NasModel,
  inputSize: number,
  repeats: number,
  options: LatencyOptions = {},
): Promise<LatencyResult> {
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`repeats must be ≥ 1, got ${repeats}`);
  const warmup = options.warmup ?? 3;
  const now = options.now ?? (() => performance.now());
  const x = tf.randomUniform(
    [1, inputSize, inputSize, model.arch.input.channels],
    0,
    1,
    'float32',
    options.seed ?? 1,
  );
  const samples: number[] = [];
  try {
    for (let r = 0; r < warmup + repeats; r++) {
      if (options.signal?.aborted) throw new DOMException('Latency measurement cancelled', 'AbortError');
      const t0 = r >= warmup ? now() : 0;
      const y = model.predict(x as tf.Tensor4D);
      await y.data();
      if (r >= warmup) samples.push(now() - t0);
      y.dispose();
      await tick(); // keep the worker answering messages between runs
    }
  } finally {
    x.dispose();
  }
  return { medianMs: median(samples), samples };
}
