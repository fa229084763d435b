/**
 * A sweep of the cost weight (FBNet, Wu et al. 2019, eq. 2: loss = CE · α · log(COST)^β): the same search
 * run for several β, one after another, each derived, briefly finetuned and evaluated, so the accuracy–cost
 * trade-off the cost term buys becomes a set of points on the NME–MACs plane.
 *
 * β is the knob that moves the trade-off: α only rescales the loss, which θ's Adam step normalises away,
 * while β sets how much a relative change of the cost weighs against one of the task loss
 * (∂ log L = ∂ log CE + β · ∂ log log COST).
 *
 * Shared warm-up: the warm-up epochs train only the weights, on the task loss alone (trainer.ts), so they
 * do not depend on α or β. They run once; every point continues from that state (weights, optimizer
 * moments, random streams), which is exactly where its own run would be after its own warm-up.
 */
import type { Arch } from '../arch/spec.ts';
import { countCost } from '../cost/count.ts';
import type { BatchSource } from '../data/source.ts';
import { evaluateModel } from '../finetune/evaluate.ts';
import { createModel } from '../model/model.ts';
import { baselineArch } from '../results/baseline.ts';
import { finetuneSeed, trainModel } from '../results/finetune.ts';
import type { ExperimentConfig } from '../experiment.ts';
import type { SearchOptions } from '../search/cost-options.ts';
import { SearchTrainer } from '../search/trainer.ts';
import type { TrainerState } from '../search/trainer-state.ts';
import { checkStandalone, type StandaloneCheck } from './standalone.ts';
import type { FinetuneRecipe } from './recipe.ts';

/** β per point, cheapest-last: no cost term, FBNet's exponent scale, and a cost term that dominates. */
export const DEFAULT_SWEEP_BETAS: readonly number[] = [0, 2, 8];

export interface SweepWeight {
  alpha: number;
  beta: number;
}

export interface SweepPoint extends StandaloneCheck {
  index: number;
  alpha: number;
  beta: number;
}

/** The hand-designed PFLD-106 baseline, trained from scratch with the same recipe, on the same plane. */
export interface SweepBaseline {
  arch: Arch;
  macs: number;
  params: number;
  /** Validation NME (%). */
  nme: number;
  steps: number;
}

export type SweepStage = 'warm-up' | 'search' | 'finetune' | 'baseline';

export interface SweepProgress {
  stage: SweepStage;
  /** Point being worked on (-1 during the shared warm-up). */
  point: number;
  /** Work units (optimizer steps) done and in all, over the whole sweep. */
  done: number;
  total: number;
}

export type SweepOutcome = 'finished' | 'aborted' | 'nonFinite';

export interface SweepOptions {
  weights: readonly SweepWeight[];
  recipe: FinetuneRecipe;
  /** Passed to every SearchTrainer (e.g. a latency cost table). */
  searchOptions?: SearchOptions;
  signal?: AbortSignal;
  onProgress?: (p: SweepProgress) => void;
  /** Called as soon as a point is evaluated. */
  onPoint?: (p: SweepPoint) => void;
  /** Also train and evaluate the PFLD baseline (recipe.steps from scratch); default true. */
  baseline?: boolean;
}

export interface SweepResult {
  points: SweepPoint[];
  baseline: SweepBaseline | null;
  outcome: SweepOutcome;
}

/** The weights of a sweep over `betas` at the experiment's α. */
export function sweepWeights(config: ExperimentConfig, betas: readonly number[]): SweepWeight[] {
  return betas.map((beta) => ({ alpha: config.loss.alpha, beta }));
}

/** The experiment with another cost weight. */
export function withWeight(config: ExperimentConfig, w: SweepWeight): ExperimentConfig {
  return { ...structuredClone(config), loss: { ...config.loss, alpha: w.alpha, beta: w.beta } };
}

/** Checks the weights a sweep runs: at least one, each finite with α > 0 and β ≥ 0. */
export function checkWeights(weights: readonly SweepWeight[]): void {
  if (weights.length === 0) throw new Error('A sweep needs at least one cost weight');
  for (const w of weights) {
    if (!(w.alpha > 0 && Number.isFinite(w.alpha)))
      throw new Error(`α must be a positive number, got ${w.alpha}`);
    if (!(w.beta >= 0 && Number.isFinite(w.beta))) throw new Error(`β must be ≥ 0, got ${w.beta}`);
  }
}

/** Work units of a sweep: the warm-up once, then every point's search and finetune steps. */
export function sweepWork(config: ExperimentConfig, points: number, recipe: FinetuneRecipe, baseline = true) {
  const { epochs, warmupEpochs, stepsPerEpoch } = config.train;
  const warmup = Math.min(warmupEpochs, epochs) * stepsPerEpoch;
  const search = 2 * Math.max(0, epochs - warmupEpochs) * stepsPerEpoch;
  const base = baseline ? recipe.steps : 0;
  return {
    warmup,
    search,
    finetune: recipe.steps,
    baseline: base,
    total: warmup + points * (search + recipe.steps) + base,
  };
}

/** The PFLD baseline at the search's input size, trained `recipe.steps` steps from scratch. */
async function trainBaseline(
  config: ExperimentConfig,
  source: BatchSource,
  recipe: FinetuneRecipe,
  onStep: (step: number) => void,
  signal?: AbortSignal,
): Promise<SweepBaseline | null> {
  const arch = baselineArch(config.inputSize);
  const model = createModel(arch, { seed: config.seeds.init });
  try {
    const { outcome, losses } = await trainModel(
      model,
      source,
      {
        steps: recipe.steps,
        lr: recipe.lr,
        batchSize: config.train.batchSize,
        seed: finetuneSeed(config.seeds.data, 0),
        weightDecay: config.train.weightDecay,
      },
      (s) => onStep(s.step + 1),
      signal,
    );
    if (outcome !== 'finished') return null;
    const r = await evaluateModel(model, source, { batchSize: config.train.batchSize });
    const cost = countCost(arch);
    return { arch, macs: cost.macs, params: cost.params, nme: 100 * r.nme, steps: losses.length };
  } finally {
    model.dispose();
  }
}

/**
 * Runs the sweep on `source`, then (unless options.baseline is false) the PFLD baseline. Points come back
 * in the order of `weights`; an aborted or diverged sweep returns the points finished before it stopped.
 */
export async function runSweep(
  config: ExperimentConfig,
  source: BatchSource,
  options: SweepOptions,
): Promise<SweepResult> {
  const { weights, recipe, signal, onProgress, onPoint } = options;
  const withBaseline = options.baseline ?? true;
  checkWeights(weights);
  const work = sweepWork(config, weights.length, recipe, withBaseline);
  let done = 0;
  const report = (stage: SweepStage, point: number) =>
    onProgress?.({ stage, point, done, total: work.total });
  const points: SweepPoint[] = [];

  // the shared warm-up, at the first point's weights (the warm-up does not read them)
  let warmed: TrainerState;
  const first = new SearchTrainer(withWeight(config, weights[0]), source, options.searchOptions);
  try {
    while (!first.done && first.epoch < config.train.warmupEpochs) {
      if (signal?.aborted) return { points, baseline: null, outcome: 'aborted' };
      const m = await first.step();
      if (m.nonFinite) return { points, baseline: null, outcome: 'nonFinite' };
      done++;
      report('warm-up', -1);
    }
    warmed = await first.state();
  } finally {
    first.dispose();
  }

  for (const [index, w] of weights.entries()) {
    const state: TrainerState = { ...warmed, config: withWeight(warmed.config, w) };
    const t = await SearchTrainer.restore(state, source);
    try {
      const outcome = await t.run(() => {
        done++;
        report('search', index);
      }, signal);
      if (outcome !== 'finished') return { points, baseline: null, outcome };
      const base = done;
      const check = await checkStandalone(t, {
        recipe,
        signal,
        onStep: (step) => {
          done = base + step;
          report('finetune', index);
        },
      });
      if (check.outcome !== 'finished') return { points, baseline: null, outcome: check.outcome };
      const point: SweepPoint = { index, alpha: w.alpha, beta: w.beta, ...check };
      points.push(point);
      onPoint?.(point);
    } finally {
      t.dispose();
    }
  }
  if (!withBaseline) return { points, baseline: null, outcome: 'finished' };
  const base = done;
  const baseline = await trainBaseline(
    config,
    source,
    recipe,
    (step) => {
      done = base + step;
      report('baseline', -1);
    },
    signal,
  );
  return { points, baseline, outcome: baseline ? 'finished' : 'aborted' };
}
