/** Public API of the share-link codec. */
export { decodeShare, encodeShare } from './codec.ts';
export { ShareError, type ShareErrorCode, type ShareWarning } from './errors.ts';
export type { ShareArea, ShareContext, SharedExperiment, ShareMetrics } from './types.ts';
export {
  readShareFromLocation,
  SHARE_HASH_KEY,
  shareHash,
  shareLink,
  shareTokenFromHash,
  type ShareReadResult,
} from './url.ts';
export { check, type Checked, type Rule } from './rules.ts';
export { numberRule } from './wire-v1.ts';
export {
  DEFAULT_SHARED_STRATEGIES,
  defaultSharedStrategies,
  type SharedRewardKind,
  type SharedStrategies,
} from './strategies-settings.ts';
export { defaultSharedV3, V3_MAX_BUDGETS, V3_SHARE_DEFAULTS, type SharedV3 } from './v3-settings.ts';
