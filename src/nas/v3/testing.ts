/**
 * Planted targets for the FBNetV3 engine's tests: a known NME = f(architecture, recipe) · noise, so a test
 * can check that the predictor recovers a ranking, that the genetic search finds an optimum, and that the
 * joint search runs end to end without training a network.
 */
import { Rng } from '../rng.ts';
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
