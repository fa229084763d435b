/**
 * createModel: a plain (non-searchable) network from an Arch. Blocks are named `body/${i}`, the head
 * `head` (see blocks/module.ts for the parameter names below them). Weights come from Rng(seed): each
 * block takes one seed draw in body order, then the head.
 */
import * as tf from '@tensorflow/tfjs';
import type { Arch } from '../arch/spec.ts';
import { Rng } from '../rng.ts';
import { buildBlock, disposeParams } from '../blocks/build.ts';
import { countParams, type Module, type ParamInfo } from '../blocks/module.ts';
import { blockOutChannels } from '../blocks/shapes.ts';
import { buildHead, type Head } from './head.ts';

export interface NasModel {
  readonly arch: Arch;
  readonly blocks: Module[];
  readonly head: Head;
  /** NHWC images -> logits [N, classes] or landmarks [N, 2 * points]. */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
  /** apply in inference mode (running BN statistics, no state change). */
  predict(x: tf.Tensor4D): tf.Tensor2D;
  params(): ParamInfo[];
  trainableVariables(): tf.Variable[];
  /** kernels + biases + BN gamma/beta (PyTorch parameters()); running statistics excluded. */
  paramCount(): number;
  dispose(): void;
}

export function createModel(arch: Arch, options: { seed: number }): NasModel {
  const rng = new Rng(options.seed);
  const blocks: Module[] = [];
  let c = arch.input.channels;
  arch.body.forEach((spec, i) => {
    const block = buildBlock(spec, c, `body/${i}`, rng);
    blocks.push(block);
    c = blockOutChannels(spec, c);
  });
  const taps = arch.head.kind === 'landmarks' ? (arch.head.taps ?? []) : [];
  for (const t of taps) {
    if (!Number.isInteger(t) || t < 0 || t >= blocks.length) {
      throw new Error(`${arch.name}: head tap ${t} is not a body index (0..${blocks.length - 1})`);
    }
  }
  const head = buildHead(
    arch.head,
    c,
    taps.map((t) => blocks[t].outChannels),
    'head',
    rng,
  );
  const params = (): ParamInfo[] => [...blocks.flatMap((b) => b.params()), ...head.params()];

  const apply = (x: tf.Tensor4D, training: boolean): tf.Tensor2D =>
    tf.tidy(() => {
      const tapOut: tf.Tensor4D[] = [];
      let h = x;
      blocks.forEach((b, i) => {
        h = b.apply(h, training);
        if (taps.includes(i)) tapOut[i] = h;
      });
      return head.apply(
        h,
        taps.map((t) => tapOut[t]),
        training,
      );
    });

  return {
    arch,
    blocks,
    head,
    apply,
    predict: (x) => apply(x, false),
    params,
    trainableVariables: () =>
      params()
        .filter((p) => p.trainable)
        .map((p) => p.variable),
    paramCount: () => countParams(params()),
    dispose: () => disposeParams(params()),
  };
}
