/**
 * The candidate-block library: a name such as `k5_e6_g2` means "kernel 5, expansion 6, 1x1 groups 2".
 * A searchable layer lists names; `candidateSpec` turns a name into a concrete block for that layer's
 * output channels and stride. Names are what users edit and what share URLs carry.
 */
import type { Attention, BlockSpec } from './spec.ts';

export interface CandidateInfo {
  name: string;
  /** Which family the candidate came from, for grouping in the editor. */
  family: 'fbnet-v1' | 'pfld';
  make: (out: number, stride: number) => BlockSpec;
}

const ir =
  (k: number, e: number, groups = 1) =>
  (out: number, stride: number): BlockSpec => ({ kind: 'ir', k, e, out, stride, groups, act: 'relu' });

/** FBNet V1, table 2 of the paper: 9 candidates per searchable layer. */
export const FBNET_V1_CANDIDATES: CandidateInfo[] = [
  { name: 'k3_e1', family: 'fbnet-v1', make: ir(3, 1) },
  { name: 'k3_e1_g2', family: 'fbnet-v1', make: ir(3, 1, 2) },
  { name: 'k3_e3', family: 'fbnet-v1', make: ir(3, 3) },
  { name: 'k3_e6', family: 'fbnet-v1', make: ir(3, 6) },
  { name: 'k5_e1', family: 'fbnet-v1', make: ir(5, 1) },
  { name: 'k5_e1_g2', family: 'fbnet-v1', make: ir(5, 1, 2) },
  { name: 'k5_e3', family: 'fbnet-v1', make: ir(5, 3) },
  { name: 'k5_e6', family: 'fbnet-v1', make: ir(5, 6) },
  { name: 'skip', family: 'fbnet-v1', make: (out, stride) => ({ kind: 'skip', out, stride }) },
];

const mb =
  (k: number, e: number, dilation = 1, attention: Attention = 'none') =>
  (out: number, stride: number): BlockSpec => ({
    kind: 'ir',
    k,
    e,
    out,
    stride,
    groups: 1,
    dilation,
    attention,
    act: 'relu',
  });

/**
 * NNI's PFLD-106 search space (examples/nas/oneshot/pfld, lib/ops.py), names as NNI spells them. NNI's
 * "_res" means "residual when shapes allow" (always the case here), "_se" is its eSE module, "_d3" a
 * dilation-3 depthwise conv (NNI expands those by 2), "sep" a depthwise-separable conv and "gh" a ghost
 * block. Mapped onto this library's block kinds, so expand-free e1 blocks and the ghost block follow the
 * rules in spec.ts rather than NNI's exact module code.
 */
export const PFLD_CANDIDATES: CandidateInfo[] = [
  { name: 'mb_k3_res', family: 'pfld', make: mb(3, 1) },
  { name: 'mb_k3_e2_res', family: 'pfld', make: mb(3, 2) },
  { name: 'mb_k3_e4_res', family: 'pfld', make: mb(3, 4) },
  { name: 'mb_k3_res_d3', family: 'pfld', make: mb(3, 2, 3) },
  { name: 'mb_k3_e2_res_se', family: 'pfld', make: mb(3, 2, 1, 'ese') },
  { name: 'mb_k5_res', family: 'pfld', make: mb(5, 1) },
  { name: 'mb_k5_e2_res', family: 'pfld', make: mb(5, 2) },
  { name: 'mb_k5_res_se', family: 'pfld', make: mb(5, 1, 1, 'ese') },
  { name: 'mb_k5_e2_res_se', family: 'pfld', make: mb(5, 2, 1, 'ese') },
  {
    name: 'sep_k3',
    family: 'pfld',
    make: (out, stride) => ({ kind: 'sep', k: 3, out, stride, act: 'relu' }),
  },
  {
    name: 'sep_k5',
    family: 'pfld',
    make: (out, stride) => ({ kind: 'sep', k: 5, out, stride, act: 'relu' }),
  },
  {
    name: 'gh_k3',
    family: 'pfld',
    make: (out, stride) => ({ kind: 'ghost', k: 3, e: 1, out, stride, act: 'relu' }),
  },
  {
    name: 'gh_k5',
    family: 'pfld',
    make: (out, stride) => ({ kind: 'ghost', k: 5, e: 1, out, stride, act: 'relu' }),
  },
];

const LIBRARY = new Map<string, CandidateInfo>(
  [...FBNET_V1_CANDIDATES, ...PFLD_CANDIDATES].map((c) => [c.name, c]),
);

export function candidateNames(): string[] {
  return [...LIBRARY.keys()];
}

export function hasCandidate(name: string): boolean {
  return LIBRARY.has(name);
}

export function candidateSpec(name: string, out: number, stride: number): BlockSpec {
  const info = LIBRARY.get(name);
  if (!info) throw new Error(`Unknown candidate block "${name}"`);
  return info.make(out, stride);
}

/** The library entry (family, maker) of a name, or undefined; the editor groups candidates by family. */
export function candidateInfo(name: string): CandidateInfo | undefined {
  return LIBRARY.get(name);
}
