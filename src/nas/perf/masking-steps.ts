/**
 * FBNetV2 channel masking vs naive channel search, as training steps to time (scripts/bench.ts): one
 * supernet training step (forward, backward, SGD update of weights and channel logits) of a small network
 *   stem conv 3x3 (3 -> 16) -> searched layer: IR k3 e3 (16 -> up to 32) -> conv 1x1 (32 -> 32) -> GAP -> FC 10
 * where the searched layer has k width options c_i = 32·i/k and is computed
 *   plain:  one IR at the largest width (no search: the reference),
 *   masked: one IR at the largest width, output × M = Σ g_i · l_i (DMaskingNAS, src/nas/v2),
 *   naive:  k separate IRs of widths c_i, each zero-padded to 32 and summed with weights g (DNAS per option).
 * g = Gumbel-softmax of the layer's logits (soft, τ = 1), drawn per step from a seeded Rng.
 */
import * as tf from '@tensorflow/tfjs';
import type { BlockSpec } from '../arch/spec.ts';
import { buildBlock, disposeParams } from '../blocks/build.ts';
import type { Module, ParamInfo } from '../blocks/module.ts';
import { buildHead, type Head } from '../model/head.ts';
import { Rng } from '../rng.ts';
import { drawGumbel, gumbelSoftmax } from '../search/gumbel.ts';
import { crossEntropy } from '../search/loss.ts';
import { distOf, fitChannels, fixedDist } from '../v2/channel-mask.ts';
import { buildMaskedBlock, type MaskedBlock } from '../v2/masked-blocks.ts';

/** Channels of the stem (the searched layer's input). */
export const MASKING_STEM = 16;
/** The searched layer's largest width. */
export const MASKING_MAX = 32;
/** Numbers of width options the bench compares. */
export const MASKING_KS = [2, 4, 8];
const STEM = MASKING_STEM;
const MAX = MASKING_MAX;

const irSpec = (out: number): BlockSpec => ({ kind: 'ir', k: 3, e: 3, out, stride: 1 });

export interface MaskingVariant {
  label: string;
  k: number;
  step(x: tf.Tensor4D, y: tf.Tensor2D): Promise<void>;
  dispose(): void;
}

function widthsFor(k: number): number[] {
  return Array.from({ length: k }, (_, i) => Math.round((MAX * (i + 1)) / k));
}

/** Shared scaffolding: stem, the searched layer (given), next conv, head, one SGD optimizer. */
function makeVariant(
  label: string,
  k: number,
  seed: number,
  searched: (x: tf.Tensor4D, g: tf.Tensor1D | null) => tf.Tensor4D,
  searchedParams: ParamInfo[],
  logits: tf.Variable | null,
): MaskingVariant {
  const rng = new Rng(seed);
  const stem = buildBlock({ kind: 'conv', k: 3, out: STEM, stride: 1, act: 'relu' }, 3, 'stem', rng);
  const next = buildBlock({ kind: 'conv', k: 1, out: MAX, stride: 1, act: 'relu' }, MAX, 'next', rng);
  const head: Head = buildHead({ kind: 'classifier', classes: 10 }, MAX, [], 'head', rng);
  const noise = new Rng(seed + 1);
  const opt = tf.train.sgd(0.01);
  const vars = [stem, next]
    .flatMap((m: Module) => m.params())
    .concat(searchedParams, head.params())
    .filter((p) => p.trainable)
    .map((p) => p.variable);
  if (logits) vars.push(logits);
  return {
    label,
    k,
    async step(x, y) {
      // minimize runs f inside variableGrads, which disposes every intermediate (noise and masks included)
      const loss = opt.minimize(
        () => {
          const g = logits
            ? gumbelSoftmax(logits as tf.Tensor1D, 1, tf.tensor1d(drawGumbel(noise, k)), false)
            : null;
          const h = next.apply(searched(stem.apply(x, true), g), true);
          return crossEntropy(head.apply(h, [], true), y);
        },
        true,
        vars,
      );
      if (!loss) throw new Error('minimize returned no loss');
      await loss.data(); // waits for the device on asynchronous backends
      loss.dispose();
    },
    dispose() {
      disposeParams([...stem.params(), ...next.params(), ...searchedParams, ...head.params()]);
      logits?.dispose();
      opt.dispose();
    },
  };
}

export function plainVariant(seed: number): MaskingVariant {
  const block = buildBlock(irSpec(MAX), STEM, 'searched', new Rng(seed + 7));
  return makeVariant('plain', 1, seed, (x) => block.apply(x, true), block.params(), null);
}

export function maskedVariant(k: number, seed: number): MaskingVariant {
  const widths = widthsFor(k);
  const block: MaskedBlock = buildMaskedBlock(irSpec(MAX), STEM, 'searched', new Rng(seed + 7), {
    variable: true,
  });
  const logits = tf.tidy(() => tf.variable(tf.zeros([k]))); // tidy frees the initial zeros
  return makeVariant(
    'masked',
    k,
    seed,
    (x, g) => block.apply(x, { in: fixedDist(STEM), out: distOf(widths, g!) }, true),
    block.params(),
    logits,
  );
}

export function naiveVariant(k: number, seed: number): MaskingVariant {
  const widths = widthsFor(k);
  const r = new Rng(seed + 7);
  const blocks = widths.map((c, i) => buildBlock(irSpec(c), STEM, `searched/${i}`, r));
  const logits = tf.tidy(() => tf.variable(tf.zeros([k]))); // tidy frees the initial zeros
  const run = (x: tf.Tensor4D, g: tf.Tensor1D | null) => {
    const w = tf.unstack(g!);
    return tf.addN(blocks.map((b, i) => tf.mul(fitChannels(b.apply(x, true), MAX), w[i]))) as tf.Tensor4D;
  };
  return makeVariant(
    'naive',
    k,
    seed,
    run,
    blocks.flatMap((b) => b.params()),
    logits,
  );
}
