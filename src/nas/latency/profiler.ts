/**
 * Measures a latency lookup table on the active tfjs backend, in the user's own browser: every candidate
 * block of every searchable layer at that layer's input shape, and the fixed part (fixed blocks + head).
 *
 * Method. Each timed run starts the clock, runs the forward pass in inference mode and stops the clock only
 * after `await output.data()` resolves: on WebGL/WebGPU the call returns as soon as work is queued, and
 * reading the result back is what waits for the GPU. Warm-up runs come first (shader compilation, texture
 * allocation, JIT). The candidates of a layer are measured interleaved, one run of each per round, so that
 * slow drift (GPU clocks ramping, thermal throttling, another tab) spreads over all of them instead of
 * biasing whichever came last. Between runs the profiler yields to the event loop so the worker keeps
 * answering messages, and checks the AbortSignal. The table keeps the median (robust to GC pauses) and the
 * interquartile range of the repeats.
 *
 * Readback overhead. Every timed run pays one GPU→CPU readback plus the dispatch latency of getting work onto
 * the GPU and the result back, a few ms on WebGPU/WebGL whatever the block does. A network pays that once,
 * not once per layer, so summing raw per-layer times overstates it (by 3–4× on small nets). Each searchable
 * layer therefore also times a probe, interleaved with its candidates: one trivial op (add of a zero scalar)
 * on a tensor of the layer's output shape, read back the same way. The table stores
 * ms = max(0, median(candidate) − median(probe)), with the probe's median (overheadMs) and the raw medians
 * (rawMs) kept beside it. The fixed part dispatches the fixed blocks and the head back to back and reads back
 * only the head's output (the GPU queue runs in order, so that read waits for all of them): it holds exactly
 * the one readback the end-to-end network (measureArch) does, and fixed + Σ chosen ms models that.
 *
 * The clock is only read twice per timed run (start, stop), never during warm-up, so an injected `now`
 * makes the numbers exactly predictable in tests.
 */
import * as tf from '@tensorflow/tfjs';
import { candidateSpec } from '../arch/candidates.ts';
import { isSearchLayer } from '../arch/spec.ts';
import type { Arch, SearchSpace } from '../arch/spec.ts';
import { buildBlock, disposeParams } from '../blocks/build.ts';
import type { Module, ParamInfo } from '../blocks/module.ts';
import { blockCost } from '../cost/count.ts';
import type { Shape } from '../cost/count.ts';
import { buildHead } from '../model/head.ts';
import { createModel } from '../model/model.ts';
import { Rng } from '../rng.ts';
import { resolveSpace } from '../spaces/derive.ts';
import { summarize } from './stats.ts';
import type { TimingSummary } from './stats.ts';
import type { LatencyLayer, LatencyTable } from './table.ts';

export interface MeasureOptions {
  batch: number;
  /** Untimed runs before the timed ones. */
  warmup: number;
  /** Timed runs. */
  repeats: number;
  /** Weights and inputs are drawn from this seed (the numbers do not depend on it, the run is reproducible). */
  seed: number;
  signal?: AbortSignal;
  /** Clock in ms; default performance.now(). */
  now?: () => number;
}

export interface ProfileOptions extends MeasureOptions {
  inputSize: number;
  /** Called after every run (warm-up or timed): runs done, runs in total, what ran. */
  onProgress?: (done: number, total: number, label: string) => void;
  /** Device description stored in the table (the worker knows the adapter); default ''. */
  adapter?: string;
}

/** Thrown when the AbortSignal fires; `name` is 'AbortError' like a DOMException from fetch. */
export class LatencyAbortError extends Error {
  constructor(where: string) {
    super(`Latency measurement was cancelled (${where}); no table was saved.`);
    this.name = 'AbortError';
  }
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function checkOptions(o: MeasureOptions): void {
  if (!Number.isInteger(o.batch) || o.batch < 1)
    throw new Error(`batch must be a positive integer, got ${o.batch}`);
  if (!Number.isInteger(o.warmup) || o.warmup < 0)
    throw new Error(`warmup must be an integer ≥ 0, got ${o.warmup}`);
  if (!Number.isInteger(o.repeats) || o.repeats < 1) {
    throw new Error(`repeats must be a positive integer, got ${o.repeats}`);
  }
}

/**
 * One thing to time: produces its output tensors (the caller disposes them). Only the last one is read back:
 * the GPU runs work in submission order, so that read also waits for the others.
 */
interface Subject {
  label: string;
  run: () => tf.Tensor[];
}

class Timer {
  private done = 0;
  private readonly now: () => number;

  constructor(
    private readonly o: MeasureOptions,
    private readonly total: number,
    private readonly onProgress?: (done: number, total: number, label: string) => void,
  ) {
    this.now = o.now ?? (() => performance.now());
  }

  private checkAbort(label: string): void {
    if (this.o.signal?.aborted) throw new LatencyAbortError(`at ${label}`);
  }

  /** One run; returns its duration when timed. */
  private async once(s: Subject, timed: boolean): Promise<number> {
    this.checkAbort(s.label);
    let outs: tf.Tensor[] = [];
    let ms = 0;
    try {
      const t0 = timed ? this.now() : 0;
      outs = s.run();
      await outs.at(-1)?.data();
      if (timed) ms = this.now() - t0;
    } finally {
      tf.dispose(outs);
    }
    this.done += 1;
    this.onProgress?.(this.done, this.total, s.label);
    await tick();
    this.checkAbort(s.label);
    return ms;
  }

  /** Warm-up for each subject, then `repeats` rounds of one timed run per subject. */
  async measure(subjects: Subject[]): Promise<TimingSummary[]> {
    for (const s of subjects) for (let i = 0; i < this.o.warmup; i++) await this.once(s, false);
    const samples = subjects.map(() => [] as number[]);
    for (let r = 0; r < this.o.repeats; r++) {
      for (let i = 0; i < subjects.length; i++) samples[i].push(await this.once(subjects[i], true));
    }
    return samples.map(summarize);
  }
}

const randomInput = (batch: number, s: Shape, rng: Rng): tf.Tensor4D =>
  tf.randomUniform([batch, s.h, s.w, s.c], 0, 1, 'float32', rng.seed()) as tf.Tensor4D;

interface BodyShape {
  in: Shape;
  out: Shape;
}

/** Input/output shape of every body entry (searchable layers by their first candidate; all agree). */
function bodyShapes(space: SearchSpace, inputSize: number): BodyShape[] {
  let x: Shape = { h: inputSize, w: inputSize, c: space.input.channels };
  return space.body.map((b) => {
    const spec = isSearchLayer(b) ? candidateSpec(b.candidates[0], b.out, b.stride) : b;
    const out = blockCost(spec, x).out;
    const r = { in: x, out };
    x = out;
    return r;
  });
}

/**
 * Number of runs profileSpace makes (for progress bars): (candidates + searchable layers + 1) × (warmup +
 * repeats): every candidate, one readback probe per searchable layer, the fixed part.
 */
export function profileRuns(space: SearchSpace, warmup: number, repeats: number): number {
  const subjects = space.body.reduce((n, b) => n + (isSearchLayer(b) ? b.candidates.length + 1 : 0), 1);
  return subjects * (warmup + repeats);
}

/**
 * The latency table of `space` (candidate edits already applied) on the active backend. Tensors created
 * here are all disposed, also when aborted or on error.
 */
export async function profileSpace(spaceIn: SearchSpace, options: ProfileOptions): Promise<LatencyTable> {
  checkOptions(options);
  if (!Number.isInteger(options.inputSize) || options.inputSize < 1) {
    throw new Error(`inputSize must be a positive integer, got ${options.inputSize}`);
  }
  await tf.ready();
  const space = resolveSpace(spaceIn);
  const { batch, inputSize } = options;
  const shapes = bodyShapes(space, inputSize);
  const rng = new Rng(options.seed);
  const timer = new Timer(options, profileRuns(space, options.warmup, options.repeats), options.onProgress);
  const layers: LatencyLayer[] = [];

  for (let i = 0; i < space.body.length; i++) {
    const layer = space.body[i];
    if (!isSearchLayer(layer)) continue;
    const blocks: Module[] = [];
    const owned: tf.Tensor[] = [];
    try {
      for (const name of layer.candidates) {
        blocks.push(
          buildBlock(candidateSpec(name, layer.out, layer.stride), shapes[i].in.c, `body/${i}/${name}`, rng),
        );
      }
      const input = randomInput(batch, shapes[i].in, rng);
      owned.push(input);
      // readback probe: one cheap kernel writing a fresh tensor of the output shape (a clone would share
      // the input's storage, which WebGL may already hold on the CPU after a first read)
      const { h, w, c } = shapes[i].out;
      const probeIn = tf.zeros([batch, h, w, c]);
      const zero = tf.scalar(0);
      owned.push(probeIn, zero);
      const stats = await timer.measure([
        ...blocks.map((b, j) => ({
          label: `layer ${i}: ${layer.candidates[j]}`,
          run: () => [b.apply(input, false)],
        })),
        { label: `layer ${i}: readback probe`, run: () => [tf.add(probeIn, zero)] },
      ]);
      const overhead = stats[stats.length - 1].median;
      const cands = stats.slice(0, -1);
      layers.push({
        layer: i,
        candidates: [...layer.candidates],
        ms: cands.map((s) => Math.max(0, s.median - overhead)),
        spread: cands.map((s) => s.p75 - s.p25),
        overheadMs: overhead,
        rawMs: cands.map((s) => s.median),
      });
    } finally {
      tf.dispose(owned);
      for (const b of blocks) disposeParams(b.params());
    }
  }

  const fixed = await measureFixed(space, shapes, batch, rng, timer);
  return {
    version: 1,
    space: space.id,
    inputSize,
    batch,
    backend: tf.getBackend(),
    adapter: options.adapter ?? '',
    createdAt: Date.now(),
    layers,
    fixedMs: fixed.median,
    source: 'measured',
  };
}

/**
 * Every fixed block on an input of its shape, plus the head, timed together as one forward; only the head's
 * output is read back (it is dispatched last), so the number holds one readback, like the real network.
 */
async function measureFixed(
  space: SearchSpace,
  shapes: BodyShape[],
  batch: number,
  rng: Rng,
  timer: Timer,
): Promise<TimingSummary> {
  const owned: tf.Tensor[] = [];
  const modules: { params(): ParamInfo[] }[] = [];
  try {
    const steps: (() => tf.Tensor)[] = [];
    space.body.forEach((b, i) => {
      if (isSearchLayer(b)) return;
      const block = buildBlock(b, shapes[i].in.c, `body/${i}`, rng);
      modules.push(block);
      const x = randomInput(batch, shapes[i].in, rng);
      owned.push(x);
      steps.push(() => block.apply(x, false));
    });
    const head = space.head;
    const taps = head.kind === 'landmarks' ? (head.taps ?? []) : [];
    const last = shapes.at(-1)?.out ?? { h: 0, w: 0, c: space.input.channels };
    const headModule = buildHead(
      head,
      last.c,
      taps.map((t) => {
        const s = shapes[t];
        if (!s) throw new Error(`Space "${space.id}": head taps body index ${t}, which does not exist`);
        return s.out.c;
      }),
      'head',
      rng,
    );
    modules.push(headModule);
    const final = randomInput(batch, last, rng);
    const tapInputs = taps.map((t) => randomInput(batch, shapes[t].out, rng));
    owned.push(final, ...tapInputs);
    steps.push(() => headModule.apply(final, tapInputs, false));
    const [summary] = await timer.measure([
      { label: 'fixed blocks and head', run: () => steps.map((s) => s()) },
    ]);
    return summary;
  } finally {
    tf.dispose(owned);
    for (const m of modules) disposeParams(m.params());
  }
}

/**
 * End-to-end latency of a plain network: createModel, then `predict` on a random batch, timed until the
 * prediction is read back. For checking a table's predictions against the real thing (rank.ts).
 */
export async function measureArch(
  arch: Arch,
  options: MeasureOptions & { inputSize?: number },
): Promise<TimingSummary> {
  checkOptions(options);
  await tf.ready();
  const rng = new Rng(options.seed);
  const model = createModel(arch, { seed: rng.seed() });
  const size = options.inputSize ?? arch.input.size;
  const x = randomInput(options.batch, { h: size, w: size, c: arch.input.channels }, rng);
  try {
    const timer = new Timer(options, options.warmup + options.repeats);
    const [summary] = await timer.measure([{ label: arch.name, run: () => [model.predict(x)] }]);
    return summary;
  } finally {
    x.dispose();
    model.dispose();
  }
}
