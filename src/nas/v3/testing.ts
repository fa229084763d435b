/**
 * Planted targets for the FBNetV3 engine's tests: a known NME = f(architecture, recipe) · noise, so a test
 * can check that the predictor recovers a ranking, that the genetic search finds an optimum, and that the
 * joint search runs end to end without training a network.
 */
import { Rng } from '../rng.ts';
import { DEFAULT_JOINT_SEARCH, type JointSearchConfig } from './joint-search.ts';
import {
  candidateCost,
  decodeRecipe,
  knobIndex,
  type JointCandidate,
  type JointSpace,
} from './joint-space.ts';

/**
 * log NME (NME in %): larger networks do better (−0.3 per e-fold of MACs), the learning rate has an
 * optimum at 0.01 (quadratic in log10), Adam is a little worse here, augmentation and longer training
 * help, and a 5×5 kernel in the last stage helps a little.
 */
export function plantedLogNme(space: JointSpace, c: JointCandidate): number {
  const r = decodeRecipe(space, c);
  const macs = candidateCost(space, c).macs;
  const lastKernel = c[knobIndex(space, `s${space.stages.length - 1}.kernel`)];
  return (
    Math.log(20) -
    0.3 * Math.log(macs / 1e6) +
    0.3 * (Math.log10(r.lr) + 2) ** 2 +
    (r.optimizer === 'adam' ? 0.1 : 0) -
    0.2 * r.augment -
    0.15 * Math.log(r.steps / 100) -
    (lastKernel === 5 ? 0.05 : 0)
  );
}

/** The planted NME (%) with multiplicative log-normal noise of `sigma` drawn from `rng`. */
export function plantedNme(space: JointSpace, c: JointCandidate, rng: Rng | null, sigma = 0.03): number {
  return Math.exp(plantedLogNme(space, c) + (rng ? sigma * rng.normal() : 0));
}

/**
 * A joint search small enough for a unit test on a planted target: a 20-architecture pool under 4 M MACs,
 * round 0 of 6, two predictor rounds of 3, 4 logged points, one small predictor; the fine stage is the test's.
 */
export function tinyJointSearch(
  fine: JointSearchConfig['fine'],
  over: Partial<JointSearchConfig> = {},
): JointSearchConfig {
  return {
    ...DEFAULT_JOINT_SEARCH,
    seed: 4,
    maxMacs: 4e6,
    poolSize: 20,
    round0: 6,
    rounds: 2,
    perRound: 3,
    checkpoints: 4,
    proxyArchs: 300,
    predictor: { members: 1, pretrainSteps: 100, frozenSteps: 100, endToEndSteps: 20 },
    fine,
    ...over,
  };
}
