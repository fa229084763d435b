/**
 * Rewards of the sample-based strategies: higher is better. A landmark model's validation NME (a fraction,
 * lower is better) becomes the score 1 − NME, which plays the part of ACC in the MnasNet reward
 * (Tan et al., "MnasNet: Platform-Aware Neural Architecture Search for Mobile", CVPR 2019, eq. 2):
 *   reward = ACC · (LAT / T)^w
 * with w = −0.07 for the soft constraint, and for the hard constraint w = 0 while LAT ≤ T and −1 above it.
 */

export type RewardSpec =
  | { kind: 'score' }
  | {
      kind: 'mnas';
      /** Target cost T (in the unit of the cost the search reads: ms or MACs). */
      target: number;
      mode: 'soft' | 'hard';
    };

export const MNAS_SOFT_W = -0.07;

/** NME (fraction) → a higher-is-better score. */
export function nmeScore(nme: number): number {
  return 1 - nme;
}

/** MnasNet's exponent w for a candidate of cost `lat` against target `target`. */
export function mnasExponent(lat: number, target: number, mode: 'soft' | 'hard'): number {
  if (mode === 'soft') return MNAS_SOFT_W;
  return lat <= target ? 0 : -1;
}

/** ACC · (LAT / T)^w. */
export function mnasReward(acc: number, lat: number, target: number, w: number): number {
  if (!(target > 0)) throw new Error(`The MnasNet target must be positive, got ${target}`);
  if (!(lat > 0)) throw new Error(`The MnasNet reward needs a positive cost, got ${lat}`);
  return acc * Math.pow(lat / target, w);
}

/** The reward of a candidate with validation NME `nme` and cost `cost` under `spec`. */
export function rewardOf(spec: RewardSpec, nme: number, cost: number): number {
  const acc = nmeScore(nme);
  if (spec.kind === 'score') return acc;
  return mnasReward(acc, cost, spec.target, mnasExponent(cost, spec.target, spec.mode));
}

/** The formula shown next to the plots. */
export function rewardFormula(spec: RewardSpec): string {
  if (spec.kind === 'score') return 'reward = 1 − NME';
  const w = spec.mode === 'soft' ? `w = ${MNAS_SOFT_W}` : 'w = 0 if LAT ≤ T, else −1';
  return `reward = ACC · (LAT / T)^w, ACC = 1 − NME, T = ${spec.target}, ${w}`;
}
