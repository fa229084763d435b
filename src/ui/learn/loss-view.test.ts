import { describe, expect, it } from 'vitest';
import { lossRows, winnerOf, winnersOverBeta } from './loss-view.ts';

describe('loss section numbers', () => {
  it('β = 0 ignores the cost: the block with the lowest task loss (the dearest) wins', () => {
    const rows = lossRows(0, 0.2, 0, 0.3);
    expect(rows[winnerOf(rows)].candidate).toBe('k5_e6');
    for (const r of rows) expect(r.loss).toBeCloseTo(0.2 * r.task, 12);
  });

  it('a large β makes the cheapest candidate win; α never changes the winner', () => {
    for (let layer = 0; layer < 5; layer++) {
      const rows = lossRows(layer, 0.2, 2, 0.3);
      const cheapest = rows.reduce((b, r, i) => (r.cost < rows[b].cost ? i : b), 0);
      expect(winnerOf(rows)).toBe(cheapest);
      for (const alpha of [0.05, 1, 2])
        expect(winnerOf(lossRows(layer, alpha, 0.7, 0.3))).toBe(winnerOf(lossRows(layer, 0.2, 0.7, 0.3)));
    }
  });

  it('hand-checked cost and loss: layer 1, skip at 64 px', () => {
    const skip = lossRows(0, 0.2, 0.6, 0.3).find((r) => r.candidate === 'skip')!;
    // fixed 569 344 + k3_e3 at layers 2-5 (350 208 + 503 808 + 322 560 + 448 512) + skip 0 MACs
    expect(skip.cost).toBeCloseTo(2.194432, 9);
    expect(skip.loss).toBeCloseTo(0.2 * Math.log(2.194432) ** 0.6, 9);
    expect(winnersOverBeta(0, 0.2, 0.3).at(-1)!.winner).toBe(5);
  });
});
