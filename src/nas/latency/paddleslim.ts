/**
 * PaddleSlim latency tables (paddleslim/analysis/latency.py, docs "table_latency"): a first line naming the
 * device / inference engine / time (tab- or comma-separated; PaddleDetection's latency_855.txt writes
 * `op_type<TAB>855<TAB>us`, the last field giving the unit), then one op per line:
 *
 *   conv,flag_bias,flag_relu,n_in,c_in,h_in,w_in,c_out,groups,kernel,padding,stride,dilation<TAB>latency
 *   batch_norm,active_type,n_in,c_in,h_in,w_in<TAB>latency
 *   relu,n_in,c_in,h_in,w_in<TAB>latency                 (any activation: relu6, sigmoid, hard_swish, …)
 *   eltwise,[type,]n_in,c_in,h_in,w_in<TAB>latency       (type 1 mul, 2 add; the docs omit it, the code writes it)
 *   pooling,flag_global,n_in,c_in,h_in,w_in,kernel,padding,stride,ceil_mode,pool_type<TAB>latency
 *   softmax,axis,n_in,c_in,h_in,w_in<TAB>latency
 *
 * PaddleSlim writes a fully-connected layer as a 1x1 conv on a 1x1 map (c_in = flattened features).
 *
 * Mapping onto this app's blocks: each block is lowered to the ops it runs (arch/lower.ts), and the op
 * latencies are summed. A conv is looked up with the flags of an unfused graph first (BatchNorm and the
 * activation as separate ops), then with fused flags (Paddle-Lite folds BatchNorm into a bias and fuses
 * ReLU into the conv), then any flags. A conv not in the table is estimated from its multiply-adds with a
 * least-squares line fitted to the table's own convs (depthwise and other convs fitted separately) and
 * reported. BatchNorm, activation, eltwise and pooling ops are added only when the table has entries of
 * that op type at all (PaddleSlim itself sums convs only by default); a missing one is reported and left
 * out. Channel shuffles, concatenations and slices have no table entries and count as free.
 */
import {
  lowerBlock,
  lowerCandidate,
  lowerHead,
  type ActOp,
  type Op as LoweredOp,
  type Shape,
} from '../arch/lower.ts';
import { isSearchLayer } from '../arch/spec.ts';
import type { Activation, SearchSpace } from '../arch/spec.ts';
import { resolveSpace } from '../spaces/derive.ts';
import { MAX_LATENCY_MS, type LatencyLayer, type LatencyTable } from './table.ts';

export interface PaddleSlimEntry {
  /** 1-based line number in the text. */
  line: number;
  op: string;
  /** The comma-separated fields after the op type, integers canonicalised. */
  params: string[];
  /** op and params joined by commas: the lookup key. */
  key: string;
  /** Latency converted to milliseconds. */
  ms: number;
}

export interface PaddleSlimProblem {
  line: number;
  reason: string;
}

export interface ParsedPaddleSlim {
  /** Fields of the first line when it is a header (device, engine, time or unit), else []. */
  header: string[];
  /** Unit of the latencies in the text (converted to ms in `entries`). */
  unit: 'ms' | 'us';
  entries: PaddleSlimEntry[];
  problems: PaddleSlimProblem[];
}

const ACTIVATION_OPS = [
  'relu',
  'relu6',
  'sigmoid',
  'hard_sigmoid',
  'swish',
  'hard_swish',
  'prelu',
  'leaky_relu',
  'tanh',
  'elu',
  'brelu',
];

/** Field counts after the op type; `text` lists fields that are words, the rest are integers. */
const FORMATS: Record<string, { min: number; max: number; text?: number[] }> = {
  // 12 fields, plus PaddleSlim's extra kernel/padding/stride/dilation values for non-square convs
  conv: { min: 12, max: 16 },
  batch_norm: { min: 5, max: 5, text: [0] },
  eltwise: { min: 4, max: 5 },
  pooling: { min: 10, max: 13 },
  softmax: { min: 5, max: 5 },
  ...Object.fromEntries(ACTIVATION_OPS.map((a) => [a, { min: 4, max: 4 }])),
};

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The entry a line describes, or why it is malformed. */
function parseOpLine(line: string, lineNo: number, toMs: number): PaddleSlimEntry | string {
  const parts = line.split(/\s+/);
  if (parts.length !== 2) {
    return `expected "op,field,…<TAB>latency", found ${parts.length} whitespace-separated part(s)`;
  }
  const [opText, latencyText] = parts;
  const [op, ...raw] = opText.split(',');
  const format = FORMATS[op];
  if (!format)
    return `unknown op type "${op}" (known: ${Object.keys(FORMATS).slice(0, 5).join(', ')}, activations)`;
  if (raw.length < format.min || raw.length > format.max) {
    const want = format.min === format.max ? `${format.min}` : `${format.min} to ${format.max}`;
    return `${op} needs ${want} fields after the op type, found ${raw.length}`;
  }
  const params: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const f = raw[i].trim();
    if (format.text?.includes(i)) {
      if (f.length === 0) return `${op} field ${i + 1} is empty`;
      params.push(f);
    } else {
      if (!INTEGER.test(f)) return `${op} field ${i + 1} is "${f}", expected an integer`;
      const v = Number(f);
      // softmax's axis may be negative; every other integer is a size, flag or count
      if (v < 0 && !(op === 'softmax' && i === 0)) return `${op} field ${i + 1} is negative (${v})`;
      params.push(String(v));
    }
  }
  if (op === 'conv') {
    const [bias, relu, n, c, h, w, out, groups, k, , stride, dilation] = params.map(Number);
    if (bias > 1 || relu > 1) return `conv flag_bias and flag_relu must be 0 or 1, found ${bias} and ${relu}`;
    if (Math.min(n, c, h, w, out, groups, k, stride, dilation) < 1) {
      return 'conv n_in, c_in, h_in, w_in, c_out, groups, kernel, stride and dilation must be at least 1';
    }
    if (c % groups !== 0 || out % groups !== 0)
      return `conv groups ${groups} does not divide c_in ${c} and c_out ${out}`;
  }
  if (!NUMBER.test(latencyText)) return `latency "${latencyText}" is not a number`;
  const latency = Number(latencyText);
  if (!Number.isFinite(latency) || latency < 0) return `latency ${latencyText} must be finite and ≥ 0`;
  if (latency * toMs > MAX_LATENCY_MS) return `latency ${latencyText} is beyond ${MAX_LATENCY_MS} ms`;
  const key = [op, ...params].join(',');
  return { line: lineNo, op, params, key, ms: latency * toMs };
}

function unitOf(header: string[]): 'ms' | 'us' | null {
  for (const f of header.map((h) => h.trim().toLowerCase())) {
    if (['us', 'µs', 'μs', 'usec', 'microseconds'].includes(f)) return 'us';
    if (['ms', 'msec', 'milliseconds'].includes(f)) return 'ms';
  }
  return null;
}

/**
 * Parses the text of a PaddleSlim latency table. Blank lines and lines starting with '#' are skipped. The
 * first remaining line is the header unless it is an op line. Latencies are in the unit the header names
 * ('us' or 'ms'), else `options.unit`, else ms. A key listed twice keeps the later value (as PaddleSlim's
 * dict does) and is reported.
 */
export function parsePaddleSlimTable(text: string, options: { unit?: 'ms' | 'us' } = {}): ParsedPaddleSlim {
  const lines = text.split(/\r\n|\r|\n/);
  const problems: PaddleSlimProblem[] = [];
  let header: string[] = [];
  let first = true;
  const content: { line: number; text: string }[] = [];
  lines.forEach((raw, i) => {
    const t = raw.trim();
    if (t.length === 0 || t.startsWith('#')) return;
    if (first) {
      first = false;
      const op = t.split(/[\s,]/)[0];
      // a header is any first line that does not even try to be an op line
      if (!(op in FORMATS && t.split(/\s+/).length === 2)) {
        header = t.split(/\t|,/).map((f) => f.trim());
        return;
      }
    }
    content.push({ line: i + 1, text: t });
  });
  const unit = options.unit ?? unitOf(header) ?? 'ms';
  const toMs = unit === 'us' ? 1e-3 : 1;
  const entries: PaddleSlimEntry[] = [];
  const byKey = new Map<string, number>();
  for (const { line, text: t } of content) {
    const parsed = parseOpLine(t, line, toMs);
    if (typeof parsed === 'string') {
      problems.push({ line, reason: parsed });
      continue;
    }
    const at = byKey.get(parsed.key);
    if (at !== undefined) {
      problems.push({ line, reason: `same op as line ${entries[at].line}; this later latency replaces it` });
      entries[at] = parsed;
    } else {
      byKey.set(parsed.key, entries.length);
      entries.push(parsed);
    }
  }
  return { header, unit, entries, problems };
}

/* ---------- mapping onto the architecture description ---------- */

/** An op in PaddleSlim's terms: a conv carries its BatchNorm and activation (looked up fused or apart). */
type Op =
  | {
      t: 'conv';
      x: Shape;
      y: Shape;
      groups: number;
      k: number;
      stride: number;
      dil: number;
      pad: number;
      bn: boolean;
      act: Activation;
    }
  | { t: 'add' | 'mul' | 'gap'; x: Shape }
  | { t: 'act'; act: string; x: Shape }
  | { t: 'maxpool'; x: Shape; k: number; stride: number }
  | { t: 'fc'; in: number; out: number };

const SPEC_ACTS: readonly string[] = ['relu', 'relu6', 'hswish', 'swish'] satisfies Activation[];

/** PaddleSlim's name of a stand-alone activation op. */
const PADDLE_ACT_OP: Record<ActOp, string> = {
  relu: 'relu',
  relu6: 'relu6',
  hswish: 'hard_swish',
  swish: 'swish',
  hsigmoid: 'hard_sigmoid',
  sigmoid: 'sigmoid',
};

/**
 * Maps the ops of arch/lower.ts: a conv takes the BatchNorm and the block activation right after it;
 * grid pooling is looked up as global pooling; shuffles, concatenations, slices, channel zero-padding
 * and flattening are free (memory moves the table has no entry for).
 */
function paddleOps(ops: LoweredOp[]): Op[] {
  const out: Op[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const x = op.in[0]?.shape;
    switch (op.op) {
      case 'conv': {
        let y = op.out;
        let bn = false;
        let act: Activation = 'none';
        const b = ops[i + 1];
        if (b?.op === 'bn' && b.in[0].id === y.id) {
          bn = true;
          y = b.out;
          i++;
        }
        const a = ops[i + 1];
        if (a?.op === 'act' && a.in[0].id === y.id && SPEC_ACTS.includes(a.act)) {
          act = a.act as Activation;
          i++;
        }
        const { groups, k, stride, dilation: dil, pad } = op;
        out.push({ t: 'conv', x, y: op.out.shape, groups, k, stride, dil, pad, bn, act });
        break;
      }
      case 'bn':
        throw new Error(`${op.name}: a BatchNorm that follows no conv has no PaddleSlim mapping`);
      case 'act':
        out.push({ t: 'act', act: PADDLE_ACT_OP[op.act], x });
        break;
      case 'add':
      case 'mul':
        out.push({ t: op.op, x: op.out.shape });
        break;
      case 'gap':
      case 'gridpool':
        out.push({ t: 'gap', x });
        break;
      case 'maxpool':
        out.push({ t: 'maxpool', x, k: op.k, stride: op.stride });
        break;
      case 'fc':
        out.push({ t: 'fc', in: x.c, out: op.out.shape.c });
        break;
      case 'shuffle':
      case 'concat':
      case 'slice':
      case 'chpad':
      case 'flatten':
        break;
    }
  }
  return out;
}

/** ms = a + b · MACs, least squares over the table's convs of one class. */
interface Fit {
  a: number;
  b: number;
}

function fitLine(points: { macs: number; ms: number }[]): Fit | null {
  if (points.length === 0) return null;
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.macs, 0) / n;
  const my = points.reduce((s, p) => s + p.ms, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.macs - mx) * (p.ms - my);
    sxx += (p.macs - mx) ** 2;
  }
  if (sxx > 0) {
    const b = sxy / sxx;
    const a = my - b * mx;
    if (a >= 0 && b >= 0) return { a, b };
  }
  // through the origin when the line would predict negative times or the MACs do not vary
  const smm = points.reduce((s, p) => s + p.macs * p.macs, 0);
  return smm > 0 ? { a: 0, b: points.reduce((s, p) => s + p.macs * p.ms, 0) / smm } : { a: my, b: 0 };
}

function convMacs(
  n: number,
  c: number,
  h: number,
  w: number,
  out: number,
  g: number,
  k: number,
  stride: number,
  dil: number,
  pad: number,
): number {
  const ho = Math.floor((h + 2 * pad - dil * (k - 1) - 1) / stride) + 1;
  const wo = Math.floor((w + 2 * pad - dil * (k - 1) - 1) / stride) + 1;
  return n * Math.max(0, ho) * Math.max(0, wo) * out * (c / g) * k * k;
}

const PADDLE_ACT: Record<Activation, string | null> = {
  relu: 'relu',
  relu6: 'relu6',
  hswish: 'hard_swish',
  swish: 'swish',
  none: null,
};

class Lookup {
  private readonly byKey = new Map<string, number>();
  private readonly types = new Set<string>();
  private readonly globalPool = new Map<string, number>();
  private readonly fits: { dw: Fit; dense: Fit };
  readonly notes = new Set<string>();
  matched = 0;
  estimated = 0;

  constructor(
    entries: PaddleSlimEntry[],
    private readonly batch: number,
  ) {
    const dw: { macs: number; ms: number }[] = [];
    const dense: { macs: number; ms: number }[] = [];
    for (const e of entries) {
      this.byKey.set(e.key, e.ms);
      this.types.add(e.op);
      if (e.op === 'pooling' && e.params[0] === '1') {
        const prefix = ['pooling', ...e.params.slice(0, 5)].join(',');
        if (!this.globalPool.has(prefix)) this.globalPool.set(prefix, e.ms);
      }
      if (e.op === 'conv' && e.params.length === 12) {
        const [, , n, c, h, w, out, g, k, pad, stride, dil] = e.params.map(Number);
        const point = { macs: convMacs(n, c, h, w, out, g, k, stride, dil, pad), ms: e.ms };
        (g > 1 && g === c && g === out ? dw : dense).push(point);
      }
    }
    const fd = fitLine(dw);
    const fo = fitLine(dense);
    const either = fd ?? fo;
    if (!either)
      throw new Error('The PaddleSlim table has no conv entries, so no block can be mapped onto it');
    this.fits = { dw: fd ?? either, dense: fo ?? either };
  }

  private dims(x: Shape): string {
    return `${this.batch},${x.c},${x.h},${x.w}`;
  }

  /** Latency of an auxiliary op when its type is in the table; missing ones are noted and count 0. */
  private aux(type: string, keys: string[], where: string): number {
    if (!this.types.has(type)) return 0;
    for (const k of keys) {
      const ms = this.byKey.get(k);
      if (ms !== undefined) return ms;
    }
    this.notes.add(`${where}: ${keys[0]} is not in the table (left out)`);
    return 0;
  }

  private conv(op: Extract<Op, { t: 'conv' }>, where: string): number {
    const { x, y, groups, k, stride, dil, pad, bn, act } = op;
    const out = y.c;
    const reluFlag = act === 'relu' ? 1 : 0;
    const natural = bn ? 0 : 1;
    const rest = `${this.dims(x)},${out},${groups},${k},${pad},${stride},${dil}`;
    const keyOf = (b: number, r: number) => `conv,${b},${r},${rest}`;
    // unfused graph first, then Paddle-Lite's fused flags, then anything
    const order: [number, number][] = [
      [natural, 0],
      [1, reluFlag],
      [0, reluFlag],
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ];
    let ms: number | undefined;
    let used: [number, number] = [natural, 0];
    for (const [b, r] of order) {
      ms = this.byKey.get(keyOf(b, r));
      if (ms !== undefined) {
        used = [b, r];
        break;
      }
    }
    if (ms === undefined) {
      const macs = convMacs(this.batch, x.c, x.h, x.w, out, groups, k, stride, dil, pad);
      const fit = groups > 1 && groups === x.c && groups === out ? this.fits.dw : this.fits.dense;
      ms = Math.max(0, fit.a + fit.b * macs);
      this.estimated += 1;
      this.notes.add(
        `${where}: ${keyOf(natural, 0)} is not in the table (estimated ${ms.toPrecision(3)} ms from its MACs)`,
      );
    } else {
      this.matched += 1;
    }
    // a bias flag on a BatchNorm conv means BatchNorm was folded into it; a relu flag, that ReLU was fused
    let actDone = act === 'relu' && used[1] === 1;
    let total = ms;
    if (bn && used[0] === 0) {
      const bnRelu =
        act === 'relu' && !actDone ? this.byKey.get(`batch_norm,relu,${this.dims(y)}`) : undefined;
      if (bnRelu !== undefined) {
        total += bnRelu;
        actDone = true;
      } else {
        total += this.aux('batch_norm', [`batch_norm,None,${this.dims(y)}`], where);
      }
    }
    const a = PADDLE_ACT[act];
    if (a && !actDone) total += this.aux(a, [`${a},${this.dims(y)}`], where);
    return total;
  }

  private fc(inF: number, out: number, where: string): number {
    return this.conv(
      {
        t: 'conv',
        x: { c: inF, h: 1, w: 1 },
        y: { c: out, h: 1, w: 1 },
        groups: 1,
        k: 1,
        stride: 1,
        dil: 1,
        pad: 0,
        bn: false,
        act: 'none',
      },
      where,
    );
  }

  sum(ops: Op[], where: string): number {
    let total = 0;
    for (const op of ops) {
      switch (op.t) {
        case 'conv':
          total += this.conv(op, where);
          break;
        case 'fc':
          total += this.fc(op.in, op.out, where);
          break;
        case 'add':
          total += this.aux('eltwise', [`eltwise,2,${this.dims(op.x)}`, `eltwise,${this.dims(op.x)}`], where);
          break;
        case 'mul':
          total += this.aux('eltwise', [`eltwise,1,${this.dims(op.x)}`, `eltwise,${this.dims(op.x)}`], where);
          break;
        case 'act':
          total += this.aux(op.act, [`${op.act},${this.dims(op.x)}`], where);
          break;
        case 'gap': {
          const prefix = `pooling,1,${this.dims(op.x)}`;
          const v = this.globalPool.get(prefix);
          total += v !== undefined ? v : this.aux('pooling', [`${prefix},…`], where);
          break;
        }
        case 'maxpool':
          total += this.aux('pooling', [`pooling,0,${this.dims(op.x)},${op.k},0,${op.stride},1,1`], where);
          break;
      }
    }
    return total;
  }
}

export interface PaddleSlimMapping {
  table: LatencyTable;
  /** One line per op that was estimated or left out: where, which table key, what was done. */
  unmapped: string[];
  /** Conv ops found in the table and estimated from MACs. */
  matched: number;
  estimated: number;
}

/**
 * A latency table for `space` (candidate edits applied) at `inputSize` from PaddleSlim entries. `batch` is
 * the n_in to look up (PaddleSlim tables use 1); `device` names the table's device (default: the header).
 */
export function mapPaddleSlimToSpace(
  entries: PaddleSlimEntry[],
  spaceIn: SearchSpace,
  inputSize: number,
  options: { batch?: number; device?: string; header?: string[] } = {},
): PaddleSlimMapping {
  const space = resolveSpace(spaceIn);
  const batch = options.batch ?? 1;
  const lookup = new Lookup(entries, batch);
  let x: Shape = { h: inputSize, w: inputSize, c: space.input.channels };
  const outs: Shape[] = [];
  const layers: LatencyLayer[] = [];
  let fixedMs = 0;
  space.body.forEach((b, i) => {
    if (isSearchLayer(b)) {
      const ms: number[] = [];
      let out = x;
      for (const name of b.candidates) {
        const part = lowerCandidate(b, name, x);
        out = part.out.shape;
        ms.push(lookup.sum(paddleOps(part.ops), `layer ${i} ${name}`));
      }
      layers.push({ layer: i, candidates: [...b.candidates], ms, spread: ms.map(() => 0) });
      x = out;
    } else {
      const part = lowerBlock(b, x);
      x = part.out.shape;
      fixedMs += lookup.sum(paddleOps(part.ops), `body ${i} (${b.kind})`);
    }
    outs.push(x);
  });
  const taps = space.head.kind === 'landmarks' ? (space.head.taps ?? []) : [];
  const head = lowerHead(
    space.head,
    x,
    taps.map((t) => outs[t]),
  );
  fixedMs += lookup.sum(paddleOps(head.ops), 'head');
  return {
    table: {
      version: 1,
      space: space.id,
      inputSize,
      batch,
      backend: 'paddleslim',
      adapter: options.device ?? (options.header ?? []).filter((f) => f.length > 0).join(' '),
      createdAt: Date.now(),
      layers,
      fixedMs,
      source: 'imported-paddleslim',
    },
    unmapped: [...lookup.notes],
    matched: lookup.matched,
    estimated: lookup.estimated,
  };
}
