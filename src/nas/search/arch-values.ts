/**
 * Host copies of the architecture variables, so a step's Gumbel draws and its probabilities need no
 * read-back of their own. A variable gets a new buffer (dataId) whenever it is assigned, so a copy is
 * current exactly while the variable still points at the buffer it was read from: weight steps never
 * touch θ and read nothing here; an architecture step hands its updated values over inside the step's one
 * read-back (accept); anything else that assigns θ (a restore, a test) is noticed and read again.
 */
import * as tf from '@tensorflow/tfjs';

/** The host values of an architecture variable (current as of the step's start). */
export type ArchValues = (v: tf.Variable) => Float32Array;

const bufferOf = (v: tf.Variable): object => v.dataId;

/** Reads every variable now (for callers outside a trainer: tests, one-off draws). */
export async function readArchValues(vars: tf.Variable[]): Promise<ArchValues> {
  const mirror = new ArchMirror(vars);
  return mirror.refresh();
}

export class ArchMirror {
  private readonly copies = new Map<tf.Variable, { buffer: object; values: Float32Array }>();

  constructor(private readonly vars: tf.Variable[]) {}

  /** Values of every variable, reading back only those assigned since their copy was taken. */
  async refresh(): Promise<ArchValues> {
    const stale = this.vars.filter((v) => this.copies.get(v)?.buffer !== bufferOf(v));
    const read = await Promise.all(stale.map((v) => v.data() as Promise<Float32Array>));
    stale.forEach((v, i) => this.copies.set(v, { buffer: bufferOf(v), values: read[i] }));
    return (v) => {
      const copy = this.copies.get(v);
      if (!copy) throw new Error(`Architecture variable ${v.name} is not mirrored`);
      return copy.values;
    };
  }

  /** Takes values read back elsewhere, in the constructor's order, for the variables' current buffers. */
  accept(values: Float32Array[]): void {
    this.vars.forEach((v, i) => this.copies.set(v, { buffer: bufferOf(v), values: values[i] }));
  }

  /** The variables flattened and concatenated in order (to ride along a step's read-back). */
  flat(): tf.Tensor1D {
    return tf.tidy(() => tf.concat(this.vars.map((v) => tf.reshape(v, [-1]))) as tf.Tensor1D);
  }

  /** Splits a read-back of flat() into one array per variable. */
  split(raw: Float32Array): Float32Array[] {
    let at = 0;
    return this.vars.map((v) => raw.slice(at, (at += v.size)));
  }
}
