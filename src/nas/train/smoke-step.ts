/**
 * A backend self-test: one real SGD step of a small conv net (conv-relu-conv-relu-pool-dense) on seeded
 * random data. It proves the active backend can run forward, backward and the update, and that the step
 * returns the tensor count to where it started.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng.ts';

export interface SmokeStepOptions {
  size: number; // input side
  batch: number;
  seed: number;
}

export interface SmokeStepOutcome {
  loss: number;
  tensorsBefore: number;
  tensorsAfter: number;
  millis: number;
}

function randomTensor(shape: number[], rng: Rng, scale: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = rng.normal() * scale;
  return tf.tensor(values, shape);
}

export async function runSmokeStep({ size, batch, seed }: SmokeStepOptions): Promise<SmokeStepOutcome> {
  const rng = new Rng(seed);
  const tensorsBefore = tf.memory().numTensors;
  const start = performance.now();
  // tf.variable copies its initial value, so the initial tensors are made (and freed) inside tidy
  const [w1, w2, wd] = tf.tidy(() => [
    tf.variable(randomTensor([3, 3, 3, 8], rng, Math.sqrt(2 / 27))),
    tf.variable(randomTensor([3, 3, 8, 8], rng, Math.sqrt(2 / 72))),
    tf.variable(randomTensor([8, 4], rng, Math.sqrt(1 / 8))),
  ]);
  const x = randomTensor([batch, size, size, 3], rng, 1);
  const classes = Array.from({ length: batch }, () => rng.int(4));
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(classes, 'int32'), 4));
  const optimizer = tf.train.sgd(0.01);
  const lossTensor = optimizer.minimize(
    () => {
      const h1 = tf.relu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same'));
      const h2 = tf.relu(tf.conv2d(h1, w2 as tf.Tensor4D, 2, 'same'));
      const pooled = tf.mean(h2, [1, 2]) as tf.Tensor2D;
      return tf.losses.softmaxCrossEntropy(labels, tf.matMul(pooled, wd)) as tf.Scalar;
    },
    true,
    [w1, w2, wd],
  );
  const loss = (await lossTensor!.data())[0];
  tf.dispose([lossTensor!, x, labels, w1, w2, wd]);
  optimizer.dispose();
  return { loss, tensorsBefore, tensorsAfter: tf.memory().numTensors, millis: performance.now() - start };
}
