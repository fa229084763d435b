/**
 * The DNAS search loop (FBNet): trains the supernet weights w and the architecture variables with two
 * optimizers on two disjoint splits of the training data, over any strategy's SearchNet (search-net.ts;
 * the strategy comes from config.strategy via ../strategies.ts). The schedule is schedule.ts: warm-up
 * weight steps, then a weight step and an architecture step per iteration. `step()` performs the next
 * optimizer step; `stepWeights()` / `stepArch()` force one without moving the schedule.
 *
 * Both steps draw a sample (Gumbel noise) at temperature τ(epoch) = τ0 · decay^epoch.
 * - weights: SGD with momentum 0.9, L2 weight decay `train.weightDecay`, lr `train.lrWeights` cosine-decayed
 *   over the run (or constant). It descends the task loss: the cost factor α · log(COST)^β is constant in w
 *   and would only rescale the step by a sample-dependent amount, tying the weights' learning rate to α, β.
 *   With hard samples only the sampled path runs (same forward value and weight gradients as the one-hot
 *   mixture; the other candidates' BatchNorm statistics are left alone in that step).
 *   The optimizer (weight-sgd.ts) updates only the variables that got a gradient, as PyTorch's SGD skips
 *   parameters whose .grad is None. With all paths (soft samples) that is every variable, and the step is
 *   the one tf.train.momentum made before; with hard or single-path samples the candidates that did not run
 *   are no longer decayed toward zero and pushed by stale momentum while they are not trained (which the
 *   old positional tfjs optimizer, fed zeros for them, did), and the step costs only the sampled paths.
 * - arch: Adam (lr `train.lrTheta`, L2 weight decay `thetaWeightDecay`, 5e-4 as FBNet) on the full loss
 *   task · α · log(COST)^β with the strategy's differentiable cost; all paths run so that every relaxed
 *   weight gets its gradient (also with hard samples: straight-through), or, with gumbel.paths 'single',
 *   only the drawn path (GDAS; hard samples in both steps; see single-path.ts).
 * A step whose loss or gradients are NaN/Inf applies no update (BatchNorm running statistics are rolled
 * back too) and reports nonFinite: true; the schedule still advances and run() stops.
 *
 * Randomness: weight init from seeds.init, Gumbel noise from seeds.gumbel, batch order and augmentation
 * from seeds.data (seeds.split belongs to the data source). Checkpoints hold the weights and the Gumbel and
 * data Rng states, so state() / restore() continue a run bit-exactly on the same backend.
 */
import * as tf from '@tensorflow/tfjs';
import { sumTensors } from '../tensor-sum.ts';
import type { SearchSpace } from '../arch/spec.ts';
import type { Batch, BatchSource } from '../data/source.ts';
import type { ExperimentConfig } from '../experiment.ts';
import { getWeights, setWeights } from '../model/weights.ts';
import { headOutputs } from '../model/head.ts';
import { Rng } from '../rng.ts';
import { SPACES } from '../spaces/index.ts';
import { createSearchNet, greedyStepsApply, scoreStepsApply } from '../strategies.ts';
import { ArchMirror } from './arch-values.ts';
import { BatchFeed } from './batch-feed.ts';
import { resolveOptions, type SearchOptions } from './cost-options.ts';
import { evaluateArgmax, type EvalResult } from './evaluate.ts';
import { entropy, softmaxArray } from './gumbel.ts';
import { fbnetLoss, taskLoss } from './loss.ts';
import { Schedule } from './schedule.ts';
import type { CostModel, SearchNet, StepSample } from './search-net.ts';
import type { ArchValues } from './arch-values.ts';
import { checkPaths, hardSamples, stepPaths } from './single-path.ts';
import { scoreStep } from './score-step.ts';
import { packStep, type StepValues } from './step-record.ts';
import { ThetaAdam } from './theta-adam.ts';
import { WeightSgd } from './weight-sgd.ts';
import type { Phase, ResolvedSearchOptions, StepMetrics, TrainerState } from './trainer-state.ts';

export { defaultCostUnit, type SearchOptions } from './cost-options.ts';
export type { EvalResult } from './evaluate.ts';

export type RunOutcome = 'finished' | 'aborted' | 'nonFinite';

/** Called after every step of run(); may be async (the loop waits for it). */
export type StepHandler = (m: StepMetrics, info: { epochEnded: boolean }) => unknown;

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class SearchTrainer {
  /** The space searched (before candidate edits). */
  readonly space: SearchSpace;
  /** The strategy's search network. */
  readonly net: SearchNet;
  readonly options: ResolvedSearchOptions;
  readonly history: StepMetrics[] = [];
  private readonly cost: CostModel;
  private readonly archVars: tf.Variable[];
  private readonly weightVars: tf.Variable[];
  private readonly runningStats: tf.Variable[];
  private readonly weightOpt: WeightSgd;
  private readonly thetaOpt: ThetaAdam;
  private gumbelRng: Rng;
  private readonly batches: BatchFeed;
  private readonly archMirror: ArchMirror;
  private readonly schedule: Schedule;

  constructor(
    readonly config: ExperimentConfig,
    readonly source: BatchSource,
    options: SearchOptions = {},
  ) {
    const space = options.space ?? SPACES[config.space];
    if (!space) throw new Error(`Unknown search space "${config.space}"`);
    this.space = space;
    checkPaths(config.gumbel);
    this.net = createSearchNet(config, space);
    try {
      this.checkSource();
      this.options = resolveOptions(config, space, options, this.net.costShrink(config.loss.cost));
      const rows = this.options.costTable;
      const layers = this.net.layers;
      if (rows.length !== layers.length) {
        throw new Error(`Cost table has ${rows.length} rows for ${layers.length} searchable layers`);
      }
      layers.forEach((m, l) => {
        if (rows[l].length !== m.candidates.length) {
          throw new Error(
            `Cost table row ${l} has ${rows[l].length} entries for ${m.candidates.length} candidates`,
          );
        }
      });
    } catch (e) {
      this.net.dispose();
      throw e;
    }
    const unit = this.options.costUnit;
    this.cost = {
      source: config.loss.cost,
      unit,
      scaled: {
        perLayer: this.options.costTable.map((r) => r.map((c) => c / unit)),
        fixed: this.options.fixedCost / unit,
      },
    };
    const params = this.net.weightParams();
    this.weightVars = params.filter((p) => p.trainable).map((p) => p.variable);
    this.runningStats = params.filter((p) => !p.trainable).map((p) => p.variable);
    this.weightOpt = new WeightSgd(this.weightVars, this.options.momentum, config.train.weightDecay);
    this.archVars = this.net.archVariables();
    this.thetaOpt = new ThetaAdam(
      this.archVars as tf.Variable<tf.Rank.R1>[],
      config.train.lrTheta,
      this.options.thetaWeightDecay,
    );
    this.archMirror = new ArchMirror(this.archVars);
    this.gumbelRng = new Rng(config.seeds.gumbel);
    this.batches = new BatchFeed(source, config.train.batchSize, this.options.augment, config.seeds.data);
    this.schedule = new Schedule(config, this.options.lrSchedule);
    // the first batch is made now, so the tensor count is the same before the first step and after any
    this.batches.prefetch(this.schedule.next);
  }

  private checkSource(): void {
    const s = this.source;
    const { space, task } = this.net;
    if (s.task !== task) throw new Error(`The data is for ${s.task}, the space for ${task}`);
    if (s.outputs !== headOutputs(space.head)) {
      throw new Error(`The data has ${s.outputs} outputs, the head ${headOutputs(space.head)}`);
    }
    if (s.inputSize !== this.config.inputSize || s.channels !== space.input.channels) {
      throw new Error(
        `The data is ${s.inputSize}x${s.inputSize}x${s.channels}, the search expects ` +
          `${this.config.inputSize}x${this.config.inputSize}x${space.input.channels}`,
      );
    }
  }

  get epoch(): number {
    return this.schedule.epoch;
  }

  /** Optimizer steps done so far (weights and arch). */
  get stepsDone(): number {
    return this.schedule.step;
  }

  /** Optimizer steps of the whole run. */
  get totalSteps(): number {
    return this.schedule.totalSteps;
  }

  get done(): boolean {
    return this.schedule.done;
  }

  /** Which optimizer steps next. */
  get next(): Phase {
    return this.schedule.next;
  }

  tau(): number {
    return this.schedule.tau();
  }

  /** Current learning rate of the weights (cosine over the run's iterations unless 'constant'). */
  weightLr(): number {
    return this.schedule.weightLr();
  }

  /** The next optimizer step of the schedule. */
  async step(): Promise<StepMetrics> {
    if (this.done) throw new Error('The search has finished');
    const phase = this.schedule.next;
    // the batch after the last step is made too: the tensor count stays the same over a run
    const metrics = await this.runPhase(phase, this.schedule.nextAfter(phase));
    this.schedule.advance(phase);
    return metrics;
  }

  /** One weight step now, outside the schedule (the schedule position does not move). */
  stepWeights(): Promise<StepMetrics> {
    return this.runPhase('weights');
  }

  /** One architecture step now, outside the schedule. */
  stepArch(): Promise<StepMetrics> {
    return this.runPhase('arch');
  }

  /**
   * Steps until the schedule ends, the signal aborts or a step is non-finite; awaits `onStep` after every
   * step, then yields to the event loop.
   */
  async run(onStep: StepHandler, signal?: AbortSignal): Promise<RunOutcome> {
    while (!this.done) {
      if (signal?.aborted) return 'aborted';
      const epochBefore = this.epoch;
      const m = await this.step();
      await onStep(m, { epochEnded: this.epoch !== epochBefore });
      if (m.nonFinite) return 'nonFinite';
      await yieldToEventLoop();
    }
    return 'finished';
  }

  /**
   * One step of `phase`. Reads back once: θ's host copies are current unless something else assigned θ
   * (arch-values.ts), and the step record carries the updated θ of an architecture step. `nextPhase`, when
   * given, is the phase whose batch is made while this step computes (batch-feed.ts).
   */
  private async runPhase(phase: Phase, nextPhase?: Phase): Promise<StepMetrics> {
    const { config, net } = this;
    const epoch = this.schedule.epoch;
    const tau = this.tau();
    const current = await this.archMirror.refresh();
    let sample = net.drawSample(this.gumbelRng, current);
    // greedy weight steps (experiment.ts gumbel.greedy) pick which single path trains; the coin comes from
    // the Gumbel stream only when they apply, so runs without them draw exactly as before
    const greedy = greedyStepsApply(config) ? (config.gumbel.greedy ?? 0) : 0;
    if (phase === 'weights' && greedy > 0 && net.greedySample && this.gumbelRng.next() < greedy) {
      sample = net.greedySample(sample, current) ?? sample;
    }
    const batch = this.batches.take(phase);
    const lr = phase === 'weights' ? this.weightLr() : config.train.lrTheta;
    let values: StepValues;
    try {
      values = await this.optimize(phase, batch, sample, tau, lr, current, () => {
        if (nextPhase) this.batches.prefetch(nextPhase);
      });
    } finally {
      tf.dispose([batch.x, batch.y]);
    }
    const finite = values.finite;
    const arch = await this.archMirror.refresh();
    const probs = net.thetas().map((t) => softmaxArray(arch(t)));
    const metrics: StepMetrics = {
      step: this.schedule.step,
      epoch,
      phase,
      taskLoss: values.taskLoss,
      costTerm: values.costTerm,
      expectedCost: values.cost * this.options.costUnit,
      loss: values.loss,
      tau,
      lr,
      probs,
      sampled: sample.blocks,
      gumbelWeights: values.blockWeights,
      entropy: probs.map(entropy),
      nonFinite: !finite,
    };
    Object.assign(
      metrics,
      await net.describeStep({
        sample,
        extras: values.extras,
        step: this.schedule.step,
        arch,
        source: this.source,
        options: this.options,
      }),
    );
    this.schedule.step += 1;
    this.history.push(metrics);
    if (this.history.length > this.options.historyLimit)
      this.history.splice(0, this.history.length - this.options.historyLimit);
    return metrics;
  }

  /**
   * Forward, backward and the update of one phase, then one read-back of the step record, the gradient
   * norm and (arch steps) the updated architecture variables; a non-finite step is undone from snapshots
   * (the update is applied before the read-back so the step waits on the device once). `meanwhile` runs
   * after everything is queued, before the wait. stepPaths says which paths run; with score steps
   * (gumbel.thetaGradient 'score') an architecture step runs the drawn and the argmax path instead.
   */
  private async optimize(
    phase: Phase,
    batch: Batch,
    sample: StepSample,
    tau: number,
    lr: number,
    current: ArchValues,
    meanwhile: () => void,
  ): Promise<StepValues> {
    const { config, net } = this;
    const vars = phase === 'weights' ? this.weightVars : this.archVars;
    // tf.clone shares the buffer: a free snapshot of the BatchNorm running statistics for a roll-back
    const statsBefore = this.runningStats.map((v) => tf.clone(v));
    const { packed, gradList, grads, value } =
      phase === 'arch' && scoreStepsApply(config) && net.scoreSteps
        ? this.scoreGradients(batch, sample, current)
        : this.relaxedGradients(phase, batch, sample, tau, vars);
    const present: tf.Tensor[] = (gradList as (tf.Tensor | null)[]).filter((g): g is tf.Tensor => g !== null);
    const undo = phase === 'weights' ? this.weightOpt.snapshot(grads) : this.thetaOpt.snapshot();
    let readBack: tf.Tensor1D | undefined;
    try {
      if (phase === 'weights') {
        this.weightOpt.apply(grads, lr);
      } else {
        const full = tf.tidy(() => vars.map((v, i) => tf.clone(gradList[i] ?? tf.zerosLike(v))));
        this.thetaOpt.apply(full);
        tf.dispose(full);
      }
      readBack = tf.tidy(() => {
        const normSq = sumTensors(present.map((g) => tf.sum(tf.square(g))));
        const parts = [packed.tensor, tf.reshape(normSq, [1])];
        if (phase === 'arch') parts.push(this.archMirror.flat());
        return tf.concat(parts) as tf.Tensor1D;
      });
      meanwhile();
      const raw = (await readBack.data()) as Float32Array;
      const n = packed.tensor.size;
      const values = packed.decode(raw.subarray(0, n));
      values.finite = values.finite && Number.isFinite(raw[n]);
      if (!values.finite) {
        undo.restore();
        this.runningStats.forEach((v, i) => v.assign(statsBefore[i]));
      } else if (phase === 'arch') {
        this.archMirror.accept(this.archMirror.split(raw.subarray(n + 1)));
      }
      return values;
    } finally {
      undo.dispose();
      tf.dispose([...(value ? [value] : []), packed.tensor, ...present, ...statsBefore]);
      readBack?.dispose();
    }
  }

  /** The relaxed step's record and gradients (variableGrads over `vars`: the weights, or θ). */
  private relaxedGradients(phase: Phase, batch: Batch, sample: StepSample, tau: number, vars: tf.Variable[]) {
    const { config, net } = this;
    const paths = stepPaths(phase, config.gumbel, this.options.skipUnsampled);
    let record: ReturnType<typeof packStep> | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const relaxed = net.relax(sample, tau, hardSamples(config.gumbel));
      const pred = net.forwardStep(batch.x, sample, relaxed, paths);
      const task = taskLoss(net.task, pred, batch.y);
      const stepCost = net.stepCost(relaxed, this.cost);
      const { loss, costTerm } = fbnetLoss(task, stepCost.cost, config.loss.alpha, config.loss.beta);
      record = packStep({
        task,
        costTerm,
        cost: stepCost.cost,
        loss,
        blockWeights: relaxed.blocks,
        extras: { ...relaxed.extras, ...stepCost.extras },
      });
      return phase === 'weights' ? task : loss;
    }, vars);
    return {
      packed: record!,
      gradList: vars.map((v) => grads[v.name] ?? null),
      grads,
      value: value as tf.Tensor | null,
    };
  }

  /** The score-function architecture step's record and θ's gradients (score-step.ts). */
  private scoreGradients(batch: Batch, sample: StepSample, current: ArchValues) {
    const net = this.net as SearchNet & { scoreSteps: NonNullable<SearchNet['scoreSteps']> };
    const best = net.scoreSteps.argmaxSample(sample, current);
    const { packed, grads } = scoreStep(
      net,
      batch,
      sample,
      best,
      this.cost,
      this.config.loss,
      this.schedule.archProgress(),
    );
    const byName: tf.NamedTensorMap = {};
    this.archVars.forEach((v, i) => (byName[v.name] = grads[i]));
    return { packed, gradList: grads as (tf.Tensor | null)[], grads: byName, value: null };
  }

  /** Task loss (and accuracy or NME) on the 'val' split for the argmax architecture, inference mode. */
  evaluate(): Promise<EvalResult> {
    return evaluateArgmax(this.net, this.source, this.config.train.batchSize);
  }

  /** A structured-clone friendly snapshot of everything needed to continue the run exactly. */
  async state(): Promise<TrainerState> {
    const feed = this.batches.state();
    const weights = await getWeights(this.net.weightParams());
    for (const k of Object.keys(weights))
      weights[k] = { shape: weights[k].shape, data: weights[k].data.slice() };
    const arch = await this.net.saveArch();
    const state: TrainerState = {
      version: 1,
      config: structuredClone(this.config),
      space: structuredClone(this.space),
      options: structuredClone(this.options),
      weights,
      theta: arch.theta,
      weightOptimizer: await this.weightOpt.state(),
      thetaOptimizer: await this.thetaOpt.state(),
      counters: this.schedule.counters(),
      rng: { gumbel: this.gumbelRng.state(), data: feed.rng },
      batchOrder: feed.batchOrder,
      // feature thumbnails are for the live view only: checkpoints stay small
      history: this.history.map((m) =>
        m.v2?.features ? structuredClone({ ...m, v2: { ...m.v2, features: undefined } }) : structuredClone(m),
      ),
    };
    if (arch.archLogits) state.archLogits = arch.archLogits;
    return state;
  }

  /** A trainer that continues from `state` on `source` (which must hold the same data). */
  static async restore(state: TrainerState, source: BatchSource): Promise<SearchTrainer> {
    if (state.version !== 1) throw new Error(`Unsupported trainer state version ${state.version}`);
    const o = state.options;
    const t = new SearchTrainer(state.config, source, { ...o, space: state.space });
    try {
      setWeights(t.net.weightParams(), state.weights);
      await t.net.loadArch({ theta: state.theta, archLogits: state.archLogits });
      t.weightOpt.setState(state.weightOptimizer);
      t.thetaOpt.setState(state.thetaOptimizer);
      t.schedule.setCounters(state.counters);
      t.gumbelRng = new Rng(state.rng.gumbel);
      t.batches.setState({ rng: state.rng.data, batchOrder: state.batchOrder });
      t.batches.prefetch(t.schedule.next);
      t.history.push(...structuredClone(state.history));
    } catch (e) {
      t.dispose();
      throw e;
    }
    return t;
  }

  dispose(): void {
    this.batches.dispose();
    this.weightOpt.dispose();
    this.thetaOpt.dispose();
    this.net.dispose();
  }
}
