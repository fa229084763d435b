/** Pure helpers of the FBNetV2 views (no DOM). */
import type { StepMetrics, V2FeatureSummary } from '../../nas/index.ts';

export type ChannelState = 'on' | 'partly' | 'off';

/** A mask value M ∈ [0, 1] as the explanation reads it: kept (1), partly kept (between), dropped (0). */
export function channelState(m: number): ChannelState {
  if (m >= 0.995) return 'on';
  if (m <= 0.005) return 'off';
  return 'partly';
}

/** The newest feature summary at or before `index` in the history (features arrive every few steps). */
export function latestFeatures(
  history: StepMetrics[],
  index: number,
): { step: number; layers: V2FeatureSummary[] } | null {
  for (let i = Math.min(index, history.length - 1); i >= 0; i--) {
    const f = history[i].v2?.features;
    if (f && f.length) return { step: history[i].step, layers: f };
  }
  return null;
}

/** Colour of a value in [0, 1] on a white → indigo ramp. */
export function ramp(v: number): string {
  const t = Math.max(0, Math.min(1, v));
  const r = Math.round(255 - t * (255 - 67));
  const g = Math.round(255 - t * (255 - 56));
  const b = Math.round(255 - t * (255 - 202));
  return `rgb(${r},${g},${b})`;
}
