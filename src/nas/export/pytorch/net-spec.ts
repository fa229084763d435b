/**
 * The network description the exported model.py interprets: every part (fixed block, each candidate of a
 * searchable layer, the head) as the list of ops arch/lower.ts gives, the one lowering the tfjs builder,
 * the cost counter and the ONNX exporter read. model.py builds one PyTorch module per op with parameters
 * and runs the ops in order, so the PyTorch network cannot drift from the browser's: a block kind that
 * lowers differently changes this description, not hand-written Python.
 *
 * Layout: PyTorch's NCHW. Shapes below are [C, H, W] without the batch. Module keys are op names with
 * '/' replaced by '__' (PyTorch module names may not contain '.'), e.g. `body/3/k3_e6/dw` -> `body__3__k3_e6__dw`.
 */
import {
  lowerBlock,
  lowerCandidate,
  lowerHead,
  lower,
  type LoweredPart,
  type Op,
  type ParamSpec,
  type Shape,
} from '../../arch/lower.ts';
import { isSearchLayer, type Arch, type SearchSpace } from '../../arch/spec.ts';
import { BN_EPSILON, BN_MOMENTUM } from '../../blocks/module.ts';

export type Chw = [number, number, number];

/** One op as model.py reads it: the lowered op's fields plus what a PyTorch layer needs. */
export interface TorchOp {
  op: Op['op'];
  name: string;
  in: number[];
  out: number;
  in_shapes: Chw[];
  out_shape: Chw;
  /** The lowered parameters (browser names, NHWC-layout shapes), for the weight conversion. */
  params?: ParamSpec[];
  [attr: string]: unknown;
}

export interface TorchPart {
  name: string;
  /** Value ids bound to the part's inputs: the block input, or the head's final features then its taps. */
  inputs: number[];
  output: number;
  ops: TorchOp[];
}

/** A fixed body block, or a searchable layer with one part per candidate. */
export type TorchLayer =
  | { kind: 'fixed'; part: TorchPart }
  | { kind: 'search'; body_index: number; candidates: string[]; parts: TorchPart[] };

export interface TorchNetSpec {
  name: string;
  input: { channels: number; size: number };
  body: TorchLayer[];
  /** Body indices whose outputs the head taps, in the head's order. */
  taps: number[];
  head: TorchPart;
  task: 'landmarks' | 'classification';
  outputs: number;
  bn: { eps: number; momentum: number };
}

export const torchModuleKey = (opName: string): string => opName.replaceAll('/', '__');

const chw = (s: Shape): Chw => [s.c, s.h, s.w];

function torchOp(op: Op): TorchOp {
  const base: TorchOp = {
    op: op.op,
    name: op.name,
    in: op.in.map((v) => v.id),
    out: op.out.id,
    in_shapes: op.in.map((v) => chw(v.shape)),
    out_shape: chw(op.out.shape),
  };
  if (op.params.length) base.params = op.params.map((p) => ({ ...p, shape: [...p.shape] }));
  switch (op.op) {
    case 'conv':
      return {
        ...base,
        k: op.k,
        stride: op.stride,
        dilation: op.dilation,
        groups: op.groups,
        padding: op.pad,
        bias: op.params.some((p) => p.role === 'bias'),
      };
    case 'act':
      return { ...base, act: op.act };
    case 'shuffle':
      return { ...base, groups: op.groups };
    case 'maxpool':
      return { ...base, k: op.k, stride: op.stride };
    case 'gridpool':
      return { ...base, grid: op.grid };
    default:
      return base;
  }
}

export function torchPart(part: LoweredPart, extraInputs: number[] = []): TorchPart {
  return {
    name: part.name,
    inputs: [part.in.id, ...extraInputs],
    output: part.out.id,
    ops: part.ops.map(torchOp),
  };
}

const headMeta = (head: SearchSpace['head']) =>
  head.kind === 'landmarks'
    ? { task: 'landmarks' as const, outputs: 2 * head.points, taps: head.taps ?? [] }
    : { task: 'classification' as const, outputs: head.classes, taps: [] };

/**
 * The supernet of a space (candidate edits already applied, input size set): fixed blocks as
 * `body/${i}`, candidate c of searchable layer i as `body/${i}/${c}` (the tfjs Supernet's names).
 */
export function supernetSpec(space: SearchSpace): TorchNetSpec {
  let shape: Shape = { h: space.input.size, w: space.input.size, c: space.input.channels };
  const outShapes: Shape[] = [];
  const body: TorchLayer[] = space.body.map((layer, i) => {
    if (!isSearchLayer(layer)) {
      const part = lowerBlock(layer, shape, `body/${i}`);
      shape = part.out.shape;
      outShapes.push(shape);
      return { kind: 'fixed', part: torchPart(part) };
    }
    const parts = layer.candidates.map((c) => lowerCandidate(layer, c, shape, `body/${i}/${c}`));
    const out = parts[0].out.shape;
    for (const p of parts) {
      const s = p.out.shape;
      if (s.h !== out.h || s.w !== out.w || s.c !== out.c)
        throw new Error(`PyTorch export: candidates of layer ${i} disagree in output shape`);
    }
    shape = out;
    outShapes.push(shape);
    return {
      kind: 'search',
      body_index: i,
      candidates: [...layer.candidates],
      parts: parts.map((p) => torchPart(p)),
    };
  });
  const meta = headMeta(space.head);
  const head = lowerHead(
    space.head,
    shape,
    meta.taps.map((t) => outShapes[t]),
    'head',
  );
  // lowerHead numbers the final features 0 and the taps 1..n, in the head's order
  const tapIds = meta.taps.map((_, j) => head.in.id + 1 + j);
  return {
    name: space.id,
    input: { channels: space.input.channels, size: space.input.size },
    body,
    taps: meta.taps,
    head: torchPart(head, tapIds),
    task: meta.task,
    outputs: meta.outputs,
    bn: { eps: BN_EPSILON, momentum: BN_MOMENTUM },
  };
}

/** A plain (derived) architecture: every block fixed, as createModel names them. */
export function archSpec(arch: Arch): TorchNetSpec {
  const l = lower(arch);
  const meta = headMeta(arch.head);
  return {
    name: arch.name,
    input: { channels: arch.input.channels, size: arch.input.size },
    body: l.body.map((part) => ({ kind: 'fixed', part: torchPart(part) })),
    taps: meta.taps,
    head: torchPart(
      l.head,
      meta.taps.map((t) => l.body[t].out.id),
    ),
    task: meta.task,
    outputs: meta.outputs,
    bn: { eps: BN_EPSILON, momentum: BN_MOMENTUM },
  };
}

/** Every lowered op of a spec's parts, in forward order (for the weights and the counts). */
export function specParts(spec: TorchNetSpec): TorchPart[] {
  return [...spec.body.flatMap((l) => (l.kind === 'fixed' ? [l.part] : l.parts)), spec.head];
}
