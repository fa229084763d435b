import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { candidateCost, classroomJointSpace, randomCandidate } from './joint-space.ts';
import type { TrainedCandidate } from './joint-search.ts';
import { macsNmeFront, measuredPoints, predictedFronts } from './pareto.ts';

describe('MACs–NME Pareto fronts', () => {
  it('keeps the non-dominated points, sorted by MACs (hand-worked)', () => {
    const pts = [
      { macs: 3, nme: 5, id: 'a' },
      { macs: 1, nme: 9, id: 'b' },
      { macs: 2, nme: 9, id: 'c' }, // dominated by b (same NME, more MACs)
      { macs: 2, nme: 6, id: 'd' },
      { macs: 4, nme: 5, id: 'e' }, // dominated by a
      { macs: 5, nme: 2, id: 'f' },
      { macs: 3, nme: 7, id: 'g' }, // dominated by d
    ];
    expect(macsNmeFront(pts).map((p) => p.id)).toEqual(['b', 'd', 'a', 'f']);
    expect(macsNmeFront([])).toEqual([]);
  });

  it('measured points score at the early-stop point; predicted fronts come per budget', () => {
    const t = (curve: number[], macs: number) => ({ curve, macs }) as unknown as TrainedCandidate;
    const choice = { index: 1, step: 0.5, taus: [0.5, 1, 1], threshold: 0.9 };
    expect(measuredPoints([t([9, 6, 4], 2e6), t([8, 5], 1e6)], choice)).toEqual([
      { macs: 2e6, nme: 6, index: 0 },
      { macs: 1e6, nme: 5, index: 1 },
    ]);
    expect(measuredPoints([t([9, 6, 4], 2e6)], null)[0].nme).toBe(4);
    const space = classroomJointSpace();
    const rng = new Rng(3);
    const best = Array.from({ length: 6 }, (_, i) => ({
      candidate: randomCandidate(space, rng),
      score: 10 - i,
    }));
    const [f] = predictedFronts(space, [{ budget: 5e6, best }]);
    expect(f.budget).toBe(5e6);
    // every front point is one of the candidates at its cost, and none dominates another
    const all = best.map((b) => ({ macs: candidateCost(space, b.candidate).macs, nme: b.score }));
    expect(f.front).toEqual(macsNmeFront(all));
    for (let i = 1; i < f.front.length; i++) {
      expect(f.front[i].macs).toBeGreaterThan(f.front[i - 1].macs);
      expect(f.front[i].nme).toBeLessThan(f.front[i - 1].nme);
    }
  });
});
