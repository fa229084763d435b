import { describe, expect, it } from 'vitest';
import { ProtoWriter, float32LE, int64LE } from './protobuf.ts';
import { readMessage, readVarint } from './testing/onnx-reader.ts';

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');

describe('ProtoWriter', () => {
  it('writes varints as in the protobuf encoding guide', () => {
    const w = new ProtoWriter();
    w.int(1, 150); // the guide's example: 08 96 01
    expect(hex(w.finish())).toBe('08 96 01');

    const v = (x: number | bigint) => {
      const p = new ProtoWriter();
      p.rawVarint(x);
      return hex(p.finish());
    };
    expect(v(0)).toBe('00');
    expect(v(1)).toBe('01');
    expect(v(127)).toBe('7f');
    expect(v(128)).toBe('80 01');
    expect(v(300)).toBe('ac 02');
    // beyond 32 bits: JS bit operators would truncate these
    expect(v(2 ** 32)).toBe('80 80 80 80 10');
    expect(v(2 ** 53 - 1)).toBe('ff ff ff ff ff ff ff 0f');
    // negative int64 / int32: ten-byte two's complement
    expect(v(-1)).toBe('ff ff ff ff ff ff ff ff ff 01');
    expect(v(-2n)).toBe('fe ff ff ff ff ff ff ff ff 01');
    expect(v(2n ** 63n)).toBe('80 80 80 80 80 80 80 80 80 01');
  });

  it('round-trips varints through an independent reader', () => {
    const values = [0, 1, 2 ** 31, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER, -5, -(2 ** 40)];
    for (const x of values) {
      const w = new ProtoWriter();
      w.rawVarint(x);
      const back = readVarint(w.finish(), { at: 0 });
      expect(Number(BigInt.asIntN(64, back))).toBe(x);
    }
  });

  it('writes tags, strings, floats and nested messages', () => {
    const inner = new ProtoWriter();
    inner.string(1, 'héllo'); // multi-byte UTF-8: length counts bytes, not chars
    inner.float(2, 1.5);
    const outer = new ProtoWriter();
    outer.int(3, 7);
    outer.message(4, inner);
    outer.bytes(5, new Uint8Array([1, 2, 3]));
    const bytes = outer.finish();
    // 18 = 3<<3|0, 07 ; 22 = 4<<3|2, len 0d = 13 ; 0a 06 'h' c3 a9 'llo' ; 15 = 2<<3|5, 00 00 c0 3f ; 2a 03 01 02 03
    expect(hex(bytes)).toBe('18 07 22 0d 0a 06 68 c3 a9 6c 6c 6f 15 00 00 c0 3f 2a 03 01 02 03');
    const m = readMessage(bytes);
    expect(m.get(3)).toEqual([{ wire: 0, value: 7n }]);
    const sub = readMessage((m.get(4)![0] as { bytes: Uint8Array }).bytes);
    expect(new TextDecoder().decode((sub.get(1)![0] as { bytes: Uint8Array }).bytes)).toBe('héllo');
  });

  it('nests a message twice without losing or reordering bytes', () => {
    const a = new ProtoWriter();
    a.bytes(1, new Uint8Array(1000).fill(9));
    a.int(2, 5);
    const b = new ProtoWriter();
    b.message(1, a);
    b.int(2, 6);
    const c = new ProtoWriter();
    c.int(9, 1);
    c.message(3, b);
    const out = c.finish();
    expect(out.length).toBe(c.length);
    const mc = readMessage(out);
    const mb = readMessage((mc.get(3)![0] as { bytes: Uint8Array }).bytes);
    const ma = readMessage((mb.get(1)![0] as { bytes: Uint8Array }).bytes);
    expect((ma.get(1)![0] as { bytes: Uint8Array }).bytes.every((x) => x === 9)).toBe(true);
    expect(ma.get(2)).toEqual([{ wire: 0, value: 5n }]);
    expect(mb.get(2)).toEqual([{ wire: 0, value: 6n }]);
  });

  it('packs floats and varints', () => {
    const w = new ProtoWriter();
    w.packedFloats(4, [1, -2]);
    w.packedVarints(7, [1, 300]);
    expect(hex(w.finish())).toBe('22 08 00 00 80 3f 00 00 00 c0 3a 03 01 ac 02');
  });

  it('encodes little-endian raw data', () => {
    expect(hex(float32LE([1, -0.5]))).toBe('00 00 80 3f 00 00 00 bf');
    expect(hex(int64LE([1, -1, 2 ** 33]))).toBe(
      '01 00 00 00 00 00 00 00 ff ff ff ff ff ff ff ff 00 00 00 00 02 00 00 00',
    );
    expect(hex(int64LE([3n]))).toBe('03 00 00 00 00 00 00 00');
  });
});
