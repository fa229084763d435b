/**
 * What one optimizer step measured, by name. The tensors are packed into one flat tensor so the step reads
 * everything back with a single `await data()`; packStep and the decoder it returns are the only places
 * that know the layout.
 */
import * as tf from '@tensorflow/tfjs';

export interface StepTensors {
  task: tf.Scalar;
  costTerm: tf.Scalar;
  /** In loss units. */
  cost: tf.Scalar;
  loss: tf.Scalar;
  /** m per searchable layer. */
  blockWeights: tf.Tensor1D[];
  /** The strategy's named extras (each a list of tensors, flattened per entry). */
  extras: Record<string, tf.Tensor[]>;
}

export interface StepValues {
  taskLoss: number;
  costTerm: number;
  /** In loss units. */
  cost: number;
  loss: number;
  blockWeights: number[][];
  extras: Record<string, number[][]>;
  /** Every packed value was finite. */
  finite: boolean;
}

export interface PackedStep {
  /** Owned by the caller (dispose it). */
  tensor: tf.Tensor1D;
  decode(values: Float32Array): StepValues;
}

/** Packs a step's tensors (call inside a tidy/tape; the result is kept). */
export function packStep(t: StepTensors): PackedStep {
  const names = Object.keys(t.extras);
  const parts: tf.Tensor[] = [
    tf.stack([t.task, t.costTerm, t.cost, t.loss]),
    ...t.blockWeights,
    ...names.flatMap((n) => t.extras[n]),
  ];
  const blockSizes = t.blockWeights.map((w) => w.size);
  const extraSizes = names.map((n) => t.extras[n].map((w) => w.size));
  const tensor = tf.keep(tf.concat(parts.map((p) => tf.reshape(p, [-1])))) as tf.Tensor1D;
  const decode = (values: Float32Array): StepValues => {
    let offset = 4;
    const take = (n: number) => Array.from(values.subarray(offset, (offset += n)));
    const blockWeights = blockSizes.map(take);
    const extras: Record<string, number[][]> = {};
    names.forEach((n, i) => (extras[n] = extraSizes[i].map(take)));
    return {
      taskLoss: values[0],
      costTerm: values[1],
      cost: values[2],
      loss: values[3],
      blockWeights,
      extras,
      finite: values.every(Number.isFinite),
    };
  };
  return { tensor, decode };
}
