/**
 * Weights in and out of a module by parameter name: the format checkpoints and the ONNX exporter read.
 * Includes the BN running statistics (non-trainable params).
 */
import * as tf from '@tensorflow/tfjs';
import type { ParamInfo } from '../blocks/module.ts';

export interface WeightEntry {
  shape: number[];
  data: Float32Array;
}

export type WeightMap = Record<string, WeightEntry>;

export async function getWeights(params: ParamInfo[]): Promise<WeightMap> {
  const out: WeightMap = {};
  // copies: on the cpu backend data() can hand out the variable's own buffer
  for (const p of params) {
    if (p.name in out) throw new Error(`Duplicate parameter name "${p.name}"`);
    out[p.name] = { shape: [...p.variable.shape], data: new Float32Array(await p.variable.data()) };
  }
  return out;
}

/**
 * Assign every param from `weights`. Throws (before changing anything) on a missing name, a shape
 * mismatch or a wrong data length; entries without a matching param are ignored.
 */
export function setWeights(params: ParamInfo[], weights: WeightMap): void {
  for (const p of params) {
    const w = weights[p.name];
    if (!w) throw new Error(`setWeights: no weights for parameter "${p.name}"`);
    const shape = p.variable.shape;
    if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`setWeights: "${p.name}" has shape [${w.shape}], the model expects [${shape}]`);
    }
    if (w.data.length !== p.variable.size) {
      throw new Error(`setWeights: "${p.name}" has ${w.data.length} values, expected ${p.variable.size}`);
    }
  }
  for (const p of params) {
    const w = weights[p.name];
    tf.tidy(() => p.variable.assign(tf.tensor(w.data, w.shape, 'float32')));
  }
}
