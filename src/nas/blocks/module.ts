/**
 * The contract every block (and head) implements. A Module owns tfjs variables and a pure forward
 * function; the supernet, cost counting, checkpoints and the ONNX exporter all work from `params()`.
 *
 * Data layout is NHWC (tfjs default). Parameter naming scheme — `${block}` is the name given to
 * buildBlock (createModel uses `body/${i}`, the head is `head`); each conv unit has a prefix and owns:
 *   `${prefix}/kernel`            standard (possibly grouped) conv, shape [kh, kw, in / groups, out]
 *                                 (ONNX/PyTorch weight = transpose perm [3, 2, 0, 1] -> [out, in/g, kh, kw])
 *   `${prefix}/depthwise_kernel`  depthwise conv, shape [kh, kw, C, 1]
 *                                 (ONNX weight = transpose perm [2, 3, 0, 1] -> [C, 1, kh, kw], group = C)
 *   `${prefix}/bias`              only on convs without BatchNorm, shape [out]
 *   `${prefix}/bn/gamma|beta`     BatchNorm scale / offset (trainable), shape [C]
 *   `${prefix}/bn/mean|variance`  BatchNorm running statistics (non-trainable), shape [C]
 * Prefixes per block kind (see build.ts for the exact op order):
 *   conv        `${block}/conv`
 *   ir          `${block}/expand` (absent when e = 1), `${block}/dw`, `${block}/se|ese/...`, `${block}/project`
 *   skip        `${block}/proj` (absent when the block is an identity)
 *   sep         `${block}/dw`, `${block}/se|ese/...`, `${block}/pw`
 *   ghost       `${block}/ghost1/primary|cheap`, `${block}/dw` (stride > 1 only), `${block}/se|ese/...`,
 *               `${block}/ghost2/primary|cheap`, `${block}/shortcut/dw|pw` (when not an identity)
 *   pelee_stem  `${block}/stem`, `${block}/branch1a`, `${block}/branch1b`, `${block}/fuse`
 *   dwpool      `${block}/dw` (depthwise_kernel + bias, no BatchNorm)
 *   ir_pool     `${block}/expand`, `${block}/project` (kernel + bias, no BatchNorm)
 *   attention   SE: `${block}/se/reduce/kernel|bias`, `${block}/se/expand/kernel|bias` (1x1 convs);
 *               eSE: `${block}/ese/fc/kernel|bias` (1x1 conv)
 *   head        `${head}/conv` (optional 1x1 conv-bn-act), `${head}/fc/kernel` [in, out] + `${head}/fc/bias`
 *               (ONNX Gemm with transB = 0, or PyTorch Linear weight = kernel transposed)
 */
import type * as tf from '@tensorflow/tfjs';
import type { BlockSpec } from '../arch/spec.ts';

export interface ParamInfo {
  name: string;
  variable: tf.Variable;
  trainable: boolean;
}

export interface Module {
  readonly name: string;
  readonly spec: BlockSpec;
  readonly inChannels: number;
  readonly outChannels: number;
  /**
   * NHWC in, NHWC out. In training mode BatchNorm normalises with batch statistics and updates its
   * running statistics (variable.assign); safe inside tf.tidy / optimizer.minimize.
   */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
  params(): ParamInfo[];
}

/** BatchNorm epsilon, as PyTorch's default. */
export const BN_EPSILON = 1e-5;

/**
 * PyTorch-style momentum: running = (1 - m) * running + m * batch. The running variance is updated with
 * the unbiased batch variance (n / (n - 1) correction, n = N * H * W) while normalisation uses the biased
 * one, exactly as torch.nn.BatchNorm2d.
 */
export const BN_MOMENTUM = 0.1;

/** Trainable parameter count (kernels + biases + BN gamma/beta; no running stats), like PyTorch parameters(). */
export function countParams(params: ParamInfo[]): number {
  let n = 0;
  for (const p of params) if (p.trainable) n += p.variable.size;
  return n;
}
