/** FBNetV2 (DMaskingNAS): masked channel / expansion search, resolution search, effective cost, derivation. */
export {
  ChannelSearch,
  channelMask,
  distOf,
  expectedValue,
  fixedDist,
  maskChannels,
  prefixMasks,
  type OptionDist,
  type SearchDimension,
} from './channel-mask.ts';
export { buildMaskedBlock, type BlockIO, type MaskedBlock } from './masked-blocks.ts';
export { MaskedLayer, type MaskedLayerMix } from './masked-layer.ts';
export { MaskedSupernet, type MaskedMix, type MaskedSupernetOptions } from './masked-supernet.ts';
export { planSpace, type MaskedPlan, type PlanLayer, type PlanOptions } from './plan.ts';
export {
  conv2dInterspersed,
  depthwiseInterspersed,
  intersperse,
  interspersedSum,
  keptPositions,
  mixResolutions,
  subsample,
  subsampledSize,
} from './resolution.ts';
export { effectiveCost, effectiveShapes, type Num } from './effective-shape.ts';
export {
  argmaxChoices,
  choicesMix,
  deriveArch,
  deriveModel,
  sliceWeights,
  type DerivedArch,
  type MaskedChoices,
} from './derive.ts';
export { FbnetV2Net } from './v2-net.ts';
export type { V2Relaxation, V2Sample } from './v2-sample.ts';
