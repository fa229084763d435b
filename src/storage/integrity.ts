/**
 * Integrity checks for what we keep in IndexedDB. A record is written first and the manifest that vouches
 * for it last, carrying the record's length and checksum; a reader recomputes both and refuses a record
 * that does not match (garbage bytes, a truncated tensor, a record from an interrupted write). Records
 * written before checksums existed carry none and are read as before (legacy-valid), still length-checked.
 *
 * The checksum is a 32-bit FNV-1a-style hash over a canonical walk of a structured-clone value: every
 * typed array by its kind, length and bytes, other values by type tag and content. It detects accidental
 * damage, not tampering.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Incremental hash: feed bytes, words and strings; `value` is the current 32-bit digest. */
class Hasher {
  value = FNV_OFFSET;

  byte(b: number): void {
    this.value = Math.imul(this.value ^ (b & 0xff), FNV_PRIME);
  }

  /** One 32-bit word at a time (4x fewer rounds than per byte; still order- and position-sensitive). */
  word(w: number): void {
    this.value = Math.imul(this.value ^ (w >>> 0), FNV_PRIME);
    this.value ^= this.value >>> 15;
  }

  string(s: string): void {
    this.word(s.length);
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
  }

  bytes(view: ArrayBufferView): void {
    const u8 = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    this.word(u8.length);
    const whole = u8.length & ~3;
    // a Uint32 view needs 4-byte alignment; copy when the view starts elsewhere
    const aligned = u8.byteOffset % 4 === 0 ? u8 : u8.slice();
    const words = new Uint32Array(aligned.buffer, aligned.byteOffset, whole >> 2);
    for (let i = 0; i < words.length; i++) this.word(words[i]);
    for (let i = whole; i < u8.length; i++) this.byte(u8[i]);
  }
}

const f64 = new Float64Array(1);
const f64words = new Uint32Array(f64.buffer);

function walk(h: Hasher, v: unknown): void {
  if (ArrayBuffer.isView(v)) {
    h.string(Object.prototype.toString.call(v));
    h.bytes(v);
  } else if (v instanceof ArrayBuffer) {
    h.string('ArrayBuffer');
    h.bytes(new Uint8Array(v));
  } else if (Array.isArray(v)) {
    h.word(0xa1);
    h.word(v.length);
    for (const x of v) walk(h, x);
  } else if (v === null) h.word(0xa2);
  else if (v === undefined) h.word(0xa3);
  else if (typeof v === 'number') {
    h.word(0xa4);
    f64[0] = v;
    h.word(f64words[0]);
    h.word(f64words[1]);
  } else if (typeof v === 'string') {
    h.word(0xa5);
    h.string(v);
  } else if (typeof v === 'boolean') h.word(v ? 0xa6 : 0xa7);
  else if (typeof v === 'object') {
    h.word(0xa8);
    const entries = Object.entries(v as Record<string, unknown>);
    h.word(entries.length);
    for (const [k, x] of entries) {
      h.string(k);
      walk(h, x);
    }
  } else h.string(String(v));
}

/** Checksum of a structured-clone value (order of object keys counts, as structured cloning keeps it). */
export function checksum(value: unknown): number {
  const h = new Hasher();
  walk(h, value);
  return h.value >>> 0;
}

/** Checksum of the first `bytes` bytes of a typed array (a dataset chunk counts only its committed part). */
export function checksumPrefix(view: ArrayBufferView, bytes: number): number {
  const h = new Hasher();
  h.bytes(new Uint8Array(view.buffer, view.byteOffset, Math.min(bytes, view.byteLength)));
  return h.value >>> 0;
}

/** A stored record failed its length or checksum check. */
export class CorruptRecordError extends Error {
  constructor(
    readonly what: string,
    readonly reason: string,
    advice = '',
  ) {
    super(`${what} is damaged (${reason})${advice ? `: ${advice}` : ''}.`);
    this.name = 'CorruptRecordError';
  }
}
