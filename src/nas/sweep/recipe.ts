/**
 * The short finetune a derived network gets before its NME is compared (the sweep's points and the check
 * of the supernet's estimate): the Results area's default recipe, so the numbers match what a learner
 * gets there with the default settings.
 */
export interface FinetuneRecipe {
  steps: number;
  lr: number;
}

export const DEFAULT_FINETUNE: FinetuneRecipe = { steps: 100, lr: 0.005 };
