/**
 * Positional encoding of an Arch for links: each block becomes `[code, ...fields]` in a fixed field order,
 * with absent optional fields as null and trailing nulls dropped, so `{kind:'ir',k:3,e:6,out:32,stride:1}`
 * travels as `["i",3,6,32,1]`. Decoding is strict: an architecture is either exactly valid or rejected
 * (clamping a kernel size would silently describe a different network).
 */
import type { Arch, BlockSpec, HeadSpec } from '../nas/index.ts';
import { cutText, show } from './rules.ts';

type Check = (v: unknown) => boolean;
const int =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const oneOf =
  (...values: string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v);
const isBool: Check = (v) => typeof v === 'boolean';
const expansion: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 16;

export const ARCH_NAME_MAX = 80;
const MAX_BLOCKS = 256;

const K = int(1, 15);
const OUT = int(1, 8192);
const STRIDE = int(1, 4);
const GROUPS = int(1, 256);
const DILATION = int(1, 8);
const ACT = oneOf('relu', 'relu6', 'hswish', 'swish', 'none');
const ATTN = oneOf('none', 'se', 'ese');

/** [field, check, optional] in wire order; required fields first so trailing nulls are the optional ones. */
type FieldList = [string, Check, boolean][];
const BLOCKS: Record<BlockSpec['kind'], { code: string; fields: FieldList }> = {
  conv: {
    code: 'c',
    fields: [
      ['k', K, false],
      ['out', OUT, false],
      ['stride', STRIDE, false],
      ['act', ACT, false],
      ['groups', GROUPS, true],
      ['dilation', DILATION, true],
      ['noBn', isBool, true],
    ],
  },
  ir: {
    code: 'i',
    fields: [
      ['k', K, false],
      ['e', expansion, false],
      ['out', OUT, false],
      ['stride', STRIDE, false],
      ['groups', GROUPS, true],
      ['dilation', DILATION, true],
      ['attention', ATTN, true],
      ['act', ACT, true],
      // appended last (FBNetV3's IR options): links made before them decode unchanged
      ['dwPad', int(0, 14), true],
      ['seReduce', oneOf('hidden', 'input'), true],
      ['seAct', ACT, true],
    ],
  },
  skip: {
    code: 's',
    fields: [
      ['out', OUT, false],
      ['stride', STRIDE, false],
    ],
  },
  sep: {
    code: 'p',
    fields: [
      ['k', K, false],
      ['out', OUT, false],
      ['stride', STRIDE, false],
      ['dilation', DILATION, true],
      ['attention', ATTN, true],
      ['act', ACT, true],
    ],
  },
  ghost: {
    code: 'g',
    fields: [
      ['k', K, false],
      ['e', expansion, false],
      ['out', OUT, false],
      ['stride', STRIDE, false],
      ['attention', ATTN, true],
      ['act', ACT, true],
    ],
  },
  pelee_stem: { code: 'P', fields: [['out', OUT, false]] },
  ir_pool: {
    code: 'o',
    fields: [
      ['e', expansion, false],
      ['out', OUT, false],
      ['act', ACT, true],
    ],
  },
  blaze: {
    code: 'b',
    fields: [
      ['k', K, false],
      ['out', OUT, false],
      ['stride', STRIDE, false],
      ['act', ACT, true],
    ],
  },
  double_blaze: {
    code: 'B',
    fields: [
      ['k', K, false],
      ['mid', OUT, false],
      ['out', OUT, false],
      ['stride', STRIDE, false],
      ['act', ACT, true],
    ],
  },
  dwpool: {
    code: 'd',
    fields: [
      ['k', K, false],
      ['stride', STRIDE, false],
      ['act', ACT, true],
    ],
  },
};
const KIND_OF_CODE = new Map(Object.entries(BLOCKS).map(([kind, b]) => [b.code, kind as BlockSpec['kind']]));

const HEADS: Record<HeadSpec['kind'], { code: string; fields: FieldList }> = {
  classifier: {
    code: 'c',
    fields: [
      ['classes', int(1, 100_000), false],
      ['features', int(1, 8192), true],
      ['act', ACT, true],
    ],
  },
  landmarks: {
    code: 'l',
    fields: [
      ['points', int(1, 10_000), false],
      ['features', int(1, 8192), true],
      ['act', ACT, true],
      ['taps', (v) => Array.isArray(v) && v.length <= 64 && v.every(int(0, MAX_BLOCKS - 1)), true],
      // appended last: links made before the grid existed decode unchanged
      ['grid', int(1, 16), true],
    ],
  },
};
const HEAD_OF_CODE = new Map(Object.entries(HEADS).map(([kind, h]) => [h.code, kind as HeadSpec['kind']]));

function packFields(obj: Record<string, unknown>, code: string, fields: FieldList): unknown[] {
  const out: unknown[] = [code, ...fields.map(([name]) => (obj[name] === undefined ? null : obj[name]))];
  while (out.length > 1 && out[out.length - 1] === null) out.pop();
  return out;
}

export function packArch(a: Arch): unknown {
  const blocks = BLOCKS as Record<string, { code: string; fields: FieldList }>;
  const heads = HEADS as Record<string, { code: string; fields: FieldList }>;
  return {
    n: a.name,
    i: [a.input.size, a.input.channels],
    b: a.body.map((b) => packFields(b as never, blocks[b.kind].code, blocks[b.kind].fields)),
    h: packFields(a.head as never, heads[a.head.kind].code, heads[a.head.kind].fields),
  };
}

/** Returns the object or a reason it was rejected. */
function unpackFields(
  raw: unknown,
  table: Map<string, string>,
  specs: Record<string, { fields: FieldList }>,
  where: string,
): Record<string, unknown> | string {
  if (!Array.isArray(raw) || raw.length === 0) return `${where} is not a list`;
  const kind = table.get(raw[0]);
  if (!kind) return `${where} has unknown type ${show(raw[0])}`;
  const fields = specs[kind].fields;
  if (raw.length > fields.length + 1) return `${where} has too many values`;
  const obj: Record<string, unknown> = { kind };
  for (let i = 0; i < fields.length; i++) {
    const [name, ok, optional] = fields[i];
    const v = raw[i + 1];
    if (v === null || v === undefined) {
      if (!optional) return `${where} (${kind}) lacks "${name}"`;
      continue;
    }
    if (!ok(v)) return `${where} (${kind}) has an invalid "${name}": ${show(v)}`;
    obj[name] = v;
  }
  return obj;
}

/** Strictly decodes a packed Arch. `warn` receives harmless repairs (an over-long name is cut). */
export function unpackArch(raw: unknown, warn: (message: string) => void): Arch | string {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 'it is not an architecture';
  const r = raw as Record<string, unknown>;
  if (typeof r.n !== 'string') return 'it has no name';
  let name = r.n;
  if (cutText(name, ARCH_NAME_MAX) !== name) {
    name = cutText(name, ARCH_NAME_MAX);
    warn(
      `the architecture name is longer than ${ARCH_NAME_MAX} characters; using the first ${ARCH_NAME_MAX}.`,
    );
  }
  if (!Array.isArray(r.i) || r.i.length !== 2 || !int(1, 1024)(r.i[0]) || !int(1, 16)(r.i[1]))
    return 'its input size is invalid';
  if (!Array.isArray(r.b) || r.b.length > MAX_BLOCKS)
    return `its body is not a list of at most ${MAX_BLOCKS} blocks`;
  const body: BlockSpec[] = [];
  for (let i = 0; i < r.b.length; i++) {
    const b = unpackFields(r.b[i], KIND_OF_CODE, BLOCKS, `block ${i}`);
    if (typeof b === 'string') return b;
    body.push(b as unknown as BlockSpec);
  }
  const head = unpackFields(r.h, HEAD_OF_CODE, HEADS, 'the head');
  if (typeof head === 'string') return head;
  const taps = head.taps as number[] | undefined;
  if (taps && taps.some((t) => t >= body.length)) return 'the head taps a block that does not exist';
  return { name, input: { size: r.i[0], channels: r.i[1] }, body, head: head as unknown as HeadSpec };
}
