/** The evaluated range of the cumulative error distribution (CED) shown next to the comparison table. */
import { cedCurve } from '../data/metrics.ts';
import type { LandmarkEvaluation } from '../finetune/evaluate.ts';

/** Where the CED is drawn up to by default: the 10 % failure threshold of the reference evaluation. */
export const CED_REFERENCE_MAX = 0.1;
/** Never draw the CED beyond 50 % NME. */
export const CED_LIMIT = 0.5;

/**
 * Right end of the CED: the reference 10 %, or, when more than a tenth of the faces fail, the 90th
 * percentile of the per-image NME rounded up to the next 5 % (at most 50 %), so the curve says something.
 * NaN entries (faces that cannot be scored) are left out; `count` is the split's size.
 */
export function cedRange(perImage: number[], count: number): number {
  const sorted = perImage.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const p90 = sorted[Math.floor(0.9 * (count - 1))] ?? 0;
  return Math.min(CED_LIMIT, Math.max(CED_REFERENCE_MAX, Math.ceil(p90 * 20) / 20));
}

/** The evaluation with its CED redrawn over cedRange (unchanged when that is the reference range). */
export function withCedRange(r: LandmarkEvaluation): LandmarkEvaluation {
  const max = cedRange(r.perImage, r.count);
  if (max <= CED_REFERENCE_MAX) return r;
  const c = cedCurve(r.perImage, max, 100);
  return { ...r, ced: { x: Array.from(c.x), y: Array.from(c.y) } };
}
