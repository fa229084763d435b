/**
 * Hostile share links (issue 19), through the entry point the page uses: whatever follows `#` in the
 * address, readShareFromLocation answers null, a decoded experiment or a ShareError result, and never
 * throws. Inputs: random text, real links mutated and cut, intact frames around random or deeply nested
 * JSON, and bodies built to expand.
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { deflateSync } from 'fflate';
import { DEFAULT_EXPERIMENT } from '../nas/index.ts';
import { toBase64Url } from './base64url.ts';
import { pack } from './envelope.ts';
import { crc32 } from './checksum.ts';
import { readShareFromLocation, shareHash } from './url.ts';
import { FIELDS, K, SYNTH_FIELDS } from './wire-v1.ts';
import type { ShareContext } from './types.ts';
import { logFault } from '../../scripts/fault-log.ts';

const RUNS = 1000;
const CTX: ShareContext = {
  spaces: ['classroom', 'fbnet-v1', 'pfld'],
  candidates: ['k3_e1', 'k3_e1_g2', 'k3_e3', 'k3_e6', 'k5_e1', 'k5_e1_g2', 'k5_e3', 'k5_e6', 'skip'],
  datasets: ['my-faces'],
};
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.%&=#';
const KEYS = [...FIELDS.map((f) => f.key), ...SYNTH_FIELDS.map((f) => f.key), ...Object.values(K)];
const REAL = shareHash({ config: structuredClone(DEFAULT_EXPERIMENT) });

/** A v1 frame around arbitrary bytes with a correct checksum, compressed or not. */
function frame(json: Uint8Array, z: boolean): string {
  const marker = `1${z ? 'z' : ''}.`;
  const m = new TextEncoder().encode(marker);
  const all = new Uint8Array(m.length + json.length);
  all.set(m);
  all.set(json, m.length);
  const body = z ? deflateSync(json) : json;
  const bytes = new Uint8Array(4 + body.length);
  new DataView(bytes.buffer).setUint32(0, crc32(all));
  bytes.set(body, 4);
  return marker + toBase64Url(bytes);
}

const nested = (depth: number, open: string, close: string) => open.repeat(depth) + '1' + close.repeat(depth);

const hash = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => '#' + s),
  fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 120 }).map((s) => '#x=' + s),
  fc.tuple(fc.nat(), fc.constantFrom(...ALPHABET), fc.boolean()).map(([pos, ch, cut]) => {
    const i = pos % REAL.length;
    return cut ? REAL.slice(0, i) : REAL.slice(0, i) + ch + REAL.slice(i + 1);
  }),
  fc
    .oneof(
      fc.dictionary(fc.constantFrom(...KEYS), fc.jsonValue({ maxDepth: 4 })),
      fc.jsonValue({ maxDepth: 4 }),
    )
    .map((p) => '#x=' + pack(p)),
  fc
    .tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom(['[', ']'], ['{"a":', '}']), fc.boolean())
    .map(([d, [o, c], z]) => '#x=' + frame(new TextEncoder().encode(nested(d, o, c)), z)),
  // expands far past any experiment: must be cut at the limit, not inflated in full
  fc.integer({ min: 60_000, max: 1_000_000 }).map((n) => '#x=' + frame(new Uint8Array(n).fill(32), true)),
  fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([a, b]) => `#${a}&x=${b}&${a}`),
);

describe('share link fuzz', () => {
  test('fault: hostile share links — a decoded experiment or a ShareError, never a throw', () => {
    let runs = 0;
    let survived = 0;
    try {
      fc.assert(
        fc.property(hash, (h) => {
          runs++;
          const r = readShareFromLocation(h, CTX);
          if (r?.ok) {
            expect(typeof r.value.config).toBe('object');
            expect(CTX.spaces).toContain(r.value.config.space);
          } else if (r) expect(r.error.message.length).toBeGreaterThan(0);
          survived++;
        }),
        { numRuns: RUNS, seed: 1904 },
      );
    } finally {
      logFault('hostile share links', runs, survived);
    }
    expect(runs).toBeGreaterThanOrEqual(RUNS);
  });
});
