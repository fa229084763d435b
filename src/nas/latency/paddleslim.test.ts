import { describe, expect, it } from 'vitest';
import { mapPaddleSlimToSpace, parsePaddleSlimTable } from './paddleslim.ts';
import { candidateNames } from '../arch/candidates.ts';
import type { SearchSpace } from '../arch/spec.ts';
import { candidateCostTable } from '../cost/table.ts';
import { validateTable } from './table.ts';
import { TINY_SPACE } from './testing.ts';

const lines = (...l: string[]) => l.join('\n');

describe('parsePaddleSlimTable', () => {
  it('reads the header, converts units and reports malformed lines with their numbers', () => {
    const text = lines(
      '# measured on a phone', //                        1
      'SD855,PaddleLite,2020-01-01', //                  2 header
      'conv,0,0,1,3,16,16,8,1,3,1,2,1\t2.5', //          3
      'conv,0,0,1,3,16,16,8,1,3,1,2\t1', //              4 too few fields
      'conv,0,0,1,3,16,16,8,1,3,1,2,1 7 8', //           5 three parts
      'relu,1,8,8,8\tfast', //                           6
      'relu,1,8,x,8\t1', //                              7
      'conv,2,0,1,3,16,16,8,1,3,1,2,1\t1', //            8 flag
      'conv,0,0,1,6,16,16,8,4,3,1,2,1\t1', //            9 groups
      'softmax,-1,1,10,1,1\t0.5', //                     10
      'batch_norm,None,1,8,8,8\t-1', //                  11
      'foo,1,2\t3', //                                   12
      'conv,0,0,1,3,16,16,8,1,3,1,2,1\t3.5', //          13 duplicate of 3
      '', //                                             14
      'eltwise,2,1,8,8,8\t0.25', //                      15
      'relu,+1,08,8,8 1e-1', //                          16 canonicalised, space instead of tab
    );
    const p = parsePaddleSlimTable(text);
    expect(p.header).toEqual(['SD855', 'PaddleLite', '2020-01-01']);
    expect(p.unit).toBe('ms');
    expect(p.problems.map((q) => q.line)).toEqual([4, 5, 6, 7, 8, 9, 11, 12, 13]);
    const reason = (line: number) => p.problems.find((q) => q.line === line)?.reason;
    expect(reason(4)).toMatch(/conv needs 12 to 16 fields after the op type, found 11/);
    expect(reason(5)).toMatch(/found 3 whitespace-separated part/);
    expect(reason(6)).toMatch(/latency "fast" is not a number/);
    expect(reason(7)).toMatch(/relu field 3 is "x", expected an integer/);
    expect(reason(8)).toMatch(/flag_bias and flag_relu must be 0 or 1/);
    expect(reason(9)).toMatch(/groups 4 does not divide c_in 6/);
    expect(reason(11)).toMatch(/latency -1 must be finite and ≥ 0/);
    expect(reason(12)).toMatch(/unknown op type "foo"/);
    expect(reason(13)).toMatch(/same op as line 3; this later latency replaces it/);
    expect(p.entries.map((e) => [e.line, e.key, e.ms])).toEqual([
      [13, 'conv,0,0,1,3,16,16,8,1,3,1,2,1', 3.5],
      [10, 'softmax,-1,1,10,1,1', 0.5],
      [15, 'eltwise,2,1,8,8,8', 0.25],
      [16, 'relu,1,8,8,8', 0.1],
    ]);
  });

  it('takes the unit from a PaddleDetection-style header, or from the caller', () => {
    const us = parsePaddleSlimTable('op_type\t855\tus\r\nconv,0,0,1,3,16,16,8,1,3,1,2,1\t2433\r\n');
    expect(us.header).toEqual(['op_type', '855', 'us']);
    expect(us.unit).toBe('us');
    expect(us.entries[0].ms).toBeCloseTo(2.433, 12);
    const noHeader = parsePaddleSlimTable('conv,0,0,1,3,16,16,8,1,3,1,2,1\t2433', { unit: 'us' });
    expect(noHeader.header).toEqual([]);
    expect(noHeader.entries[0].ms).toBeCloseTo(2.433, 12);
    // a broken op line in first position is a problem, not a header
    const broken = parsePaddleSlimTable('conv,0,0\t1\nrelu,1,8,8,8\t1');
    expect(broken.header).toEqual([]);
    expect(broken.problems).toEqual([{ line: 1, reason: expect.stringMatching(/conv needs 12 to 16/) }]);
  });
});

/* TINY_SPACE at 16px: stem conv 3->8 k3 s2 (16x16 -> 8x8); layer 1 (8x8x8 -> 8) k3_e1 | k3_e3 | skip;
 * layer 2 (8x8x8 -> 4x4x16) k3_e1 | k5_e3; head GAP + FC 16 -> 4. Keys in PaddleSlim order. */
const STEM = 'conv,0,0,1,3,16,16,8,1,3,1,2,1';
const L1_E1 = ['conv,0,0,1,8,8,8,8,8,3,1,1,1', 'conv,0,0,1,8,8,8,8,1,1,0,1,1'];
const L1_E3 = [
  'conv,0,0,1,8,8,8,24,1,1,0,1,1',
  'conv,0,0,1,24,8,8,24,24,3,1,1,1',
  'conv,0,0,1,24,8,8,8,1,1,0,1,1',
];
const L2_E1 = ['conv,0,0,1,8,8,8,8,8,3,1,2,1', 'conv,0,0,1,8,4,4,16,1,1,0,1,1'];
const L2_K5 = ['conv,0,0,1,24,8,8,24,24,5,2,2,1', 'conv,0,0,1,24,4,4,16,1,1,0,1,1']; // expand shared with L1_E3[0]
const FC = 'conv,0,0,1,16,1,1,4,1,1,0,1,1';

const row = (key: string, v: number) => `${key}\t${v}`;

describe('mapPaddleSlimToSpace', () => {
  it('sums the conv ops of every candidate (a conv-only table in µs)', () => {
    const text = lines(
      'op_type\t855\tus',
      row(STEM, 100),
      row(L1_E1[0], 10),
      row(L1_E1[1], 20),
      row(L1_E3[0], 40),
      row(L1_E3[1], 50),
      row(L1_E3[2], 60),
      row(L2_E1[0], 15),
      row(L2_E1[1], 25),
      row(L2_K5[0], 70),
      row(L2_K5[1], 35),
      row(FC, 5),
    );
    const p = parsePaddleSlimTable(text);
    expect(p.problems).toEqual([]);
    const m = mapPaddleSlimToSpace(p.entries, TINY_SPACE, 16, { header: p.header });
    expect(m.unmapped).toEqual([]);
    expect(m.matched).toBe(1 + 2 + 3 + 2 + 3 + 1);
    expect(m.estimated).toBe(0);
    const [l1, l2] = m.table.layers;
    expect(l1.candidates).toEqual(['k3_e1', 'k3_e3', 'skip']);
    expect(l1.ms[0]).toBeCloseTo(0.03, 12);
    expect(l1.ms[1]).toBeCloseTo(0.15, 12);
    expect(l1.ms[2]).toBe(0); // identity
    expect(l2.ms[0]).toBeCloseTo(0.04, 12);
    expect(l2.ms[1]).toBeCloseTo(0.145, 12);
    expect(m.table.fixedMs).toBeCloseTo(0.105, 12);
    expect(m.table).toMatchObject({
      source: 'imported-paddleslim',
      backend: 'paddleslim',
      adapter: 'op_type 855 us',
    });
    expect(validateTable(m.table)).toEqual(m.table);
  });

  it('adds BatchNorm, activation and residual ops when the table has those op types, and reports gaps', () => {
    const text = lines(
      row(STEM, 100),
      row(L1_E1[0], 10),
      row(L1_E1[1], 20),
      ...L1_E3.map((k) => row(k, 50)),
      'batch_norm,None,1,8,8,8\t3',
      'relu,1,8,8,8\t2',
      'eltwise,2,1,8,8,8\t4',
    );
    const m = mapPaddleSlimToSpace(parsePaddleSlimTable(text).entries, TINY_SPACE, 16);
    // k3_e1: dw 10 + BN 3 + relu 2, project 20 + BN 3, residual add 4
    expect(m.table.layers[0].ms[0]).toBeCloseTo(42, 12);
    // k3_e3: convs 150, BN/relu on 24 channels missing, project BN 3, add 4
    expect(m.table.layers[0].ms[1]).toBeCloseTo(157, 12);
    // stem: conv 100 + BN 3 + relu 2, plus the estimated FC
    expect(m.table.fixedMs).toBeGreaterThan(105);
    expect(m.unmapped).toContain('layer 1 k3_e3: batch_norm,None,1,24,8,8 is not in the table (left out)');
    expect(m.unmapped).toContain('layer 1 k3_e3: relu,1,24,8,8 is not in the table (left out)');
    expect(
      m.unmapped.some((u) =>
        u.startsWith(`head: ${FC.replace('conv,0,0', 'conv,1,0')} is not in the table (estimated`),
      ),
    ).toBe(true);
  });

  it('maps a block kind from its lowering alone: ir_pool (expand-BN-hswish, global pool, 1x1 + bias)', () => {
    const space: SearchSpace = {
      ...TINY_SPACE,
      body: [...TINY_SPACE.body, { kind: 'ir_pool', e: 2, out: 12, act: 'hswish' }],
    };
    // after the second searchable layer the map is 4x4x16; ir_pool expands to 32 there
    const text = lines(
      row(STEM, 100),
      'conv,0,0,1,16,4,4,32,1,1,0,1,1\t7',
      'batch_norm,None,1,32,4,4\t1',
      'hard_swish,1,32,4,4\t0.5',
      'pooling,1,1,32,4,4,4,0,1,0,1\t0.25',
      'conv,1,0,1,32,1,1,12,1,1,0,1,1\t3',
      'hard_swish,1,12,1,1\t0.125',
      'conv,1,0,1,12,1,1,4,1,1,0,1,1\t2',
    );
    const m = mapPaddleSlimToSpace(parsePaddleSlimTable(text).entries, space, 16);
    // stem 100 (its BN and the head's pooling are not in the table) + ir_pool 7 + 1 + 0.5 + 0.25 + 3 + 0.125
    // + FC 2
    expect(m.table.fixedMs).toBeCloseTo(113.875, 12);
    expect(m.unmapped).toContain('head: pooling,1,1,12,1,1,… is not in the table (left out)');
    expect(m.unmapped.filter((u) => u.startsWith('body 3'))).toEqual([]);
  });

  it('maps BlazeBlocks from their lowering: convs, the shortcut max pool, the residual add and the ReLU', () => {
    const space: SearchSpace = {
      ...TINY_SPACE,
      body: [...TINY_SPACE.body, { kind: 'blaze', k: 3, out: 24, stride: 2 }],
    };
    // on the 4x4x16 map: dw 3x3/2 -> 2x2x16, BN; pw 1x1 -> 24, BN; 2x2/2 max pool of the input; the zero
    // channels are free; add; relu
    const text = lines(
      row(STEM, 100),
      'conv,0,0,1,16,4,4,16,16,3,1,2,1\t4',
      'conv,0,0,1,16,2,2,24,1,1,0,1,1\t2',
      'batch_norm,None,1,16,2,2\t0.5',
      'batch_norm,None,1,24,2,2\t0.25',
      'pooling,0,1,16,4,4,2,0,2,1,1\t0.125',
      'eltwise,2,1,24,2,2\t0.0625',
      'relu,1,24,2,2\t0.03125',
    );
    const m = mapPaddleSlimToSpace(parsePaddleSlimTable(text).entries, space, 16);
    expect(m.unmapped.filter((u) => u.startsWith('body 3'))).toEqual([]);
    // + the head's FC, not in the table, estimated from its MACs (the fitted line)
    const fc = m.unmapped.find((u) => u.startsWith('head: conv,1,0,1,24,1,1,4,'));
    expect(fc).toMatch(/estimated 0\.688 ms/);
    expect(m.table.fixedMs).toBeCloseTo(100 + 4 + 2 + 0.5 + 0.25 + 0.125 + 0.0625 + 0.03125 + 0.6875, 9);
  });

  it('uses fused conv entries (Paddle-Lite) without adding their BatchNorm and ReLU again', () => {
    const text = lines(
      row(STEM.replace('conv,0,0', 'conv,1,1'), 50),
      'batch_norm,None,1,8,8,8\t3',
      'relu,1,8,8,8\t2',
      row(FC, 5),
    );
    const m = mapPaddleSlimToSpace(parsePaddleSlimTable(text).entries, TINY_SPACE, 16);
    expect(m.table.fixedMs).toBeCloseTo(55, 12);
  });

  it('estimates missing convs from a line fitted to the table (ms = a + b · MACs)', () => {
    // dense 1x1 convs following ms = 0.5 + 1e-4 · MACs exactly
    const text = lines(
      row('conv,0,0,1,8,8,8,8,1,1,0,1,1', 0.5 + 1e-4 * 4096),
      row('conv,0,0,1,8,8,8,24,1,1,0,1,1', 0.5 + 1e-4 * 12288),
      row('conv,0,0,1,16,4,4,16,1,1,0,1,1', 0.5 + 1e-4 * 4096),
    );
    const m = mapPaddleSlimToSpace(parsePaddleSlimTable(text).entries, TINY_SPACE, 16);
    // k3_e1 at layer 1: project found (0.9096); the 3x3 depthwise (no depthwise data: the dense line)
    // has 8 · 8 · 8 · 9 = 4608 MACs -> 0.9608
    expect(m.table.layers[0].ms[0]).toBeCloseTo(0.9096 + 0.9608, 9);
    expect(m.unmapped).toContain(
      'layer 1 k3_e1: conv,0,0,1,8,8,8,8,8,3,1,1,1 is not in the table (estimated 0.961 ms from its MACs)',
    );
    expect(m.matched).toBeGreaterThan(0);
    expect(m.estimated).toBeGreaterThan(0);
  });

  it('refuses a table without conv entries', () => {
    const p = parsePaddleSlimTable('relu,1,8,8,8\t1');
    expect(() => mapPaddleSlimToSpace(p.entries, TINY_SPACE, 16)).toThrow(/no conv entries/);
  });

  it('decomposes every inverted-residual, separable and skip candidate into exactly its counted MACs', () => {
    // one dense and one depthwise conv, both at 1e-6 ms per MAC: every conv is estimated (or found) at
    // 1e-6 · its MACs and the table has no other op types, so a candidate's time is 1e-6 · Σ conv MACs
    const text = lines(
      row('conv,0,0,1,4,4,4,4,1,1,0,1,1', 1e-6 * 256),
      row('conv,0,0,1,4,4,4,4,4,3,1,1,1', 1e-6 * 576),
    );
    const names = candidateNames().filter((n) => !n.startsWith('gh_'));
    const space: SearchSpace = {
      ...TINY_SPACE,
      id: 'all-candidates',
      body: [
        { kind: 'conv', k: 3, out: 16, stride: 2, act: 'relu' },
        { kind: 'search', out: 16, stride: 1, candidates: names },
        { kind: 'search', out: 24, stride: 2, candidates: names },
      ],
    };
    const m = mapPaddleSlimToSpace(parsePaddleSlimTable(text).entries, space, 32);
    const counted = candidateCostTable(space, {}, 32);
    m.table.layers.forEach((l, i) => {
      l.ms.forEach((ms, j) =>
        expect(ms, `${l.candidates[j]} at layer ${l.layer}`).toBeCloseTo(1e-6 * counted[i].macs[j], 9),
      );
    });
  });
});
