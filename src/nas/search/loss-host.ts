/**
 * FBNet's loss factor on plain numbers (paper eq. 2): L = task · α · log(COST)^β, with the cost floored at
 * COST_FLOOR (loss.ts uses the same constant on tensors), for views that compare candidates without a device.
 */
export const COST_FLOOR = 1 + 1e-3;

/** α · log(cost)^β, the factor the task loss is multiplied by (β = 0: α, the cost is ignored). */
export function costFactor(cost: number, alpha: number, beta: number): number {
  if (beta === 0) return alpha;
  return alpha * Math.pow(Math.log(Math.max(cost, COST_FLOOR)), beta);
}

/** task · α · log(cost)^β. */
export function fbnetLossValue(task: number, cost: number, alpha: number, beta: number): number {
  return task * costFactor(cost, alpha, beta);
}
