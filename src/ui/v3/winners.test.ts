import { describe, expect, it } from 'vitest';
import { candidateKey, type JointSearchState, type TrainedCandidate } from '../../nas/index.ts';
import { verifiedWinners } from './winners.ts';

const rec = (
  c: number[],
  stage: TrainedCandidate['stage'],
  budget: number | null,
  nme: number,
  macs: number,
) =>
  ({
    candidate: c,
    stage,
    budget,
    curve: [nme + 5, nme],
    macs,
    round: 2,
    poolIndex: -1,
    predicted: null,
    points: 2,
  }) as TrainedCandidate;

const state = (trained: TrainedCandidate[], fine: [number, number[][]][], verify = 2) =>
  ({
    config: { fine: { verify } },
    trained,
    fine: fine.map(([budget, best]) => ({
      budget,
      best: best.map((candidate) => ({ candidate, score: 1 })),
    })),
  }) as unknown as JointSearchState;

describe('verifiedWinners', () => {
  it('picks per budget the verified candidate with the lowest final NME; round and default-recipe runs never count', () => {
    const s = state(
      [
        rec([1], 'round', null, 1, 1e6), // best NME, but not a verification
        rec([2], 'verify', 2e6, 9, 1.5e6),
        rec([3], 'verify', 2e6, 7, 1.9e6),
        rec([3, 0], 'default-recipe', 2e6, 5, 1.9e6),
        rec([4], 'verify', 4e6, 8, 3e6),
      ],
      [
        [2e6, [[3], [2]]],
        [4e6, [[4], [3]]],
      ],
    );
    const w = verifiedWinners(s);
    expect(w.map((x) => [x.budget, x.key, x.nme])).toEqual([
      [2e6, candidateKey([3]), 7],
      // [3] was trained once (for 2e6) but the 4e6 search picked it too, and it fits: it wins there
      [4e6, candidateKey([3]), 7],
    ]);
  });

  it('a budget without a verified candidate that fits has no winner', () => {
    const s = state(
      [rec([2], 'verify', 2e6, 9, 1.5e6)],
      [
        [2e6, [[2]]],
        [1e6, [[2]]], // picked but over this budget
        [3e6, []],
      ],
    );
    expect(verifiedWinners(s).map((x) => x.budget)).toEqual([2e6]);
    expect(verifiedWinners(state([], [[2e6, [[2]]]]))).toEqual([]);
  });
});
