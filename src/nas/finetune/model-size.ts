/**
 * Size of a model's weights stored as float32: 4 bytes per parameter (kernels, biases, BatchNorm γ/β; the
 * count of NasModel.paramCount). An ONNX file is close to this: BatchNorm folds into the conv before it,
 * trading γ and β for one bias, and the graph itself adds a few kilobytes.
 */
import type { NasModel } from '../model/model.ts';

export const BYTES_PER_PARAM = 4;

export function modelSizeBytes(model: NasModel): number {
  return BYTES_PER_PARAM * model.paramCount();
}

/** The same from a parameter count (e.g. countCost's). */
export function sizeBytesOf(params: number): number {
  return BYTES_PER_PARAM * params;
}
