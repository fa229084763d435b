/**
 * The cost counter's names for the shape and channel rules. The rules themselves live in
 * blocks/shapes.ts, which the tfjs builder and the ONNX exporter use too: one source of truth, so counted
 * MACs/params match the built model. Nothing here may define a rule of its own.
 */
import { samePad } from '../blocks/shapes.ts';

export {
  samePad as convPad,
  irHiddenChannels as irHidden,
  seChannels as seReduce,
  ghostHiddenChannels as ghostHidden,
  ghostPrimaryChannels as ghostPrimary,
  GHOST_CHEAP_KERNEL as GHOST_CHEAP_K,
  peleeHalfChannels as peleeMid,
  poolCeilOutSize,
} from '../blocks/shapes.ts';

/**
 * Output side of a conv/pool with symmetric padding `pad` (PyTorch/ONNX formula); `pad` defaults to the
 * engine's samePad(k, dilation), which makes it blocks/shapes.ts convOutSize.
 */
export function convOutSize(size: number, k: number, stride: number, pad?: number, dilation = 1): number {
  pad ??= samePad(k, dilation);
  return Math.floor((size + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
}
