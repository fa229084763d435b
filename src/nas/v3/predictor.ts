/**
 * FBNetV3's accuracy predictor (Dai et al., CVPR 2021, sec. 3.1), at playground size:
 *
 *   architecture features ─▶ encoder MLP ─▶ embedding ─┬─▶ proxy head ─▶ (log MACs, log params)
 *                                                      └─[embedding, recipe features]─▶ accuracy head ─▶ log NME
 *
 * 1. Pre-training: encoder + proxy head are fitted to the MACs and parameter counts of thousands of
 *    sampled architectures — labels that are computed, not trained — so the embedding already orders
 *    networks by size before a single candidate has been trained.
 * 2. Fitting: the accuracy head is fitted on the trained candidates with a Huber loss, first with the
 *    encoder frozen, then end to end at a lower learning rate (as the paper does).
 *
 * Targets are standardised (log NME, z-scored over the fitted samples; proxy labels likewise), features
 * are in [0, 1] (joint-space.ts). Every fit starts from the same place — the pre-trained (or initial)
 * encoder and a freshly seeded head — so a fit is a function of its data and seed alone: a resumed search
 * refits to the same predictor without having saved it. tfjs throughout; every step runs in tf.tidy and
 * the variables are the predictor's only long-lived tensors (disposed by dispose()).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng.ts';

export interface PredictorOptions {
  seed: number;
  /** Encoder hidden width; default 32. */
  hidden?: number;
  /** Embedding width; default 4 (the proxy labels are two numbers; wider overfit at 40 samples). */
  embedding?: number;
  /** Accuracy head hidden width; default 24. */
  headHidden?: number;
  pretrainSteps?: number;
  pretrainLr?: number;
  /** Minibatch size of the pre-training. */
  pretrainBatch?: number;
  /** Steps of the accuracy head with the encoder frozen. */
  frozenSteps?: number;
  lr?: number;
  /** Steps of the whole network after that, at `endToEndLr`. */
  endToEndSteps?: number;
  endToEndLr?: number;
  huberDelta?: number;
  /** L2 penalty on the accuracy head's weights (a few dozen samples overfit easily). */
  l2?: number;
  /** L2 penalty on the encoder's and proxy head's weights. */
  encoderL2?: number;
}

const DEFAULTS: Required<Omit<PredictorOptions, 'seed'>> = {
  hidden: 32,
  embedding: 4,
  headHidden: 24,
  pretrainSteps: 400,
  pretrainLr: 0.01,
  pretrainBatch: 128,
  frozenSteps: 300,
  lr: 0.01,
  // short and slow: at 40 samples a longer end-to-end phase overfits (held-out τ 0.65 vs 0.78 measured)
  endToEndSteps: 50,
  endToEndLr: 0.001,
  huberDelta: 1,
  l2: 1e-3,
  encoderL2: 1e-4,
};

interface Dense {
  w: tf.Variable;
  b: tf.Variable;
  /** The initial weights, kept for restoring the encoder. */
  wInit: Float32Array;
}

function normalData(rng: Rng, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * std;
  return out;
}

/** He-normal weights from the engine's Rng (bit-identical on every backend), zero biases. */
function dense(rng: Rng, fanIn: number, fanOut: number): Dense {
  const wInit = normalData(rng, fanIn * fanOut, Math.sqrt(2 / fanIn));
  return {
    // tidy: the initial-value tensors are copies the variables no longer need
    w: tf.tidy(() => tf.variable(tf.tensor2d(wInit, [fanIn, fanOut]))),
    b: tf.tidy(() => tf.variable(tf.zeros([fanOut]))),
    wInit,
  };
}

/** Mean and standard deviation (floored, so a constant column standardises to 0 rather than NaN). */
function moments(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const v = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, sd: Math.max(Math.sqrt(v), 1e-6) };
}

export class Predictor {
  readonly options: Required<PredictorOptions>;
  private readonly enc: Dense[];
  private readonly proxy: Dense;
  private readonly acc: Dense[];
  /** Encoder weights every fit starts from (after pre-training, or the initial ones). */
  private encoderStart: Float32Array[];
  private target: { mean: number; sd: number } | null = null;
  private pretrainedFlag = false;

  constructor(
    readonly archDim: number,
    readonly recipeDim: number,
    options: PredictorOptions,
  ) {
    this.options = { ...DEFAULTS, ...options };
    const { hidden, embedding, headHidden } = this.options;
    const rng = new Rng(this.options.seed);
    this.enc = [dense(rng, archDim, hidden), dense(rng, hidden, embedding)];
    this.proxy = dense(rng, embedding, 2);
    this.acc = [dense(rng, embedding + recipeDim, headHidden), dense(rng, headHidden, 1)];
    this.encoderStart = this.enc.flatMap((d) => [d.wInit, new Float32Array(d.b.size)]);
  }

  private encoderVars(): tf.Variable[] {
    return this.enc.flatMap((d) => [d.w, d.b]);
  }

  private accVars(): tf.Variable[] {
    return this.acc.flatMap((d) => [d.w, d.b]);
  }

  /** Number of weights (encoder, proxy head, accuracy head). */
  get weightCount(): number {
    return [...this.encoderVars(), this.proxy.w, this.proxy.b, ...this.accVars()].reduce(
      (a, v) => a + v.size,
      0,
    );
  }

  get pretrained(): boolean {
    return this.pretrainedFlag;
  }

  get fitted(): boolean {
    return this.target !== null;
  }

  private embed(x: tf.Tensor2D): tf.Tensor2D {
    const h = tf.relu(tf.add(tf.matMul(tf.sub(x, 0.5), this.enc[0].w), this.enc[0].b));
    return tf.add(tf.matMul(h, this.enc[1].w), this.enc[1].b) as tf.Tensor2D;
  }

  private accuracy(arch: tf.Tensor2D, recipe: tf.Tensor2D): tf.Tensor2D {
    const z = tf.concat([this.embed(arch), tf.sub(recipe, 0.5)], 1);
    const h = tf.relu(tf.add(tf.matMul(z, this.acc[0].w), this.acc[0].b));
    return tf.add(tf.matMul(h, this.acc[1].w), this.acc[1].b) as tf.Tensor2D;
  }

  /** L2 on the weight matrices among `vars`: `l2` on the accuracy head's, `encoderL2` on the others. */
  private l2(vars: tf.Variable[]): tf.Scalar {
    const head = new Set(this.acc.map((d) => d.w));
    return vars
      .filter((v) => v.rank === 2)
      .reduce<tf.Scalar>(
        (acc, v) =>
          tf.add(acc, tf.mul(tf.sum(tf.square(v)), head.has(v) ? this.options.l2 : this.options.encoderL2)),
        tf.scalar(0),
      );
  }

  /** Full-batch Adam on `vars`; nothing is read back inside the loop. */
  private train(vars: tf.Variable[], loss: () => tf.Scalar, steps: number, lr: number): void {
    const opt = tf.train.adam(lr);
    for (let i = 0; i < steps; i++) {
      tf.tidy(() => {
        opt.minimize(() => tf.add(loss(), this.l2(vars)) as tf.Scalar, false, vars);
      });
    }
    opt.dispose();
  }

  private checkRows(rows: readonly (readonly number[])[], dim: number, what: string): void {
    rows.forEach((r, i) => {
      if (r.length !== dim) throw new Error(`${what} row ${i} has ${r.length} features, expected ${dim}`);
      if (r.some((v) => !Number.isFinite(v))) throw new Error(`${what} row ${i} holds a non-finite value`);
    });
  }

  /**
   * Pre-trains encoder + proxy head on (architecture features → [MACs, params]) with MSE on the z-scored
   * logs. Returns the final proxy loss (z units²).
   */
  async pretrain(
    archRows: readonly number[][],
    costs: readonly { macs: number; params: number }[],
  ): Promise<number> {
    if (archRows.length !== costs.length || archRows.length < 2) {
      throw new Error('Pre-training needs at least 2 architectures, each with its cost');
    }
    this.checkRows(archRows, this.archDim, 'Architecture');
    const logs = [costs.map((c) => Math.log(c.macs)), costs.map((c) => Math.log(c.params))];
    const m = logs.map(moments);
    const labels = costs.map((_, i) => logs.map((l, j) => (l[i] - m[j].mean) / m[j].sd));
    const n = archRows.length;
    const batch = Math.min(n, this.options.pretrainBatch);
    const order = new Rng((this.options.seed ^ 0x2545f491) >>> 0);
    const vars = [...this.encoderVars(), this.proxy.w, this.proxy.b];
    const proxyLoss = (x: tf.Tensor2D, y: tf.Tensor2D) =>
      tf.mean(
        tf.square(tf.sub(tf.add(tf.matMul(this.embed(x), this.proxy.w), this.proxy.b), y)),
      ) as tf.Scalar;
    const opt = tf.train.adam(this.options.pretrainLr);
    let perm: number[] = [];
    for (let step = 0; step < this.options.pretrainSteps; step++) {
      // seeded minibatches: full batches of thousands of rows cost seconds per hundred steps on the CPU path
      if (perm.length < batch) perm = order.shuffle(Array.from({ length: n }, (_, i) => i));
      const idx = perm.splice(0, batch);
      tf.tidy(() => {
        const x = tf.tensor2d(idx.map((i) => [...archRows[i]]));
        const y = tf.tensor2d(idx.map((i) => labels[i]));
        opt.minimize(() => tf.add(proxyLoss(x, y), this.l2(vars)) as tf.Scalar, false, vars);
      });
    }
    opt.dispose();
    const final = tf.tidy(() => proxyLoss(tf.tensor2d(archRows.map((r) => [...r])), tf.tensor2d(labels)));
    const value = (await final.data())[0];
    final.dispose();
    this.encoderStart = await Promise.all(
      this.encoderVars().map(async (v) => (await v.data()).slice() as Float32Array),
    );
    this.pretrainedFlag = true;
    return value;
  }

  /**
   * Fits the accuracy head to measured NMEs (any positive unit; fitted in log space, z-scored): encoder
   * restored to its start, head re-initialised from the seed, `frozenSteps` with the encoder frozen, then
   * `endToEndSteps` of everything at the lower rate.
   */
  async fit(
    archRows: readonly number[][],
    recipeRows: readonly number[][],
    nme: readonly number[],
  ): Promise<void> {
    const n = nme.length;
    if (archRows.length !== n || recipeRows.length !== n || n < 2) {
      throw new Error(
        'Fitting the predictor needs at least 2 samples, each with architecture, recipe and NME',
      );
    }
    this.checkRows(archRows, this.archDim, 'Architecture');
    this.checkRows(recipeRows, this.recipeDim, 'Recipe');
    if (nme.some((v) => !(v > 0) || !Number.isFinite(v)))
      throw new Error('Every NME must be a positive number');
    tf.tidy(() => {
      this.encoderVars().forEach((v, i) => v.assign(tf.tensor(this.encoderStart[i], v.shape)));
      const head = new Rng((this.options.seed ^ 0x5bd1e995) >>> 0);
      this.acc.forEach((d) => {
        const [fanIn, fanOut] = d.w.shape;
        d.w.assign(tf.tensor2d(normalData(head, fanIn * fanOut, Math.sqrt(2 / fanIn)), [fanIn, fanOut]));
        d.b.assign(tf.zeros([fanOut]));
      });
    });
    const logs = nme.map((v) => Math.log(v));
    this.target = moments(logs);
    const t = this.target;
    const x = tf.tensor2d(archRows.map((r) => [...r]));
    const r = tf.tensor2d(recipeRows.map((row) => [...row]));
    const y = tf.tensor2d(logs.map((l) => [(l - t.mean) / t.sd]));
    const loss = () =>
      tf.tidy(() =>
        tf.losses.huberLoss(y, this.accuracy(x, r), undefined, this.options.huberDelta),
      ) as tf.Scalar;
    this.train(this.accVars(), loss, this.options.frozenSteps, this.options.lr);
    this.train(
      [...this.encoderVars(), ...this.accVars()],
      loss,
      this.options.endToEndSteps,
      this.options.endToEndLr,
    );
    tf.dispose([x, r, y]);
  }

  /** Starts every later fit from `other`'s pre-trained encoder (an ensemble pre-trains once). */
  adoptPretraining(other: Predictor): void {
    if (!other.pretrainedFlag) throw new Error('The other predictor has not been pre-trained');
    if (other.archDim !== this.archDim || other.options.hidden !== this.options.hidden) {
      throw new Error('Predictors of different shapes cannot share an encoder');
    }
    if (other.options.embedding !== this.options.embedding) {
      throw new Error('Predictors of different shapes cannot share an encoder');
    }
    this.encoderStart = other.encoderStart.map((a) => a.slice());
    this.pretrainedFlag = true;
  }

  /** Predicted NME (the fitted unit) of every row. */
  async predict(archRows: readonly number[][], recipeRows: readonly number[][]): Promise<number[]> {
    const t = this.target;
    if (!t) throw new Error('The predictor has not been fitted yet');
    if (archRows.length !== recipeRows.length) throw new Error('Architecture and recipe rows must pair up');
    if (archRows.length === 0) return [];
    this.checkRows(archRows, this.archDim, 'Architecture');
    this.checkRows(recipeRows, this.recipeDim, 'Recipe');
    const out = tf.tidy(() =>
      this.accuracy(tf.tensor2d(archRows.map((a) => [...a])), tf.tensor2d(recipeRows.map((a) => [...a]))),
    );
    const z = await out.data();
    out.dispose();
    return Array.from(z, (v) => Math.exp(t.mean + t.sd * v));
  }

  /** The proxy head's (log MACs, log params) in z units, for checking the pre-training. */
  async proxyOutputs(archRows: readonly number[][]): Promise<number[][]> {
    this.checkRows(archRows, this.archDim, 'Architecture');
    const out = tf.tidy(() =>
      tf.add(tf.matMul(this.embed(tf.tensor2d(archRows.map((a) => [...a]))), this.proxy.w), this.proxy.b),
    );
    const v = await out.data();
    out.dispose();
    return archRows.map((_, i) => [v[2 * i], v[2 * i + 1]]);
  }

  dispose(): void {
    tf.dispose([...this.encoderVars(), this.proxy.w, this.proxy.b, ...this.accVars()]);
  }
}
