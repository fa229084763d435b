/**
 * The short finetune a derived network gets before its NME is compared (the sweep's points and the check
 * of the supernet's estimate): the Results area's default recipe (results/finetune.ts), so the numbers
 * match what a learner gets there with the default settings.
 */
export { DEFAULT_FINETUNE } from '../results/finetune.ts';

export interface FinetuneRecipe {
  steps: number;
  lr: number;
}
