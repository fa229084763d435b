/**
 * Finetuning (or training from scratch) a plain derived network: SGD with momentum and L2 weight decay on
 * the task loss (landmark L2 or cross-entropy, the same loss the search trains the weights with), learning
 * rate cosine-decayed from `lr` to 0 over `steps` (or constant). It trains on the whole training set, the
 * union of the search's 'weights' and 'arch' splits: θ is no longer learned, so both halves are training
 * data now, and 'val' stays held out for evaluation.
 *
 * Randomness (batch order, augmentation) comes from Rng(seed) only, so a run is reproducible. A step whose
 * loss or gradients are not finite applies no update (BatchNorm running statistics are restored) and
 * reports nonFinite; run() stops there.
 */
import * as tf from '@tensorflow/tfjs';
import type { BatchSource, Split } from '../data/source.ts';
import type { NasModel } from '../model/model.ts';
import { headOutputs } from '../model/head.ts';
import { taskOf } from '../arch/spec.ts';
import { Rng } from '../rng.ts';
import { taskLoss } from '../search/loss.ts';
import { checkInputFits } from './input-fit.ts';

export interface FinetuneOptions {
  steps: number;
  /** Initial learning rate. */
  lr: number;
  batchSize: number;
  seed: number;
  /** Default 0.9. */
  momentum?: number;
  /** L2 weight decay added to the gradients; default 1e-4. */
  weightDecay?: number;
  /** Default 'cosine'. */
  schedule?: 'cosine' | 'constant';
  /** Augment batches (when the source supports it); default true. */
  augment?: boolean;
  /** Training splits; default the search's two training splits. */
  splits?: Split[];
  /** 'sgd' (default): momentum SGD; 'adam': Adam (Kingma & Ba 2015, β1 0.9, β2 0.999, ε 1e-8). */
  optimizer?: 'sgd' | 'adam';
  /**
   * Decay of an exponential moving average of the weights and BatchNorm statistics (0, the default: none);
   * useAverage() loads it into the model. The decay ramps up as min(d, (1 + t) / (10 + t)), as TensorFlow's
   * ExponentialMovingAverage does with num_updates, so a short run is not pulled back to its initial weights.
   */
  ema?: number;
}

export interface FinetuneStep {
  /** 0-based index of this step. */
  step: number;
  loss: number;
  lr: number;
  nonFinite: boolean;
}

export type FinetuneOutcome = 'finished' | 'aborted' | 'nonFinite';

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class Finetuner {
  /** Momentum buffers, one per trainable variable (v ← μ·v + g; w ← w − lr·v, as tf.train.momentum). */
  private readonly velocity: tf.Variable[];
  /** Adam's second-moment buffers (empty for SGD); `velocity` then holds the first moments. */
  private readonly second: tf.Variable[];
  /** The moving average of trainable variables then statistics (empty without ema). */
  private readonly average: tf.Variable[];
  private readonly rng: Rng;
  private readonly pool: { split: Split; index: number }[];
  private readonly trainable: tf.Variable[];
  private readonly stats: tf.Variable[];
  private order: number[] = [];
  private cursor = 0;
  private stepCount = 0;
  readonly options: Required<FinetuneOptions>;

  constructor(
    readonly model: NasModel,
    readonly source: BatchSource,
    options: FinetuneOptions,
  ) {
    this.options = {
      momentum: 0.9,
      weightDecay: 1e-4,
      schedule: 'cosine',
      augment: true,
      splits: ['weights', 'arch'],
      optimizer: 'sgd',
      ema: 0,
      ...options,
    };
    if (!(this.options.ema >= 0 && this.options.ema < 1)) {
      throw new Error(`ema must be in [0, 1), got ${this.options.ema}`);
    }
    const { steps, lr, batchSize } = this.options;
    if (!Number.isInteger(steps) || steps < 0) throw new Error(`steps must be an integer ≥ 0, got ${steps}`);
    if (!(lr > 0) || !Number.isFinite(lr)) throw new Error(`lr must be a positive number, got ${lr}`);
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`batchSize must be ≥ 1, got ${batchSize}`);
    const head = model.arch.head;
    if (taskOf(head) !== source.task)
      throw new Error(`The data is for ${source.task}, the model for ${taskOf(head)}`);
    if (headOutputs(head) !== source.outputs) {
      throw new Error(`The data has ${source.outputs} outputs, the model ${headOutputs(head)}`);
    }
    checkInputFits(model.arch, source);
    this.pool = this.options.splits.flatMap((split) =>
      Array.from({ length: source.count(split) }, (_, index) => ({ split, index })),
    );
    if (this.pool.length === 0)
      throw new Error('Finetuning needs training data; the training splits are empty');
    const params = model.params();
    this.trainable = params.filter((p) => p.trainable).map((p) => p.variable);
    this.stats = params.filter((p) => !p.trainable).map((p) => p.variable);
    this.rng = new Rng(this.options.seed);
    this.velocity = this.trainable.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
    this.second =
      this.options.optimizer === 'adam'
        ? this.trainable.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)))
        : [];
    this.average =
      this.options.ema > 0
        ? [...this.trainable, ...this.stats].map((v) => tf.tidy(() => tf.variable(v.clone(), false)))
        : [];
  }

  get stepsDone(): number {
    return this.stepCount;
  }

  get done(): boolean {
    return this.stepCount >= this.options.steps;
  }

  /** Learning rate of step `step` (0-based). */
  lrAt(step: number): number {
    const { lr, steps, schedule } = this.options;
    if (schedule === 'constant') return lr;
    return 0.5 * lr * (1 + Math.cos((Math.PI * Math.min(step, steps)) / Math.max(1, steps)));
  }

  /** Next batch positions: a fresh seeded permutation of the pool every epoch. */
  private nextPositions(): number[] {
    const n = Math.min(this.options.batchSize, this.pool.length);
    const out: number[] = [];
    while (out.length < n) {
      if (this.cursor >= this.order.length) {
        this.order = this.rng.shuffle(Array.from({ length: this.pool.length }, (_, i) => i));
        this.cursor = 0;
      }
      out.push(this.order[this.cursor++]);
    }
    return out;
  }

  private nextBatch(): { x: tf.Tensor4D; y: tf.Tensor2D } {
    const bySplit = new Map<Split, number[]>();
    for (const pos of this.nextPositions()) {
      const { split, index } = this.pool[pos];
      bySplit.set(split, [...(bySplit.get(split) ?? []), index]);
    }
    const augment = this.options.augment ? this.rng : undefined;
    const parts = [...bySplit].map(([split, idx]) => this.source.batchAt(split, idx, augment));
    if (parts.length === 1) return parts[0];
    const x = tf.concat(parts.map((p) => p.x));
    const y = tf.concat(parts.map((p) => p.y));
    tf.dispose(parts.flatMap((p) => [p.x, p.y]));
    return { x, y };
  }

  /** One optimizer step. */
  async step(): Promise<FinetuneStep> {
    if (this.done) throw new Error('Finetuning has finished');
    const step = this.stepCount;
    const lr = this.lrAt(step);
    const task = this.source.task;
    const batch = this.nextBatch();
    const statsBefore = this.stats.map((v) => tf.clone(v));
    const { value, grads } = tf.variableGrads(
      () => taskLoss(task, this.model.apply(batch.x, true), batch.y),
      this.trainable,
    );
    const gradList = this.trainable.map((v) => grads[v.name] ?? null);
    // a chain of adds, not tf.addN: WebGPU limits the storage buffers of one kernel (8 on many devices), and
    // an addN over every gradient fails there, silently dropping the whole command buffer
    const normSq = tf.tidy(() =>
      gradList.reduce<tf.Tensor>((acc, g) => (g ? tf.add(acc, tf.sum(tf.square(g))) : acc), tf.scalar(0)),
    );
    const [loss, norm] = await Promise.all([value.data(), normSq.data()]);
    const finite = Number.isFinite(loss[0]) && Number.isFinite(norm[0]);
    if (finite) {
      const { weightDecay: wd, momentum, optimizer } = this.options;
      tf.tidy(() =>
        this.trainable.forEach((w, i) => {
          const g0 = gradList[i];
          if (!g0 && wd === 0) return;
          const g = g0 ? (wd > 0 ? tf.add(g0, tf.mul(w, wd)) : g0) : tf.mul(w, wd);
          if (optimizer === 'adam') {
            const t = step + 1;
            const m = tf.add(tf.mul(this.velocity[i], 0.9), tf.mul(g, 0.1));
            const v = tf.add(tf.mul(this.second[i], 0.999), tf.mul(tf.square(g), 0.001));
            this.velocity[i].assign(m);
            this.second[i].assign(v);
            const mHat = tf.div(m, 1 - 0.9 ** t);
            const vHat = tf.div(v, 1 - 0.999 ** t);
            w.assign(tf.sub(w, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), 1e-8)), lr)));
            return;
          }
          const v = tf.add(tf.mul(this.velocity[i], momentum), g);
          this.velocity[i].assign(v);
          w.assign(tf.sub(w, tf.mul(v, lr)));
        }),
      );
      if (this.average.length) {
        const d = Math.min(this.options.ema, (1 + step) / (10 + step));
        const vars = [...this.trainable, ...this.stats];
        tf.tidy(() => this.average.forEach((a, i) => a.assign(tf.add(tf.mul(a, d), tf.mul(vars[i], 1 - d)))));
      }
    } else {
      this.stats.forEach((v, i) => v.assign(statsBefore[i]));
    }
    tf.dispose([value, normSq, batch.x, batch.y, ...statsBefore]);
    tf.dispose(gradList.filter((g): g is tf.Tensor => g !== null));
    this.stepCount += 1;
    return { step, loss: loss[0], lr, nonFinite: !finite };
  }

  /** Steps until done, aborted or non-finite; yields to the event loop between steps. */
  async run(onStep: (s: FinetuneStep) => void, signal?: AbortSignal): Promise<FinetuneOutcome> {
    while (!this.done) {
      if (signal?.aborted) return 'aborted';
      const s = await this.step();
      onStep(s);
      if (s.nonFinite) return 'nonFinite';
      await yieldToEventLoop();
    }
    return 'finished';
  }

  /** Loads the moving average of the weights and statistics into the model (no-op without ema). */
  useAverage(): void {
    const vars = [...this.trainable, ...this.stats];
    this.average.forEach((a, i) => vars[i].assign(a));
  }

  /** Frees the optimizer buffers and the average; the model belongs to the caller. */
  dispose(): void {
    tf.dispose([...this.velocity, ...this.second, ...this.average]);
  }
}
