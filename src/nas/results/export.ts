/**
 * Export of a derived network for the results stage: ONNX bytes with the arch, the choices, how it was
 * trained and the experiment link in the metadata, and a parity check of tfjs (this backend) against
 * onnxruntime-web on validation images.
 */
import * as tf from '@tensorflow/tfjs';
import type { Arch } from '../arch/spec.ts';
import type { BatchSource } from '../data/source.ts';
import { exportOnnx } from '../export/onnx-export.ts';
import { verifyOnnx } from '../export/verify-onnx.ts';
import { checkInputFits } from '../finetune/input-fit.ts';
import type { NasModel } from '../model/model.ts';
import type { ResultsArchSummary, ResultsExport } from './types.ts';

/** Largest |tfjs − onnxruntime-web| output difference an export may show. */
export const PARITY_TOLERANCE = 1e-4;
/** Validation images the parity check runs at most. */
export const PARITY_IMAGES = 16;
export const EXPERIMENT_URL_KEY = 'nas_playground.experiment_url';

/** ONNX metadata besides the arch (which exportOnnx writes itself). */
export function exportMetadata(
  summary: ResultsArchSummary,
  training: { fromScratch: boolean; steps: number },
  experimentUrl?: string,
): Record<string, string> {
  const metadata: Record<string, string> = {
    'nas_playground.choices': JSON.stringify(summary.choices),
    'nas_playground.training': training.fromScratch
      ? `scratch:${training.steps}`
      : `inherited+finetune:${training.steps}`,
  };
  if (summary.v2) {
    metadata['nas_playground.fbnet_v2_choices'] = JSON.stringify(summary.v2.choices);
    // the model expects the image subsampled: every factor-th pixel from the top-left one
    metadata['nas_playground.input_subsample'] = String(summary.v2.factor);
  }
  if (experimentUrl) metadata[EXPERIMENT_URL_KEY] = experimentUrl;
  return metadata;
}

/** A file name from the arch name: runs of anything but letters, digits, '.', '_' and '-' become '_'. */
export function onnxFileName(arch: Arch): string {
  return `${arch.name.replace(/[^A-Za-z0-9._-]+/g, '_')}.onnx`;
}

/**
 * max |tfjs − onnxruntime-web| over the outputs of the first `images` validation images of `source` (the
 * data as the model takes it: a derived FBNetV2 network's at its searched resolution, derivedSource). onnxruntime-web must be set up (wasm paths) before this runs.
 */
export async function parityCheck(
  model: NasModel,
  bytes: Uint8Array,
  source: BatchSource,
  images = PARITY_IMAGES,
): Promise<{ maxAbsDiff: number; checkedImages: number }> {
  // onnxruntime would refuse another size (the graph's input is fixed); say why in the browser's terms
  checkInputFits(model.arch, source);
  const n = Math.min(images, source.count('val'));
  if (n === 0) throw new Error('The dataset has no validation images to check the export on.');
  const batch = source.batchAt('val', [...Array(n).keys()]);
  const pred = model.predict(batch.x);
  const [input, expected] = await Promise.all([
    batch.x.data() as Promise<Float32Array>,
    pred.data() as Promise<Float32Array>,
  ]);
  const shape = batch.x.shape as [number, number, number, number];
  tf.dispose([batch.x, batch.y, pred]);
  const check = await verifyOnnx(bytes, input, shape, expected);
  return { maxAbsDiff: check.maxAbsDiff, checkedImages: n };
}

/**
 * The export of a derived model with its parity check on `source`; `prepareRuntime` sets up
 * onnxruntime-web first (the worker points it at its own wasm).
 */
export async function exportDerived(
  model: NasModel,
  summary: ResultsArchSummary,
  training: { fromScratch: boolean; steps: number },
  source: BatchSource,
  options: { experimentUrl?: string; prepareRuntime?: () => Promise<void> } = {},
): Promise<ResultsExport> {
  const bytes = await exportOnnx(model, {
    metadata: exportMetadata(summary, training, options.experimentUrl),
  });
  await options.prepareRuntime?.();
  const check = await parityCheck(model, bytes, source);
  return {
    bytes,
    fileName: onnxFileName(model.arch),
    archJson: JSON.stringify(model.arch, null, 2),
    maxAbsDiff: check.maxAbsDiff,
    checkedImages: check.checkedImages,
    tolerance: PARITY_TOLERANCE,
    params: model.paramCount(),
  };
}
