/**
 * One real training step of an experiment's network, for timing it on a backend (issue 14: the backend is
 * chosen by measuring this step on each one). It runs the app's own code paths on seeded random data of the
 * experiment's shape:
 *   weights: the search's weight step (SearchTrainer.stepWeights: the strategy's net, the config's Gumbel
 *            mode, SGD with momentum and weight decay);
 *   arch:    the search's architecture step (SearchTrainer.stepArch: full loss with the cost term, Adam on θ);
 *   subnet:  a step of the network derived from the freshly built supernet (its argmax choices, weights
 *            inherited), trained by the Finetuner as the results panel finetunes it.
 * Nothing of the experiment's data is loaded; a latency search is timed with counted MACs as its cost
 * (same network, and the latency table may not be at hand).
 */
import { taskOf, type SearchSpace } from '../arch/spec.ts';
import type { ExperimentConfig } from '../experiment.ts';
import { Finetuner } from '../finetune/finetuner.ts';
import { subsampledSource } from '../finetune/subsampled-source.ts';
import { headOutputs } from '../model/head.ts';
import { SearchTrainer } from '../search/trainer.ts';
import { SPACES } from '../spaces/index.ts';
import { RandomSource } from './random-source.ts';
import type { TrainingStep } from './time-steps.ts';

export type ExperimentStepKind = 'weights' | 'arch' | 'subnet';

export interface ExperimentStepOptions {
  /** Default 'weights' (the step a search runs most). */
  kind?: ExperimentStepKind;
  /** Override the config's batch size. */
  batchSize?: number;
  /** Override the config's input size. */
  inputSize?: number;
  /** Seeds the random data (the config's seeds seed the net). Default 1. */
  seed?: number;
  /** The space, when it is not in the registry (a custom space); default SPACES[config.space]. */
  space?: SearchSpace;
}

/**
 * The experiment as timing runs it: a latency search is timed with counted MACs as its cost (same network;
 * the latency table may not be at hand). A copy; the argument is left alone.
 */
export function timingConfig(config: ExperimentConfig): ExperimentConfig {
  const cfg = structuredClone(config);
  if (cfg.loss.cost === 'latency') cfg.loss = { ...cfg.loss, cost: 'macs', latencyTable: undefined };
  return cfg;
}

/** A SearchTrainer for timing: the experiment as timing runs it, on seeded random data of its shape. */
function timingTrainer(
  config: ExperimentConfig,
  options: ExperimentStepOptions,
): { trainer: SearchTrainer; cfg: ExperimentConfig; source: RandomSource } {
  const space = options.space ?? SPACES[config.space];
  if (!space) throw new Error(`Unknown search space "${config.space}"`);
  const cfg = timingConfig(config);
  cfg.inputSize = options.inputSize ?? config.inputSize;
  cfg.train.batchSize = options.batchSize ?? config.train.batchSize;
  const source = new RandomSource(
    taskOf(space.head),
    cfg.inputSize,
    space.input.channels,
    headOutputs(space.head),
    cfg.train.batchSize,
    options.seed ?? 1,
  );
  return { trainer: new SearchTrainer(cfg, source, { space }), cfg, source };
}

/**
 * The search's weight and architecture steps on ONE trainer, for timing them the way a run takes them
 * (alternating after the warm-up). Timed on separate trainers, the architecture step of the classroom
 * default measured half of what it takes inside a run. The caller disposes the pair.
 */
export function experimentStepPair(
  config: ExperimentConfig,
  options: Omit<ExperimentStepOptions, 'kind'> = {},
): { weights: TrainingStep; arch: TrainingStep; dispose(): void } {
  const { trainer, cfg } = timingTrainer(config, options);
  const label = cfg.strategy ?? 'fbnet-v1';
  return {
    weights: {
      label: `${label} weights step`,
      step: async () => (await trainer.stepWeights()).loss,
      dispose() {},
    },
    arch: { label: `${label} arch step`, step: async () => (await trainer.stepArch()).loss, dispose() {} },
    dispose: () => trainer.dispose(),
  };
}

/** Builds the step (nothing runs yet); the caller disposes it. */
export async function experimentStep(
  config: ExperimentConfig,
  options: ExperimentStepOptions = {},
): Promise<TrainingStep> {
  const kind = options.kind ?? 'weights';
  const { trainer, cfg, source } = timingTrainer(config, options);
  const n = cfg.train.batchSize;
  if (kind !== 'subnet') {
    const run = kind === 'weights' ? () => trainer.stepWeights() : () => trainer.stepArch();
    return {
      label: `${cfg.strategy ?? 'fbnet-v1'} ${kind} step`,
      step: async () => (await run()).loss,
      dispose: () => trainer.dispose(),
    };
  }
  let subnet;
  try {
    subnet = await trainer.net.deriveModel(await trainer.net.argmaxChoices(), 'timed-subnet');
  } finally {
    trainer.dispose();
  }
  const { model, derived } = subnet;
  // constant lr and a schedule that never ends: only the step's cost matters here; an FBNetV2 subnet
  // derived at a lower resolution trains on the subsampled batch
  const tuner = new Finetuner(model, subsampledSource(source, derived.factor), {
    steps: Number.MAX_SAFE_INTEGER,
    lr: cfg.train.lrWeights,
    batchSize: n,
    seed: options.seed ?? 1,
    schedule: 'constant',
    augment: false,
  });
  return {
    label: `derived subnet step (${model.arch.name})`,
    step: async () => (await tuner.step()).loss,
    dispose() {
      tuner.dispose();
      model.dispose();
    },
  };
}
