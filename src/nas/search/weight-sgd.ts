/**
 * SGD with momentum and L2 weight decay for the supernet weights, with PyTorch's semantics for parameters
 * that got no gradient (torch.optim.SGD skips a parameter whose .grad is None): such a variable keeps its
 * value and its momentum buffer in that step. tf.train.momentum keeps its slots by position, so the trainer
 * had to feed it every variable every step (zeros for candidates that did not run), which decayed and
 * moved unsampled candidates and cost the update kernels of all of them in single-path steps.
 *
 * Where a variable has a gradient the arithmetic is tf.train.momentum's (useNesterov false), op for op:
 *   g' = g + wd·w;  v ← m·v + g';  w ← (−lr)·v + w
 * so a step in which every variable has a gradient is bit-identical to the old optimizer's, and its state
 * (iteration count, one momentum buffer per variable in the constructor's order) reads and writes the
 * checkpoint format the old one wrote. Buffers are keyed by variable name and created up front (zeros),
 * so the number of tensors does not change as candidates are sampled for the first time.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorState } from './trainer-state.ts';
import { snapshotVariables, type Snapshot } from './variable-snapshot.ts';

export interface WeightSgdState {
  /** Steps applied (tfjs's `iter`). */
  iterations: number;
  /** One momentum buffer per variable, in the constructor's order; empty: all zeros. */
  slots: TensorState[];
}

export class WeightSgd {
  private iterations = 0;
  private readonly slots = new Map<string, tf.Variable>();
  private readonly momentumScalar: tf.Scalar;
  private readonly decayScalar: tf.Scalar;

  constructor(
    private readonly vars: tf.Variable[],
    momentum: number,
    private readonly weightDecay: number,
  ) {
    for (const v of vars) {
      if (this.slots.has(v.name)) throw new Error(`Variable ${v.name} given twice`);
      this.slots.set(
        v.name,
        tf.tidy(() => tf.variable(tf.zerosLike(v), false)),
      );
    }
    this.momentumScalar = tf.scalar(momentum);
    this.decayScalar = tf.scalar(weightDecay);
  }

  /**
   * One step at learning rate `lr`. `grads` maps variable names to gradients (tf.variableGrads' map);
   * a variable without an entry (or with null) is left alone. Does not dispose the gradients.
   */
  apply(grads: Record<string, tf.Tensor | null | undefined>, lr: number): void {
    const negLr = tf.scalar(-lr);
    for (const w of this.vars) {
      const g = grads[w.name];
      if (!g) continue;
      const v = this.slots.get(w.name)!;
      tf.tidy(() => {
        const gd = this.weightDecay > 0 ? tf.add(g, tf.mul(w, this.decayScalar)) : g;
        const vNew = tf.add(tf.mul(this.momentumScalar, v), gd);
        v.assign(vNew);
        w.assign(tf.add(tf.mul(negLr, vNew), w));
      });
    }
    negLr.dispose();
    this.iterations += 1;
  }

  /** What apply(grads) would change (the variables with a gradient, their momentum, the count), restorable. */
  snapshot(grads: Record<string, tf.Tensor | null | undefined>): Snapshot {
    const touched = this.vars.filter((w) => grads[w.name]);
    const iterations = this.iterations;
    return snapshotVariables([...touched, ...touched.map((w) => this.slots.get(w.name)!)], () => {
      this.iterations = iterations;
    });
  }

  async state(): Promise<WeightSgdState> {
    const slots = await Promise.all(
      this.vars.map(async (w) => {
        const v = this.slots.get(w.name)!;
        return { shape: [...v.shape], data: ((await v.data()) as Float32Array).slice() };
      }),
    );
    return { iterations: this.iterations, slots };
  }

  /** Restores a state written by state() or by the tf.train.momentum-based trainer (same format). */
  setState(state: WeightSgdState): void {
    const { iterations, slots } = state;
    if (slots.length > 0 && slots.length !== this.vars.length)
      throw new Error('Checkpoint optimizer does not match the supernet');
    slots.forEach((s, i) => {
      const shape = this.vars[i].shape;
      if (s.shape.length !== shape.length || s.shape.some((d, k) => d !== shape[k]))
        throw new Error(`Checkpoint momentum ${i} has shape [${s.shape}], the variable [${shape}]`);
    });
    this.iterations = iterations;
    tf.tidy(() =>
      this.vars.forEach((w, i) => {
        const v = this.slots.get(w.name)!;
        v.assign(slots.length > 0 ? tf.tensor(slots[i].data, v.shape) : tf.zerosLike(v));
      }),
    );
  }

  dispose(): void {
    tf.dispose([...this.slots.values(), this.momentumScalar, this.decayScalar]);
  }
}
