/**
 * Planning the check (pure, seeded, no tensors): the searched network, K1 uniform and K2 cost-matched
 * random networks of the same space, and the one recipe they are all trained with from scratch.
 */
import type { SearchSpace } from '../arch/spec.ts';
import type { ExperimentConfig } from '../experiment.ts';
import type { ResultsArchSummary } from '../results/types.ts';
import { Rng } from '../rng.ts';
import { BaselineSpace } from './baseline-space.ts';
import { bandSize, sampleCostMatched, sampleUniform } from './samplers.ts';
import { resolveBaselineSettings } from './settings.ts';
import type { BaselineChoices, BaselinePlan, BaselineSettings } from './types.ts';

export interface PlanBaselineInput {
  /** The run's experiment (strategy, candidate edits, input size, FBNetV2 settings, seeds, batch size). */
  config: ExperimentConfig;
  /** The run's space, before candidate edits (SearchTrainer.space). */
  space: SearchSpace;
  searched: BaselineChoices;
  settings?: Partial<BaselineSettings>;
}

/**
 * The plan. Uniform and cost-matched draws come from two streams split off Rng(settings.seed), so asking
 * for more uniform networks does not reshuffle the cost-matched ones' draws (only which are excluded).
 * Every random network differs from the searched one and from each other; cost-matched draws also skip
 * the uniform ones (so bandSize counts what was left for them).
 */
export function planBaseline(input: PlanBaselineInput): BaselinePlan {
  const { config } = input;
  const settings = resolveBaselineSettings(input.settings);
  const space = new BaselineSpace(config, input.space);
  const searched = space.candidate('searched', 'searched', input.searched);
  const band = { low: searched.macs * (1 - settings.band), high: searched.macs * (1 + settings.band) };
  const root = new Rng(settings.seed);
  const uniformRng = new Rng(root.seed());
  const costRng = new Rng(root.seed());
  const uniform = sampleUniform(space, settings.uniform, uniformRng, [input.searched]);
  const exclude = [input.searched, ...uniform];
  const matched = sampleCostMatched(space, settings.costMatched, band, costRng, exclude);
  return {
    version: 1,
    recipe: {
      steps: settings.steps,
      lr: settings.lr,
      batchSize: config.train.batchSize,
      weightDecay: config.train.weightDecay,
      initSeeds: Array.from({ length: settings.initSeeds }, (_, i) => (config.seeds.init + i) >>> 0),
      dataSeed: config.seeds.data >>> 0,
    },
    settings,
    searched,
    candidates: [
      searched,
      ...uniform.map((c, i) => space.candidate(`u${i + 1}`, 'uniform', c)),
      ...matched.map((c, i) => space.candidate(`c${i + 1}`, 'cost-matched', c)),
    ],
    band,
    costMatchedFound: matched.length,
    bandSize: bandSize(space, band, exclude),
    spaceSize: space.all()?.length ?? space.size,
  };
}

/** The searched choices of a derived network (Results' summary: blocks, and FBNetV2's widths and factor). */
export function searchedChoices(summary: ResultsArchSummary): BaselineChoices {
  const v2 = summary.v2;
  if (!v2) return { blocks: [...summary.choices] };
  const out: BaselineChoices = {
    blocks: [...summary.choices],
    widths: v2.choices.widths.map((w) => w ?? 0),
    factor: v2.factor,
  };
  if (v2.choices.expansions.some((e) => e !== undefined))
    out.expansions = v2.choices.expansions.map((e) => e ?? 0);
  return out;
}

/** (candidate, init seed) units of a plan, and training steps in all. */
export function baselineWork(plan: BaselinePlan): { units: number; steps: number } {
  const units = plan.candidates.length * plan.recipe.initSeeds.length;
  return { units, steps: units * plan.recipe.steps };
}
