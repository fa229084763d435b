/**
 * Sum of several same-shaped tensors by pairwise adds. Not tf.addN: WebGPU caps the storage buffers one
 * kernel may bind (8 by default, SwiftShader included), and tfjs's WebGPU addN binds one per input; past
 * the cap the kernel is rejected and the whole command batch — weight updates included — is silently
 * dropped. Pairwise adds bind three buffers each and keep the depth at log2(n).
 */
import * as tf from '@tensorflow/tfjs';

export function sumTensors<T extends tf.Tensor>(tensors: T[]): T {
  if (tensors.length === 0) throw new Error('sumTensors needs at least one tensor');
  return tf.tidy(() => {
    let level: tf.Tensor[] = tensors;
    if (level.length === 1) return tf.clone(level[0]) as T;
    while (level.length > 1) {
      const next: tf.Tensor[] = [];
      for (let i = 0; i < level.length; i += 2)
        next.push(i + 1 < level.length ? tf.add(level[i], level[i + 1]) : level[i]);
      level = next;
    }
    return level[0] as T;
  });
}
