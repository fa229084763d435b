/**
 * The Learn area's measurements inside the worker. Both run the engine's own code on their own small
 * objects and never touch what the user keeps: the latency measurement returns its table without storing
 * it (the user's stored tables stay as they were), and the weight-sharing check trains its own SPOS
 * supernet instead of using (or replacing) the Search area's.
 */
import * as tf from '@tensorflow/tfjs';
import {
  DEFAULT_EXPERIMENT,
  generateDataset,
  isAbortError,
  LandmarkSource,
  maskedVariant,
  naiveVariant,
  plainVariant,
  OneShotEvaluator,
  profileSpace,
  randomTokens,
  resolveSpace,
  Rng,
  SearchTrainer,
  sposConfig,
  SPACES,
  tokenKey,
  tokenSpaceOf,
  weightSharingCheck,
  type ExperimentConfig,
  type LatencyTable,
  type MaskingVariant,
  type WeightSharingReport,
} from '../nas/index.ts';
import {
  WorkerRequestError,
  type LessonLatencyArgs,
  type LessonMaskTimingArgs,
  type LessonMaskTimingResult,
  type LessonWeightSharingArgs,
  type WorkerEvent,
} from './protocol.ts';

/** Upper bounds that keep a lesson's run well under a minute on the CPU backend. */
export const LESSON_LIMITS = { candidates: 8, supernetSteps: 300, standaloneSteps: 200, runs: 400 };

/** Bounds of the masking timing: at most 4 values of k in [2, 8], small inputs, a few rounds. */
export const MASK_TIMING_LIMITS = { kMin: 2, kMax: 8, ks: 4, batch: 16, size: 32, warmup: 5, rounds: 15 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Lets a queued message (lessonStop) through between steps; on the CPU backend steps never yield otherwise. */
const yieldToEvents = () => new Promise<void>((r) => setTimeout(r, 0));

/** The SPOS supernet run a lesson's weight-sharing check trains: the classroom space on a few small faces. */
export function lessonSposConfig(args: LessonWeightSharingArgs): ExperimentConfig {
  const base = structuredClone(DEFAULT_EXPERIMENT) as ExperimentConfig;
  return sposConfig({
    ...base,
    title: 'Lesson: weight sharing',
    inputSize: args.size,
    dataset: { kind: 'synthface', count: 96, size: args.size, difficulty: 0.5, seed: args.seed },
    train: { ...base.train, batchSize: 8, epochs: 1, stepsPerEpoch: args.supernetSteps, lrWeights: 0.05 },
  });
}

export class LessonSession {
  private abort: AbortController | null = null;

  constructor(private readonly emit: (event: WorkerEvent) => void) {}

  private begin(): AbortController {
    if (this.abort) throw new WorkerRequestError('A lesson measurement is already running.', 'busy');
    this.abort = new AbortController();
    return this.abort;
  }

  /** Times the candidates of a space (edits applied) like the latency panel does; the table is returned, not stored. */
  async latency(args: LessonLatencyArgs, adapter: string): Promise<LatencyTable> {
    const base = SPACES[args.space];
    if (!base) throw new WorkerRequestError(`Unknown search space "${args.space}"`, 'bad-request');
    let space;
    try {
      space = resolveSpace(base, args.edits);
    } catch (e) {
      throw new WorkerRequestError(e instanceof Error ? e.message : String(e), 'bad-request');
    }
    const abort = this.begin();
    try {
      return await profileSpace(space, {
        inputSize: args.inputSize,
        batch: args.batch,
        warmup: args.warmup,
        repeats: args.repeats,
        seed: 1,
        signal: abort.signal,
        adapter,
        onProgress: (done, total, label) =>
          this.emit({ type: 'lesson-progress', what: 'latency', label, done, total }),
      });
    } catch (err) {
      if (isAbortError(err)) throw new WorkerRequestError((err as Error).message, 'cancelled');
      throw err;
    } finally {
      this.abort = null;
    }
  }

  /**
   * The weight-sharing caveat at lesson size: a SPOS supernet trained for a few steps, then `candidates`
   * random architectures scored one-shot and trained standalone, with Kendall's τ of the two rankings.
   */
  async weightSharing(args: LessonWeightSharingArgs): Promise<WeightSharingReport> {
    const L = LESSON_LIMITS;
    const within = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
    if (
      !within(args.candidates, 2, L.candidates) ||
      !within(args.supernetSteps, 1, L.supernetSteps) ||
      !within(args.standaloneSteps, 1, L.standaloneSteps) ||
      !within(args.size, 16, 64) ||
      !within(args.seed, 0, 9999)
    ) {
      throw new WorkerRequestError(
        'Lesson settings out of range for the weight-sharing check.',
        'bad-settings',
      );
    }
    const abort = this.begin();
    const config = lessonSposConfig(args);
    const ds = { count: 96, size: args.size, difficulty: 0.5, seed: args.seed };
    const source = new LandmarkSource(generateDataset(ds), {
      valFraction: config.train.valFraction,
      splitSeed: config.seeds.split,
      inputSize: args.size,
    });
    const trainer = new SearchTrainer(config, source);
    const total = args.supernetSteps + args.candidates;
    const progress = (label: string, done: number) =>
      this.emit({ type: 'lesson-progress', what: 'weight-sharing', label, done, total });
    try {
      let step = 0;
      while (!trainer.done) {
        if (abort.signal.aborted) throw new WorkerRequestError('Stopped.', 'cancelled');
        await trainer.step();
        step++;
        if (step % 5 === 0) progress('training the shared supernet', step);
      }
      const space = tokenSpaceOf(trainer.net.space);
      const rng = new Rng(args.seed + 7);
      const seen = new Set<string>();
      const candidates: number[][] = [];
      while (candidates.length < args.candidates) {
        const t = randomTokens(space.ranges, rng);
        if (!seen.has(tokenKey(t))) (candidates.push(t), seen.add(tokenKey(t)));
      }
      const evaluator = new OneShotEvaluator(trainer, { recalibrationBatches: 8 });
      const report = await weightSharingCheck(
        evaluator,
        candidates,
        { steps: args.standaloneSteps, lr: 0.05, seed: args.seed + 3 },
        (_, done) => progress('scoring one-shot and training standalone', args.supernetSteps + done),
        abort.signal,
      );
      if (abort.signal.aborted) throw new WorkerRequestError('Stopped.', 'cancelled');
      return report;
    } finally {
      trainer.dispose();
      this.abort = null;
    }
  }

  /**
   * Why one shared weight costs about the same whatever the number of width options (FBNetV2, Wan et al.
   * 2020): the bench's own variants (src/nas/perf/masking-steps.ts) stepped round-robin on the current
   * backend, wall time per step, median over the timed rounds. Every variant is disposed, whatever happens.
   */
  async maskTiming(args: LessonMaskTimingArgs): Promise<LessonMaskTimingResult> {
    const L = MASK_TIMING_LIMITS;
    const within = (v: unknown, lo: number, hi: number) =>
      typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
    const ks = Array.isArray(args?.ks) ? args.ks : [];
    if (
      ks.length < 1 ||
      ks.length > L.ks ||
      !ks.every((k) => within(k, L.kMin, L.kMax)) ||
      new Set(ks).size !== ks.length ||
      !within(args.batch, 1, L.batch) ||
      !within(args.size, 4, L.size) ||
      !within(args.warmup, 0, L.warmup) ||
      !within(args.rounds, 1, L.rounds) ||
      !within(args.seed, 0, 9999)
    ) {
      throw new WorkerRequestError('Lesson settings out of range for the masking timing.', 'bad-settings');
    }
    const abort = this.begin();
    const variants: MaskingVariant[] = [];
    const rng = new Rng(args.seed);
    const { batch, size } = args;
    const x = tf.tensor4d(
      Float32Array.from({ length: batch * size * size * 3 }, () => rng.normal()),
      [batch, size, size, 3],
    );
    const y = tf.tidy(
      () =>
        tf
          .oneHot(
            tf.tensor1d(
              Array.from({ length: batch }, () => rng.int(10)),
              'int32',
            ),
            10,
          )
          .asType('float32') as tf.Tensor2D,
    );
    try {
      variants.push(plainVariant(args.seed));
      for (const k of ks) variants.push(maskedVariant(k, args.seed), naiveVariant(k, args.seed));
      const times = variants.map((): number[] => []);
      const total = variants.length * (args.warmup + args.rounds);
      let done = 0;
      const tick = async (label: string) => {
        done++;
        this.emit({ type: 'lesson-progress', what: 'mask-timing', label, done, total });
        await yieldToEvents();
        if (abort.signal.aborted) throw new WorkerRequestError('Stopped.', 'cancelled');
      };
      for (const v of variants)
        for (let i = 0; i < args.warmup; i++) {
          await v.step(x, y);
          await tick(`warming up ${v.label}${v.k > 1 ? ` k=${v.k}` : ''}`);
        }
      for (let r = 0; r < args.rounds; r++) {
        // rotate the order so no variant always follows the heaviest one (as the bench does)
        for (let j = 0; j < variants.length; j++) {
          const i = (j + r) % variants.length;
          const t0 = performance.now();
          await variants[i].step(x, y);
          times[i].push(performance.now() - t0);
          await tick(`round ${r + 1} of ${args.rounds}`);
        }
      }
      const plainMs = median(times[0]);
      const ms = (label: string, k: number) =>
        median(times[variants.findIndex((v) => v.label === label && v.k === k)]);
      return {
        backend: tf.getBackend(),
        batch,
        size,
        rounds: args.rounds,
        plainMs,
        rows: ks.map((k) => {
          const maskedMs = ms('masked', k);
          const naiveMs = ms('naive', k);
          return { k, maskedMs, naiveMs, maskedRatio: maskedMs / plainMs, naiveRatio: naiveMs / plainMs };
        }),
      };
    } finally {
      for (const v of variants) v.dispose();
      x.dispose();
      y.dispose();
      this.abort = null;
    }
  }

  stop(): { stopped: boolean } {
    const a = this.abort;
    a?.abort();
    return { stopped: !!a };
  }
}
