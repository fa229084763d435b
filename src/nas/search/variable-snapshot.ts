/**
 * A snapshot of variables that can be put back, for undoing an update applied before its step was known
 * to be finite (the trainer updates first and checks in the same read-back, so a step costs one sync).
 * tf.clone shares the buffer and assign() gives a variable a new one, so holding the clones keeps the old
 * values without a copy.
 */
import * as tf from '@tensorflow/tfjs';

export interface Snapshot {
  /** Puts the values (and any host-side counters) back as they were when taken. */
  restore(): void;
  dispose(): void;
}

export function snapshotVariables(vars: tf.Variable[], restoreHost: () => void = () => {}): Snapshot {
  const clones = vars.map((v) => tf.clone(v));
  return {
    restore() {
      vars.forEach((v, i) => v.assign(clones[i]));
      restoreHost();
    },
    dispose() {
      tf.dispose(clones);
    },
  };
}
