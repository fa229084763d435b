/**
 * The architectures a finished search chose among, as the random baseline draws them: a block per
 * searchable layer (FBNet V1, SPOS), plus for FBNetV2 a width per searchable layer, an expansion where the
 * space searches one, and an input resolution. Plain networks are built with the functions the search
 * derives with (spaces/derive.ts archFromChoices; v2/derive.ts deriveArch over the same MaskedPlan the
 * FBNetV2 supernet builds), so a baseline network is exactly what deriving those choices would give.
 */
import type { Arch, SearchSpace } from '../arch/spec.ts';
import { countCost } from '../cost/count.ts';
import { DEFAULT_V2, type ExperimentConfig } from '../experiment.ts';
import type { Rng } from '../rng.ts';
import { archFromChoices, resolveSpace } from '../spaces/derive.ts';
import { withWidthOptions } from '../spaces/v2-widths.ts';
import { deriveArch } from '../v2/derive.ts';
import { planSpace, type MaskedPlan } from '../v2/plan.ts';
import type { BaselineCandidate, BaselineChoices, BaselineKind } from './types.ts';

/** Spaces with at most this many choice tuples are listed in full (the classroom V1 space has 7,776). */
export const ENUMERATE_LIMIT = 20_000;

/** One searchable layer's options. */
export interface BaselineLayer {
  names: string[];
  /** Output channel options (FBNetV2), else null. */
  widths: number[] | null;
  /** Expansion ratio options (FBNetV2 spaces that search them), else null. */
  expansions: number[] | null;
}

/** A built architecture of the space: its plain network and cost. */
export interface SpacePoint {
  choices: BaselineChoices;
  arch: Arch;
  factor: number;
  macs: number;
  params: number;
  /** Identifies the network (input size and body), whatever choices led to it. */
  key: string;
}

export function archKey(arch: Arch): string {
  return JSON.stringify([arch.input.size, arch.body]);
}

export class BaselineSpace {
  readonly layers: BaselineLayer[];
  /** Input subsampling factors ([1] without resolution search). */
  readonly factors: number[];
  /** Choice tuples (not necessarily distinct networks); Infinity beyond Number's range. */
  readonly size: number;
  private readonly v1: SearchSpace | null;
  private readonly plan: MaskedPlan | null;
  private listed: SpacePoint[] | null = null;

  /** `enumerateLimit`: list spaces up to this many choice tuples (tests force rejection sampling with 0). */
  constructor(
    config: ExperimentConfig,
    space: SearchSpace,
    private readonly enumerateLimit = ENUMERATE_LIMIT,
  ) {
    const inputSize = config.inputSize;
    if (config.strategy === 'fbnet-v2') {
      const v2 = config.v2 ?? DEFAULT_V2;
      this.plan = planSpace(withWidthOptions(space, v2.widthFractions), {
        edits: config.candidateEdits,
        inputSize,
        resolutionFactors: [...v2.resolutionFactors],
      });
      this.v1 = null;
      this.layers = this.plan.search.map((p) => ({
        names: [...p.names],
        widths: p.widths ? [...p.widths] : null,
        expansions: p.expansions ? [...p.expansions] : null,
      }));
      this.factors = [...this.plan.factors];
    } else {
      const resolved = resolveSpace(space, config.candidateEdits);
      this.v1 = { ...resolved, input: { ...resolved.input, size: inputSize } };
      this.plan = null;
      this.layers = resolved.body.flatMap((b) =>
        b.kind === 'search' ? [{ names: [...b.candidates], widths: null, expansions: null }] : [],
      );
      this.factors = [1];
    }
    this.size = this.radices().reduce((a, b) => a * b, 1);
  }

  get searchesExpansions(): boolean {
    return this.layers.some((l) => l.expansions !== null);
  }

  /** Options per dimension, in draw order: blocks, widths, expansions, factor (absent dimensions omitted). */
  private radices(): number[] {
    const r = this.layers.map((l) => l.names.length);
    for (const l of this.layers) if (l.widths) r.push(l.widths.length);
    for (const l of this.layers) if (l.expansions) r.push(l.expansions.length);
    if (this.factors.length > 1) r.push(this.factors.length);
    return r;
  }

  /** Choices from one option index per dimension (radices() order). */
  private fromDigits(d: number[]): BaselineChoices {
    let i = 0;
    const blocks = this.layers.map(() => d[i++]);
    if (!this.plan) return { blocks };
    const widths = this.layers.map((l) => (l.widths ? d[i++] : 0));
    const expansions = this.layers.map((l) => (l.expansions ? d[i++] : 0));
    const factor = this.factors.length > 1 ? this.factors[d[i++]] : this.factors[0];
    const out: BaselineChoices = { blocks, widths, factor };
    if (this.searchesExpansions) out.expansions = expansions;
    return out;
  }

  /** Uniform over every dimension independently. */
  draw(rng: Rng): BaselineChoices {
    return this.fromDigits(this.radices().map((n) => rng.int(n)));
  }

  /** The plain network of `choices` (throws, naming the problem, on choices that do not fit the space). */
  arch(choices: BaselineChoices, name: string): { arch: Arch; factor: number } {
    if (!this.v1) {
      const plan = this.plan!;
      const { widths, factor = 1, expansions } = choices;
      if (!widths || widths.length !== this.layers.length)
        throw new Error(`An FBNetV2 choice needs a width per searchable layer (${this.layers.length})`);
      const resolution = plan.factors.indexOf(factor);
      if (resolution < 0) throw new Error(`Resolution factor ${factor} is not searched (${plan.factors})`);
      const derived = deriveArch(
        plan,
        {
          blocks: choices.blocks,
          widths: this.layers.map((l, i) => (l.widths ? widths[i] : undefined)),
          expansions: this.layers.map((l, i) => (l.expansions ? (expansions?.[i] ?? 0) : undefined)),
          resolution,
        },
        name,
      );
      return { arch: derived.arch, factor: derived.factor };
    }
    if (choices.widths || (choices.factor ?? 1) !== 1)
      throw new Error('This search chose blocks only: widths and resolution are not part of its choices');
    return { arch: archFromChoices(this.v1, choices.blocks, name), factor: 1 };
  }

  point(choices: BaselineChoices, name = 'baseline'): SpacePoint {
    const { arch, factor } = this.arch(choices, name);
    const { macs, params } = countCost(arch);
    return { choices, arch, factor, macs, params, key: archKey(arch) };
  }

  /** Per-layer block names (FBNetV2: with the width, expansion and resolution). */
  label(choices: BaselineChoices, inputSize: number): string {
    const parts = this.layers.map((l, i) => {
      const name = l.names[choices.blocks[i]] ?? '?';
      const e = l.expansions && choices.expansions ? ` e${l.expansions[choices.expansions[i]]}` : '';
      const w = l.widths && choices.widths ? `/${l.widths[choices.widths[i]]}` : '';
      return name + e + w;
    });
    const f = choices.factor ?? 1;
    return parts.join(' · ') + (f !== 1 ? ` · input ÷${f} (${inputSize} px)` : '');
  }

  candidate(id: string, kind: BaselineKind, choices: BaselineChoices): BaselineCandidate {
    const p = this.point(choices, `baseline-${id}`);
    return {
      id,
      kind,
      choices: structuredClone(choices),
      label: this.label(choices, p.arch.input.size),
      macs: p.macs,
      params: p.params,
      arch: p.arch,
      factor: p.factor,
    };
  }

  get enumerable(): boolean {
    return this.size <= this.enumerateLimit;
  }

  /** Every distinct network of a small space (first choices of each network kept), built once; null if big. */
  all(): SpacePoint[] | null {
    if (!this.enumerable) return null;
    if (this.listed) return this.listed;
    const radices = this.radices();
    const seen = new Set<string>();
    const out: SpacePoint[] = [];
    const digits = radices.map(() => 0);
    for (let n = 0; n < this.size; n++) {
      const p = this.point(this.fromDigits(digits));
      if (!seen.has(p.key)) {
        seen.add(p.key);
        out.push(p);
      }
      for (let i = 0; i < digits.length && ++digits[i] === radices[i]; i++) digits[i] = 0;
    }
    this.listed = out;
    return out;
  }
}
