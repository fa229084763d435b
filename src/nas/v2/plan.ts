/**
 * The static shape of an FBNetV2 (DMaskingNAS) search: which body layers search block type (V1 θ), output
 * width, expansion rate, and which input resolutions the whole network is searched at. Pure data (no
 * tensors), shared by the masked supernet, the effective cost and derivation so the three agree.
 *
 * Rules:
 * - A searchable layer with `widths` (ascending) is built at max(widths) output channels; without, at `out`.
 * - A searchable layer with `expansions` (ascending, none equal to 1) searches the expansion ratio of its
 *   inverted-residual candidates that have an expand conv (e != 1); the candidate's own e is replaced by the
 *   options and the hidden width by irHidden(c_in, e) for the chosen input width c_in and ratio e.
 * - Resolution factors f (ascending positive integers; 1 = full size) subsample the input by f: side
 *   ceil(size / f), see resolution.ts.
 * - Masking is exact only for blocks whose ops commute with dropping trailing zero channels. Where a
 *   block's input or output width varies, only conv (groups 1), ir (groups 1), skip, sep and dwpool
 *   (input only) are allowed; grouped convs (channel shuffle mixes the kept prefix), ghost and pelee_stem
 *   throw.
 */
import { candidateSpec } from '../arch/candidates.ts';
import { isSearchLayer, type BlockSpec, type SearchLayerSpec, type SearchSpace } from '../arch/spec.ts';
import { resolveSpace } from '../spaces/derive.ts';

export interface PlanFixed {
  kind: 'fixed';
  index: number;
  spec: BlockSpec;
  /** Possible input / output widths, ascending, distinct. */
  inValues: number[];
  outValues: number[];
}

export interface PlanSearch {
  kind: 'search';
  index: number;
  /** Position among the searchable layers (index into LayerMix arrays). */
  searchIndex: number;
  layer: SearchLayerSpec;
  names: string[];
  /** Candidate specs at the maximal width (what the supernet builds). */
  specs: BlockSpec[];
  widths: number[] | null;
  expansions: number[] | null;
  inValues: number[];
  outValues: number[];
}

export type PlanLayer = PlanFixed | PlanSearch;

export interface MaskedPlan {
  space: SearchSpace;
  inputSize: number;
  /** Input subsampling factors searched (ascending); [1] = no resolution search. */
  factors: number[];
  layers: PlanLayer[];
  search: PlanSearch[];
}

export interface PlanOptions {
  edits?: Record<number, string[]>;
  inputSize?: number;
  resolutionFactors?: number[];
}

function checkAscending(what: string, values: number[], integer: boolean): void {
  if (values.length === 0) throw new Error(`${what}: no options`);
  values.forEach((v, i) => {
    if (!(v > 0) || (integer && !Number.isInteger(v))) throw new Error(`${what}: bad option ${v}`);
    if (i > 0 && !(v > values[i - 1])) throw new Error(`${what}: options must be ascending and distinct`);
  });
}

/** Expansion options of a candidate in a layer: set only for IR candidates with an expand conv. */
export function candidateExpansions(spec: BlockSpec, expansions: number[] | null): number[] | null {
  return expansions && spec.kind === 'ir' && spec.e !== 1 ? expansions : null;
}

/** Throws when masking would not be exact for this block (see the header). */
function checkMaskable(spec: BlockSpec, where: string, varIn: boolean, varOut: boolean): void {
  if (!varIn && !varOut) return;
  const what = `${where}: FBNetV2 channel masking`;
  switch (spec.kind) {
    case 'conv':
    case 'ir':
      if ((spec.groups ?? 1) !== 1)
        throw new Error(`${what} does not support grouped convs (groups ${spec.groups})`);
      return;
    case 'skip':
    case 'sep':
      return;
    case 'dwpool':
      if (varOut) throw new Error(`${what}: dwpool has no output width of its own`);
      return;
    default:
      throw new Error(`${what} does not support ${spec.kind} blocks where widths vary`);
  }
}

export function planSpace(space: SearchSpace, options: PlanOptions = {}): MaskedPlan {
  const resolved = resolveSpace(space, options.edits ?? {});
  const inputSize = options.inputSize ?? resolved.input.size;
  const factors = options.resolutionFactors ?? [1];
  checkAscending('Resolution factors', factors, true);
  let inValues = [resolved.input.channels];
  const layers: PlanLayer[] = [];
  const search: PlanSearch[] = [];
  resolved.body.forEach((entry, index) => {
    if (isSearchLayer(entry)) {
      const widths = entry.widths && entry.widths.length > 0 ? [...entry.widths] : null;
      if (widths) checkAscending(`Layer ${index} widths`, widths, true);
      const expansions = entry.expansions && entry.expansions.length > 0 ? [...entry.expansions] : null;
      if (expansions) {
        checkAscending(`Layer ${index} expansions`, expansions, false);
        if (expansions.includes(1))
          throw new Error(`Layer ${index} expansions: 1 (no expand conv) is not searchable`);
      }
      const outValues = widths ?? [entry.out];
      const outMax = outValues[outValues.length - 1];
      const specs = entry.candidates.map((name) => candidateSpec(name, outMax, entry.stride));
      specs.forEach((s, j) =>
        checkMaskable(
          s,
          `Layer ${index} candidate ${entry.candidates[j]}`,
          inValues.length > 1,
          outValues.length > 1,
        ),
      );
      const p: PlanSearch = {
        kind: 'search',
        index,
        searchIndex: search.length,
        layer: entry,
        names: [...entry.candidates],
        specs,
        widths,
        expansions,
        inValues,
        outValues,
      };
      layers.push(p);
      search.push(p);
      inValues = outValues;
    } else {
      const outValues = entry.kind === 'dwpool' ? inValues : [entry.out];
      checkMaskable(entry, `Layer ${index} (${entry.kind})`, inValues.length > 1, false);
      layers.push({ kind: 'fixed', index, spec: entry, inValues, outValues });
      inValues = outValues;
    }
  });
  return { space: resolved, inputSize, factors, layers, search };
}

export function maxOf(values: number[]): number {
  return values[values.length - 1];
}
