/**
 * Adam for the architecture logits θ, with L2 weight decay added to the gradient (PyTorch's Adam
 * weight_decay, as FBNet uses: lr 0.01, wd 5e-4). Written out rather than tf.train.adam because its state
 * must round-trip exactly through a checkpoint: tfjs' Adam restores its β^t accumulators with pow(), which
 * is not bit-identical to the running product it keeps, so a resumed run would drift. Here the bias
 * corrections are computed from the integer step count.
 */
import * as tf from '@tensorflow/tfjs';
import { snapshotVariables, type Snapshot } from './variable-snapshot.ts';

export interface ThetaAdamState {
  t: number;
  m: Float32Array[];
  v: Float32Array[];
}

export class ThetaAdam {
  private t = 0;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];

  constructor(
    private readonly vars: tf.Variable[],
    private readonly lr: number,
    private readonly weightDecay = 0,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.m = vars.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
    this.v = vars.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
  }

  /** One update; `grads[i]` belongs to the i-th variable given to the constructor. */
  apply(grads: tf.Tensor[]): void {
    this.t += 1;
    const c1 = 1 - Math.pow(this.beta1, this.t);
    const c2 = 1 - Math.pow(this.beta2, this.t);
    tf.tidy(() => {
      this.vars.forEach((x, i) => {
        const g = this.weightDecay > 0 ? tf.add(grads[i], tf.mul(x, this.weightDecay)) : grads[i];
        const m = tf.add(tf.mul(this.m[i], this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(this.v[i], this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const step = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), this.epsilon));
        this.m[i].assign(m);
        this.v[i].assign(v);
        x.assign(tf.sub(x, tf.mul(step, this.lr)));
      });
    });
  }

  /** What apply() changes (the variables, both moments, the step count), restorable. */
  snapshot(): Snapshot {
    const t = this.t;
    return snapshotVariables([...this.vars, ...this.m, ...this.v], () => {
      this.t = t;
    });
  }

  async state(): Promise<ThetaAdamState> {
    const m = await Promise.all(this.m.map((x) => x.data() as Promise<Float32Array>));
    const v = await Promise.all(this.v.map((x) => x.data() as Promise<Float32Array>));
    return { t: this.t, m: m.map((a) => a.slice()), v: v.map((a) => a.slice()) };
  }

  setState(state: ThetaAdamState): void {
    if (state.m.length !== this.m.length || state.v.length !== this.v.length) {
      throw new Error('Adam state does not match the architecture parameters');
    }
    this.t = state.t;
    tf.tidy(() => {
      this.m.forEach((x, i) => x.assign(tf.tensor(state.m[i], x.shape)));
      this.v.forEach((x, i) => x.assign(tf.tensor(state.v[i], x.shape)));
    });
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}
