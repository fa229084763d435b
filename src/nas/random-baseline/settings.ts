/** The check's default size and the validation of user-picked settings. */
import type { BaselineSettings } from './types.ts';

/**
 * 4 uniform + 4 cost-matched random networks and the searched one, each trained twice from scratch:
 * 18 (network, init seed) units of `steps` steps plus a validation pass each, ≤ 4 minutes on a 2-core
 * machine without GPU. Measured once in Node (tfjs cpu backend, registerFastCpuKernels(), classroom space
 * at 64 px, batch 16, 512 faces, 102 for validation; CPU time of the process, as the machine was shared):
 * a training step took 0.095 s (2.1 M MACs), 0.11–0.13 s (2.4–3.3 M) and 0.20 s (5.0 M, the largest
 * draw), a validation pass ~0.4 s. With ~0.125 s for a typical network (the cost-matched ones sit at the
 * searched network's cost), 18 × (100 × 0.125 + 0.4) s ≈ 232 s; 120 steps would have been ~280 s.
 */
export const DEFAULT_BASELINE_SETTINGS: BaselineSettings = {
  uniform: 4,
  costMatched: 4,
  band: 0.25,
  steps: 100,
  lr: 0.05,
  initSeeds: 2,
  seed: 1,
};

/** Largest random networks per kind and init seeds the check accepts (a guard against typos, not a tuning). */
export const BASELINE_LIMITS = { networks: 64, initSeeds: 10, steps: 100_000 } as const;

const isCount = (v: unknown, max: number) =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;

/** What is wrong with `s`, in words, or null when it is usable. */
export function baselineSettingsProblem(s: BaselineSettings): string | null {
  if (!isCount(s.uniform, BASELINE_LIMITS.networks))
    return `The number of uniform random networks must be a whole number from 0 to ${BASELINE_LIMITS.networks}`;
  if (!isCount(s.costMatched, BASELINE_LIMITS.networks))
    return `The number of cost-matched networks must be a whole number from 0 to ${BASELINE_LIMITS.networks}`;
  if (s.uniform + s.costMatched === 0) return 'The check needs at least one random network';
  if (!(s.band > 0 && s.band < 1)) return 'The cost band must be between 0 and 1 (e.g. 0.25 for ±25 %)';
  if (!Number.isInteger(s.steps) || s.steps < 1 || s.steps > BASELINE_LIMITS.steps)
    return `Training steps must be a whole number from 1 to ${BASELINE_LIMITS.steps}`;
  if (!(s.lr > 0) || !Number.isFinite(s.lr)) return 'The learning rate must be a positive number';
  if (!Number.isInteger(s.initSeeds) || s.initSeeds < 1 || s.initSeeds > BASELINE_LIMITS.initSeeds)
    return `Init seeds must be a whole number from 1 to ${BASELINE_LIMITS.initSeeds}`;
  if (!Number.isInteger(s.seed)) return 'The sampler seed must be a whole number';
  return null;
}

/** DEFAULT_BASELINE_SETTINGS with `partial` on top; throws with baselineSettingsProblem's message. */
export function resolveBaselineSettings(partial: Partial<BaselineSettings> = {}): BaselineSettings {
  const s = { ...DEFAULT_BASELINE_SETTINGS, ...partial };
  const problem = baselineSettingsProblem(s);
  if (problem) throw new Error(problem);
  return s;
}
