import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { BatchNorm } from '../blocks/batchnorm.ts';
import { expectSameAsTfjs, randomTensor } from './testing.ts';
import { BN_TRAIN_KERNEL } from './batchnorm.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Output, running statistics and the gradients of x, gamma, beta for a weighted-square loss. */
function trainingPass(shape: number[], relu: boolean, seed: number): tf.Tensor[] {
  const rng = new Rng(seed);
  const c = shape[3];
  const bn = new BatchNorm('b', c);
  bn.gamma.assign(randomTensor(rng, [c]));
  bn.beta.assign(randomTensor(rng, [c]));
  const x = tf.variable(tf.add(tf.mul(randomTensor(rng, shape), 2), 0.5));
  const w = randomTensor(rng, shape);
  let y: tf.Tensor | null = null;
  const { grads } = tf.variableGrads(() => {
    const out = bn.apply(x as unknown as tf.Tensor4D, true, relu);
    y = tf.keep(tf.clone(out));
    return tf.sum(tf.mul(tf.square(out), w)) as tf.Scalar;
  }, [x, bn.gamma, bn.beta]);
  const out = [
    y!,
    tf.clone(bn.mean),
    tf.clone(bn.variance),
    grads[x.name],
    grads[bn.gamma.name],
    grads[bn.beta.name],
  ];
  tf.dispose([x, bn.gamma, bn.beta, bn.mean, bn.variance]);
  return out;
}

describe('fused batch-norm training kernels (cpu)', () => {
  it('are registered with the fast kernels', () => {
    expect(tf.getKernel(BN_TRAIN_KERNEL, 'cpu')).toBeDefined();
  });

  const CASES: [number[], boolean][] = [
    [[4, 5, 7, 3], false],
    [[4, 5, 7, 3], true],
    [[2, 9, 9, 16], true],
    [[1, 1, 3, 5], false],
    [[3, 5, 7, 8], false], // C a multiple of 4: the WebAssembly SIMD passes
  ];
  CASES.forEach(([shape, relu], i) =>
    it(`match the composite ops: ${JSON.stringify(shape)}, relu ${relu}`, async () => {
      // the reference run has the fast kernels (and so these) unregistered: BatchNorm runs its composite ops
      await expectSameAsTfjs(() => trainingPass(shape, relu, 900 + i));
    }),
  );
});
