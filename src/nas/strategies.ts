/**
 * The one place that maps ExperimentConfig.strategy to the network a search drives: every strategy
 * implements SearchNet (search/search-net.ts), and nothing else branches on which one runs.
 */
import type { SearchSpace } from './arch/spec.ts';
import type { ExperimentConfig, GumbelPaths, StrategyId, ThetaGradient } from './experiment.ts';
import type { SearchNet } from './search/search-net.ts';
import { FbnetV1Net } from './search/v1-net.ts';
import { FbnetV2Net } from './v2/v2-net.ts';
import { SposNet } from './sample-search/spos-net.ts';

type Factory = (config: ExperimentConfig, space: SearchSpace) => SearchNet;

const STRATEGIES: Record<StrategyId, Factory> = {
  'fbnet-v1': (config, space) =>
    new FbnetV1Net(space, {
      edits: config.candidateEdits,
      inputSize: config.inputSize,
      seed: config.seeds.init,
    }),
  'fbnet-v2': (config, space) => new FbnetV2Net(config, space),
  spos: (config, space) =>
    new SposNet(space, {
      edits: config.candidateEdits,
      inputSize: config.inputSize,
      seed: config.seeds.init,
    }),
};

/** The search network of `config` over `space` (the space as given, before candidate edits). */
export function createSearchNet(config: ExperimentConfig, space: SearchSpace): SearchNet {
  // configs from before FBNetV2 have no strategy: they are V1 searches
  const factory = STRATEGIES[config.strategy ?? 'fbnet-v1'];
  if (!factory) throw new Error(`Unknown search strategy "${config.strategy}"`);
  return factory(config, space);
}

/**
 * Strategies whose single-path weight steps may train the current argmax path instead of a draw
 * (gumbel.greedy, SearchNet.greedySample): FBNet V1's block choices. FBNetV2's masks have no greedy steps,
 * and SPOS samples uniformly by definition.
 */
const GREEDY_STEPS: Record<StrategyId, boolean> = { 'fbnet-v1': true, 'fbnet-v2': false, spos: false };

/**
 * Strategies whose architecture steps may use the score function (gumbel.thetaGradient 'score',
 * SearchNet.scoreSteps): FBNet V1's block choices. FBNetV2's width and resolution masks keep the relaxed
 * gradient, and SPOS has no architecture steps.
 */
const SCORE_STEPS: Record<StrategyId, boolean> = { 'fbnet-v1': true, 'fbnet-v2': false, spos: false };

/**
 * Whether `config`'s architecture steps use the score function (search/score-step.ts): a strategy with
 * score steps, searching one path per step (with all paths, architecture steps run every candidate in
 * FBNet's Gumbel-softmax mixture, which is what that setting asks for).
 */
export function scoreStepsApply(config: {
  readonly strategy?: StrategyId;
  readonly gumbel: { readonly paths?: GumbelPaths; readonly thetaGradient?: ThetaGradient };
}): boolean {
  return (
    (SCORE_STEPS[config.strategy ?? 'fbnet-v1'] ?? false) &&
    config.gumbel.paths === 'single' &&
    config.gumbel.thetaGradient === 'score'
  );
}

/** Whether `config`'s gumbel.greedy acts: a strategy with greedy steps, searching one path per step. */
export function greedyStepsApply(config: {
  readonly strategy?: StrategyId;
  readonly gumbel: { readonly paths?: GumbelPaths };
}): boolean {
  return (GREEDY_STEPS[config.strategy ?? 'fbnet-v1'] ?? false) && config.gumbel.paths === 'single';
}
