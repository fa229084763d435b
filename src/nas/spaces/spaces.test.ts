import { describe, expect, it } from 'vitest';
import { hasCandidate } from '../arch/candidates.ts';
import { isSearchLayer } from '../arch/spec.ts';
import { countCost } from '../cost/count.ts';
import { candidateCostTable, expectedCost, fixedCost } from '../cost/table.ts';
import { Rng } from '../rng.ts';
import { archFromChoices, resolveSpace, searchLayerIndices } from './derive.ts';
import { SPACES } from './index.ts';

const shape = (h: number, c: number) => ({ h, w: h, c });

describe('search spaces', () => {
  for (const space of Object.values(SPACES)) {
    describe(space.id, () => {
      it('resolves, names real candidates and describes itself', () => {
        expect(space.id).toBe(Object.keys(SPACES).find((k) => SPACES[k] === space));
        expect(space.title.length).toBeGreaterThan(5);
        expect(space.description.length).toBeGreaterThan(200);
        expect(resolveSpace(space)).toEqual(space);
        for (const b of space.body)
          if (isSearchLayer(b)) for (const n of b.candidates) expect(hasCandidate(n)).toBe(true);
      });

      it('one-hot expected cost equals the derived architecture cost exactly', () => {
        const table = candidateCostTable(space);
        const fixed = fixedCost(space);
        const rng = new Rng(7);
        for (let draw = 0; draw < 4; draw++) {
          const choices = table.map((r) => rng.int(r.candidates.length));
          const probs = table.map((r, l) => r.candidates.map((_, i) => (i === choices[l] ? 1 : 0)));
          const arch = archFromChoices(space, choices, 'x');
          expect(expectedCost(table, probs, fixed)).toEqual(countCost(arch));
        }
      });

      it('propagates shapes layer to layer', () => {
        const table = candidateCostTable(space);
        expect(table.map((r) => r.layer)).toEqual(searchLayerIndices(space));
        for (let l = 1; l < table.length; l++) {
          if (table[l].layer === table[l - 1].layer + 1)
            expect(table[l].inShape).toEqual(table[l - 1].outShape);
        }
      });
    });
  }

  it('per-layer input shapes', () => {
    expect(candidateCostTable(SPACES.classroom).map((r) => r.inShape)).toEqual([
      shape(32, 8),
      shape(32, 8),
      shape(16, 16),
      shape(16, 16),
      shape(8, 32),
    ]);
    expect(candidateCostTable(SPACES.pfld_106).map((r) => r.inShape)).toEqual([
      shape(14, 32),
      shape(14, 32),
      shape(14, 32),
      shape(7, 64),
      shape(7, 64),
    ]);
    const fb = candidateCostTable(SPACES.fbnet_v1_imagenet);
    expect(fb.length).toBe(22);
    expect(fb.every((r) => r.candidates.length === 9)).toBe(true);
    expect(fb[0].inShape).toEqual(shape(112, 16));
    expect(fb[21].outShape).toEqual(shape(7, 352));
  });

  it('classroom works from 32 to 128 pixels and stays cheap', () => {
    for (const size of [32, 64, 128]) {
      const t = candidateCostTable(SPACES.classroom, {}, size);
      expect(t.at(-1)?.outShape).toEqual(shape(size / 8, 32));
    }
    const t = candidateCostTable(SPACES.classroom);
    const f = fixedCost(SPACES.classroom);
    const max = t.reduce((s, r) => s + Math.max(...r.macs), f.macs);
    expect(max).toBeLessThan(10e6);
    expect(max).toBeGreaterThan(1e6);
  });

  it('uniform probabilities give the hand-computed mean', () => {
    // keep only layer 1 searchable in practice: the others are reduced to "skip"
    const edits = { 2: ['skip'], 3: ['skip'], 4: ['skip'], 5: ['skip'] };
    const table = candidateCostTable(SPACES.classroom, edits);
    const probs = table.map((r) => r.candidates.map(() => 1 / r.candidates.length));
    const got = expectedCost(table, probs, fixedCost(SPACES.classroom));
    // fixed: stem 32*32*8*27 = 221184 (216+16) ; features 8*8*64*32 = 131072 (2048+128) ;
    // FC over 64 channels x 16 grid cells: 1024*212 = 217088 (+212)
    const fixedMacs = 221184 + 131072 + 217088;
    const fixedParams = 232 + 2176 + 217300;
    // layer 1 at 32x32x8 -> 8: k3_e1 73728+65536 ; k3_e3 196608+221184+196608 ; k5_e3 196608+614400+196608 ;
    // k3_e6 393216+442368+393216 ; k5_e6 393216+1228800+393216 ; skip 0
    const layer1Macs = [139264, 614400, 1007616, 1228800, 2015232, 0];
    const layer1Params = [168, 712, 1096, 1408, 2176, 0];
    // skip projections: layer 2 (8->16, 16x16) 32768 (128+32) ; layer 4 (16->32, 8x8) 32768 (512+64)
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(table[0].macs).toEqual(layer1Macs);
    expect(table[0].params).toEqual(layer1Params);
    expect(got.macs).toBeCloseTo(fixedMacs + mean(layer1Macs) + 2 * 32768, 6);
    expect(got.params).toBeCloseTo(fixedParams + mean(layer1Params) + 160 + 576, 6);
  });

  it('rejects bad edits and choices with clear errors', () => {
    const s = SPACES.classroom;
    expect(() => resolveSpace(s, { 1: ['k3_e1', 'nope'] })).toThrow(/"nope".*layer 1/);
    expect(() => resolveSpace(s, { 0: ['k3_e1'] })).toThrow(/body index 0 is a fixed conv/);
    expect(() => resolveSpace(s, { 42: ['k3_e1'] })).toThrow(/42/);
    expect(() => resolveSpace(s, { 1: [] })).toThrow(/no candidates/);
    expect(() => resolveSpace(s, { 1: ['skip', 'skip'] })).toThrow(/twice/);
    expect(() => archFromChoices(s, [0, 0], 'x')).toThrow(/5 searchable layers/);
    expect(() => archFromChoices(s, [0, 0, 0, 0, 6], 'x')).toThrow(/out of range/);
    // edits reach the derived network and the table
    const edited = resolveSpace(s, { 1: ['mb_k3_e2_res_se', 'gh_k3'] });
    expect(archFromChoices(edited, [1, 0, 0, 0, 0], 'x').body[1]).toMatchObject({ kind: 'ghost', k: 3 });
    expect(candidateCostTable(s, { 1: ['gh_k3'] })[0].candidates).toEqual(['gh_k3']);
    expect(s.body[1]).toMatchObject({ candidates: ['k3_e1', 'k3_e3', 'k5_e3', 'k3_e6', 'k5_e6', 'skip'] });
  });
});
