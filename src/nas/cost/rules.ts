/**
 * The cost counter's names for the shape and channel rules. The rules themselves live in
 * blocks/shapes.ts, which the tfjs builder and the ONNX exporter use too: one source of truth, so counted
 * MACs/params match the built model. Nothing here may define a rule of its own.
 */
export {
  irHiddenChannels as irHidden,
  seChannels as seReduce,
  ghostHiddenChannels as ghostHidden,
  ghostPrimaryChannels as ghostPrimary,
  GHOST_CHEAP_KERNEL as GHOST_CHEAP_K,
  peleeHalfChannels as peleeMid,
  poolCeilOutSize,
  convOutSize,
} from '../blocks/shapes.ts';
