import { describe, expect, it } from 'vitest';
import { candidateCost, classroomJointSpace, initialState } from '../../nas/index.ts';
import { DEFAULT_V3_SETTINGS, jointConfigOf } from '../../worker/v3-session.ts';
import { rowsCsv, rowsOf, type V3Row } from './candidate-table.ts';

describe('FBNetV3 candidate table', () => {
  it('describes each trained candidate: architecture per stage, recipe, MACs, last measured NME', () => {
    const state = initialState(jointConfigOf(DEFAULT_V3_SETTINGS));
    const space = classroomJointSpace(state.config.space);
    const q = state.queue[0];
    state.trained.push({ ...q, curve: [40, 30, 25.5], macs: 0 });
    const [row] = rowsOf(state);
    expect(row.index).toBe(1);
    expect(row.stage).toBe('round0');
    expect(row.measured).toBe(25.5);
    expect(row.predicted).toBeNull();
    expect(row.macs).toBe(candidateCost(space, q.candidate).macs);
    // resolution, then kernel / expansion / width × depth of each of the three stages
    const [res, k0, e0, w0, d0] = q.candidate;
    expect(row.arch).toMatch(new RegExp(`^${res} px, \\d+ blocks: k${k0} e${e0} w${w0}×${d0} \\| `));
    expect(row.arch.split(' | ')).toHaveLength(3);
    expect(row.recipe).toMatch(/^(sgd|adam) lr \S+ wd \S+ ema \S+ aug \d\.\d\d \d+ steps$/);
  });

  it('writes CSV with a header, empty cells for null and quoted cells that hold a comma or a quote', () => {
    const rows: V3Row[] = [
      {
        index: 1,
        stage: 'verify',
        round: 2,
        budget: 1500000,
        arch: '32 px, 5 blocks',
        recipe: 'say "hi"',
        macs: 1234,
        measured: 12.5,
        predicted: null,
      },
    ];
    expect(rowsCsv(rows)).toBe(
      'index,stage,round,budget,arch,recipe,macs,measured_nme,predicted_nme\n' +
        '1,verify,2,1500000,"32 px, 5 blocks","say ""hi""",1234,12.5,\n',
    );
  });
});
