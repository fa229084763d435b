import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { countCost } from '../cost/count.ts';
import { createModel } from '../model/model.ts';
import { CLASSROOM } from '../spaces/classroom.ts';
import { archFromChoices } from '../spaces/derive.ts';
import { PFLD_106 } from '../spaces/pfld106.ts';
import { allTokenLists, checkTokens, oneTokenNeighbours, spaceSize } from './token-space.ts';
import { BLAZE_TABLES, BLAZEFACE_TOKENS, decodeBlaze, tokenSpaceOf } from './token-spaces.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const blaze = (k: number, out: number, stride = 1) => ({ kind: 'blaze', k, out, stride });
const double = (k: number, mid: number, out: number, stride = 1) => ({
  kind: 'double_blaze',
  k,
  mid,
  out,
  stride,
});

describe('BlazeFace-style token space', () => {
  it('has the example range table and initial tokens', () => {
    expect(BLAZEFACE_TOKENS.ranges).toEqual([7, 9, 12, 12, 6, 6, 6, 6, 2]);
    expect(BLAZEFACE_TOKENS.init).toEqual([2, 1, 3, 8, 2, 1, 2, 1, 1]);
    expect(BLAZEFACE_TOKENS.labels).toHaveLength(9);
  });

  it('decodes the initial tokens as hand-decoded', () => {
    // stem[2] = 6, single[1] = 12, double1[3] = 32, double2[8] = 80, mid[2, 1, 2, 1] = 8, 6, 8, 6, kernel[1] = 5
    const arch = BLAZEFACE_TOKENS.decode([2, 1, 3, 8, 2, 1, 2, 1, 1]);
    expect(arch.body).toEqual([
      { kind: 'conv', k: 3, out: 6, stride: 2, act: 'relu' },
      blaze(5, 6),
      blaze(5, 12, 2),
      blaze(5, 12),
      double(5, 8, 32, 2),
      double(5, 6, 32),
      double(5, 8, 80, 2),
      double(5, 6, 80),
    ]);
    expect(arch.head).toMatchObject({ kind: 'landmarks', points: 106 });
  });

  it('decodes the smallest and the largest token lists as hand-decoded', () => {
    const low = decodeBlaze([0, 0, 0, 0, 0, 0, 0, 0, 0], 32);
    expect(low.input.size).toBe(32);
    expect(low.body.map((b) => ('out' in b ? b.out : 0))).toEqual([4, 4, 10, 10, 26, 26, 48, 48]);
    expect(low.body.slice(1, 4).every((b) => b.kind === 'blaze' && b.k === 3)).toBe(true);
    expect(low.body.slice(4).every((b) => b.kind === 'double_blaze' && b.k === 3 && b.mid === 4)).toBe(true);
    const high = decodeBlaze([6, 8, 11, 11, 5, 5, 5, 5, 1]);
    expect(high.body.map((b) => ('out' in b ? b.out : 0))).toEqual([10, 10, 26, 26, 48, 48, 96, 96]);
    expect(high.body.slice(4).every((b) => b.kind === 'double_blaze' && b.k === 5 && b.mid === 16)).toBe(
      true,
    );
    expect(() => decodeBlaze([7, 0, 0, 0, 0, 0, 0, 0, 0])).toThrow(/out of range/);
    expect(() => decodeBlaze([0, 0, 0, 0, 0, 0, 0, 0])).toThrow(/out of range/);
  });

  it('decodes to a network that builds and predicts 212 outputs, cheaper with smaller tokens', () => {
    const arch = decodeBlaze(BLAZEFACE_TOKENS.init!, 32);
    const model = createModel(arch, { seed: 1 });
    const y = tf.tidy(() => model.predict(tf.zeros([1, 32, 32, 3])));
    expect(y.shape).toEqual([1, 212]);
    y.dispose();
    model.dispose();
    // every stage table starts where the previous one ends, so no Blaze shortcut ever narrows
    const T = BLAZE_TABLES;
    const stages = [T.stem, T.single, T.double1, T.double2];
    for (let i = 1; i < stages.length; i++)
      expect(Math.min(...stages[i])).toBeGreaterThanOrEqual(Math.max(...stages[i - 1]));
    const small = countCost(decodeBlaze([0, 0, 0, 0, 0, 0, 0, 0, 0])).macs;
    const large = countCost(decodeBlaze([6, 8, 11, 11, 5, 5, 5, 5, 1])).macs;
    expect(small).toBeLessThan(countCost(arch).macs * 4);
    expect(small).toBeLessThan(large);
  });
});

describe('token spaces derived from block-choice spaces', () => {
  it('gives one token per searchable layer, ranging over its candidates', () => {
    const ts = tokenSpaceOf(CLASSROOM);
    expect(ts.ranges).toEqual([6, 6, 6, 6, 6]);
    expect(ts.decode([0, 1, 2, 3, 5])).toEqual(
      archFromChoices(CLASSROOM, [0, 1, 2, 3, 5], ts.decode([0, 1, 2, 3, 5]).name),
    );
    const pfld = tokenSpaceOf(PFLD_106);
    expect(pfld.ranges.length).toBe(5);
    expect(pfld.decode(pfld.ranges.map((r) => r - 1)).body.length).toBe(PFLD_106.body.length);
  });

  it('checks token lists and enumerates small spaces and neighbourhoods', () => {
    expect(() => checkTokens({ id: 's', ranges: [2, 3] }, [1, 3])).toThrow(/Token 1 .* \[0, 3\), got 3/);
    expect(() => checkTokens({ id: 's', ranges: [2, 3] }, [1])).toThrow(/2 tokens, got 1/);
    expect(spaceSize([2, 3, 4])).toBe(24);
    expect(allTokenLists([2, 3])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
    expect(oneTokenNeighbours([1, 0], [2, 3])).toEqual([
      [0, 0],
      [1, 1],
      [1, 2],
    ]);
  });
});
