/** The cost-weight sweep and the supernet-estimate check (standalone.ts). */
export type { FinetuneRecipe } from './recipe.ts';
export { checkStandalone, explainGap, type StandaloneCheck, type StandaloneOptions } from './standalone.ts';
export {
  checkWeights,
  DEFAULT_SWEEP_BETAS,
  runSweep,
  sweepWeights,
  sweepWork,
  withWeight,
  type SweepBaseline,
  type SweepOptions,
  type SweepResult,
  type SweepOutcome,
  type SweepPoint,
  type SweepProgress,
  type SweepStage,
  type SweepWeight,
} from './sweep.ts';
