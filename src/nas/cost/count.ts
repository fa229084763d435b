/**
 * Exact multiply-add and parameter counts from the architecture description, summed over the ops of
 * arch/lower.ts (the one lowering of blocks that the builder, the ONNX exporter and the latency mapping
 * share; lower.test.ts checks it against the built tfjs model).
 *
 * MACs (one convention): multiply-adds of conv and fully-connected layers only, what the FBNet/MobileNet
 * papers report as "FLOPs" or "multiply-adds". Not counted: BatchNorm, activations, biases, residual adds,
 * pooling (global average pooling, max pooling, grid pooling, the squeeze of SE/eSE) and the SE channel
 * re-scaling. A conv costs Hout * Wout * Cout * (Cin / groups) * k * k MACs (padding positions included,
 * as usual); see opMacs.
 *
 * Parameters, two conventions (`ParamConvention`), the same rule for every block and architecture:
 * - 'all' (default): conv/FC weights + biases + BatchNorm gamma and beta, i.e. what PyTorch's `parameters()`
 *   or Keras' trainable weights hold. BatchNorm running mean/var are buffers and never counted.
 * - 'weights': conv and FC weight tensors only; no biases, no BatchNorm (which folds into the conv for
 *   inference). This is how the published figures are counted. Sources: FBNet's authors' model zoo
 *   (facebookresearch/mobile-vision, mobile_cv/model_zoo/models/model_info/fbnet/model_info.json) gives
 *   fbnet_a 4.28648 M params / 249.921848 M FLOPs: exactly the weight count and conv+FC MACs of FBNet-A
 *   built with the original IRFBlock (maskrcnn-benchmark fbnet_builder.py), whose e = 1 blocks keep a 1x1
 *   expand conv; ours drop it, as mobile-vision's fbnet_v2 IRFBlock does, so our FBNet-A is 4,270,288 weights
 *   and 244.5 M MACs. MobileNetV2's authors list 3.47 M params for 1.0/224
 *   (tensorflow/models research/slim/nets/mobilenet/README.md): the BatchNorm-free count, 3,469,760 here,
 *   whereas with gamma/beta it is torchvision's 3,504,872. FBNetV3-A … G's released params (model_zoo
 *   model_info/fbnet_v2/model_info_fbnet_v3.json) are this count exactly; their released FLOPs are MACs plus
 *   the values read by global average pooling (`gapReads`), also exactly (arch/fbnetv3.test.ts).
 */
import { lower, lowerBlock, lowerHead, opMacs, type Op, type Shape } from '../arch/lower.ts';
import type { Arch, BlockSpec, HeadSpec, InputSpec } from '../arch/spec.ts';

export type { Shape } from '../arch/lower.ts';

export interface Cost {
  macs: number;
  params: number;
}

export interface BlockCost extends Cost {
  out: Shape;
}

/** Which parameters `params` counts; see the file comment. */
export type ParamConvention = 'all' | 'weights';

/** MACs and parameters of a list of lowered ops. */
export function opsCost(ops: Op[], params: ParamConvention = 'all'): Cost {
  let macs = 0;
  let n = 0;
  for (const op of ops) {
    macs += opMacs(op);
    for (const p of op.params) {
      if (p.role === 'weight' || (params === 'all' && (p.role === 'bias' || p.role === 'bn'))) {
        n += p.shape.reduce((a, b) => a * b, 1);
      }
    }
  }
  return { macs, params: n };
}

export function blockCost(spec: BlockSpec, input: Shape, params: ParamConvention = 'all'): BlockCost {
  const part = lowerBlock(spec, input);
  return { ...opsCost(part.ops, params), out: part.out.shape };
}

/** Input and output shape of every body block. */
export function layerShapes(arch: Arch, input: InputSpec = arch.input): { in: Shape; out: Shape }[] {
  return lower(arch, input).body.map((b) => ({ in: b.in.shape, out: b.out.shape }));
}

/**
 * Head cost given the body's final shape and the output shapes of every body block (for `taps`).
 * classifier: [1x1 conv-bn-act] -> global pool -> FC+bias; landmarks: the same, the final features pooled
 * into grid² cells (pooling counts no MACs, like global pooling), the pooled tapped features concatenated
 * before the FC to 2 * points.
 */
export function headCost(
  head: HeadSpec,
  last: Shape,
  bodyOut: Shape[],
  params: ParamConvention = 'all',
): Cost {
  const taps = (head.kind === 'landmarks' ? (head.taps ?? []) : []).map((i) => {
    const s = bodyOut[i];
    if (!s) throw new Error(`landmark head taps body index ${i}, which does not exist`);
    return s;
  });
  return opsCost(lowerHead(head, last, taps).ops, params);
}

export function countCost(arch: Arch, input: InputSpec = arch.input, params: ParamConvention = 'all'): Cost {
  return opsCost(lower(arch, input).ops, params);
}

/**
 * Values read by the network's global average pools (SE squeezes, ir_pool's pool, the head's pool): H·W·C
 * of each pooled map. Not MACs under the convention above; mobile-vision's FLOPs counter
 * (mobile_cv/lut/lib/lut_ops.py, AdaptiveAvgPool2d) adds them to conv/FC MACs in the figures its model zoo
 * releases (FBNetV3), so `macs + gapReads` is that figure.
 */
export function gapReads(arch: Arch, input: InputSpec = arch.input): number {
  return lower(arch, input)
    .ops.filter((o) => o.op === 'gap')
    .reduce((n, o) => n + o.in[0].shape.h * o.in[0].shape.w * o.in[0].shape.c, 0);
}
