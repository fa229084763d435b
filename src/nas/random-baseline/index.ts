/** The random-baseline check: is the searched network better than random architectures of its space? */
export type {
  BaselineCandidate,
  BaselineCheckState,
  BaselineChoices,
  BaselineKind,
  BaselinePlan,
  BaselineProgress,
  BaselineRecipe,
  BaselineResults,
  BaselineRunOptions,
  BaselineSettings,
  BaselineVerdict,
  VerdictKind,
} from './types.ts';
export {
  BASELINE_LIMITS,
  baselineSettingsProblem,
  DEFAULT_BASELINE_SETTINGS,
  resolveBaselineSettings,
} from './settings.ts';
export { BaselineSpace, ENUMERATE_LIMIT } from './baseline-space.ts';
export { bandSize, inBand, sampleCostMatched, sampleUniform, type CostBand } from './samplers.ts';
export { baselineWork, planBaseline, searchedChoices, type PlanBaselineInput } from './plan.ts';
export { baselineVerdict, formatMacs, pooledSpread } from './verdict.ts';
export { runBaselineCheck, unitDone } from './run.ts';
