/**
 * Export of a joint-search candidate: its network rebuilt from the candidate (decodeArch, the one lowering
 * every export reads), loaded with the weights its verification training kept, written to ONNX by the
 * shared exporter and checked against tfjs in onnxruntime-web on the validation faces it was measured on —
 * the same path and tolerance as a derived network's export (results/export.ts).
 *
 * The training recipe only shaped the weights: nothing of it is part of the graph (inference needs no
 * optimizer, EMA or augmentation), so it travels in the metadata for the record.
 */
import { LandmarkSource, type LandmarkData } from '../data/landmark-source.ts';
import { exportOnnx } from '../export/onnx-export.ts';
import { createModel } from '../model/model.ts';
import { setWeights, type WeightMap } from '../model/weights.ts';
import { EXPERIMENT_URL_KEY, onnxFileName, PARITY_TOLERANCE, parityCheck } from '../results/export.ts';
import type { ResultsExport } from '../results/types.ts';
import {
  candidateCost,
  candidateKey,
  decodeArch,
  decodeRecipe,
  type JointCandidate,
  type JointSpace,
} from './joint-space.ts';

export const V3_CANDIDATE_KEY = 'nas_playground.fbnet_v3_candidate';
export const V3_RECIPE_KEY = 'nas_playground.fbnet_v3_recipe';

export interface JointExportOptions {
  /** The data the candidate was trained on, and its train/validation split (as standaloneTrainer's). */
  data: LandmarkData;
  splitSeed: number;
  valFraction?: number;
  /** The network's name (and the file's). */
  name?: string;
  /** Written to the metadata: what the candidate measured and the budget it was found for. */
  note?: string;
  experimentUrl?: string;
  /** Sets up onnxruntime-web before the parity check (the worker points it at its own wasm). */
  prepareRuntime?: () => Promise<void>;
}

/** ONNX bytes of a trained candidate with the parity check of tfjs against onnxruntime-web. */
export async function exportJointCandidate(
  space: JointSpace,
  candidate: JointCandidate,
  weights: WeightMap,
  options: JointExportOptions,
): Promise<ResultsExport> {
  const arch = decodeArch(space, candidate, options.name ?? 'fbnet-v3-candidate');
  const recipe = decodeRecipe(space, candidate);
  const model = createModel(arch, { seed: 0 });
  const source = new LandmarkSource(options.data, {
    valFraction: options.valFraction ?? 0.1,
    splitSeed: options.splitSeed,
    inputSize: arch.input.size,
  });
  try {
    // refuses (before changing anything) weights of another network: a missing name or a shape mismatch
    setWeights(model.params(), weights);
    const metadata: Record<string, string> = {
      [V3_CANDIDATE_KEY]: candidateKey(candidate),
      [V3_RECIPE_KEY]: JSON.stringify(recipe),
      'nas_playground.training': `fbnet-v3:scratch:${recipe.steps}`,
      'nas_playground.macs': String(candidateCost(space, candidate).macs),
    };
    if (options.note) metadata['nas_playground.note'] = options.note;
    if (options.experimentUrl) metadata[EXPERIMENT_URL_KEY] = options.experimentUrl;
    const bytes = await exportOnnx(model, { metadata });
    await options.prepareRuntime?.();
    const check = await parityCheck(model, bytes, source);
    return {
      bytes,
      fileName: onnxFileName(arch),
      archJson: JSON.stringify(arch, null, 2),
      maxAbsDiff: check.maxAbsDiff,
      checkedImages: check.checkedImages,
      tolerance: PARITY_TOLERANCE,
      params: model.paramCount(),
    };
  } finally {
    model.dispose();
    source.dispose();
  }
}
