/**
 * The numbers behind the loss section: FBNet's loss (eq. 2, the engine's fbnetLossValue) for each candidate
 * of one classroom layer, the others held at a middle candidate. Costs are the engine's MAC counts in
 * millions (the trainer's unit for MACs). The task losses are a stated stand-in: 1 for the cheapest block,
 * falling linearly with MACs to 1 − gap for the dearest, since only a trained supernet knows the real ones.
 */
import { candidateCostTable, fbnetLossValue, fixedCost, SPACES } from '../../nas/index.ts';

/** The candidate the other layers keep while one layer's candidates are compared. */
export const HELD_CANDIDATE = 'k3_e3';

export interface LossRow {
  candidate: string;
  /** Whole network's MACs in millions with this candidate at the layer. */
  cost: number;
  task: number;
  loss: number;
}

export function lossRows(layer: number, alpha: number, beta: number, gap: number, inputSize = 64): LossRow[] {
  const space = SPACES.classroom;
  const table = candidateCostTable(space, {}, inputSize);
  const fixed = fixedCost(space, inputSize).macs;
  const held = table.reduce(
    (s, r, l) => (l === layer ? s : s + r.macs[r.candidates.indexOf(HELD_CANDIDATE)]),
    0,
  );
  const row = table[layer];
  const lo = Math.min(...row.macs);
  const hi = Math.max(...row.macs);
  return row.candidates.map((candidate, i) => {
    const cost = (fixed + held + row.macs[i]) / 1e6;
    const task = 1 - gap * (hi > lo ? (row.macs[i] - lo) / (hi - lo) : 0);
    return { candidate, cost, task, loss: fbnetLossValue(task, cost, alpha, beta) };
  });
}

/** Index of the smallest loss (the candidate the search would favour). */
export function winnerOf(rows: LossRow[]): number {
  let best = 0;
  rows.forEach((r, i) => {
    if (r.loss < rows[best].loss) best = i;
  });
  return best;
}

/** The winner at each β of a grid over [0, 2] (α only scales every candidate's loss alike). */
export function winnersOverBeta(
  layer: number,
  alpha: number,
  gap: number,
  steps = 50,
): { beta: number; winner: number }[] {
  return Array.from({ length: steps + 1 }, (_, k) => {
    const beta = (2 * k) / steps;
    return { beta, winner: winnerOf(lossRows(layer, alpha, beta, gap)) };
  });
}
