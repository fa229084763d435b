/**
 * Pre-training data for the predictor's encoder: architectures sampled uniformly from a joint space with
 * their multiply-adds and parameter counts (cost/count.ts) as labels. Computed, never trained, so
 * thousands cost well under a second of counting.
 */
import type { Cost } from '../cost/count.ts';
import { Rng } from '../rng.ts';
import { archFeatures, candidateCost, randomCandidate, type JointSpace } from './joint-space.ts';

export interface ProxyData {
  arch: number[][];
  costs: Cost[];
}

export function proxyData(space: JointSpace, count: number, seed: number): ProxyData {
  const rng = new Rng(seed);
  const arch: number[][] = [];
  const costs: Cost[] = [];
  for (let i = 0; i < count; i++) {
    const c = randomCandidate(space, rng);
    arch.push(archFeatures(space, c));
    costs.push(candidateCost(space, c));
  }
  return { arch, costs };
}
