/**
 * The run's "Better than random?" networks on the sweep's plane: only when they were drawn from the space
 * the sweep searched (same strategy, space, candidate edits, input size and FBNetV2 options); otherwise
 * they would be a different population and the comparison would mislead.
 */
import type { BaselineCheckState, ExperimentConfig } from '../../nas/index.ts';
import { planePoints, type PlanePoint } from '../baseline/plane-points.ts';

export interface RandomOverlay {
  /** Random networks with a result (the check's searched network is the run's, not the sweep's). */
  points: PlanePoint[];
  front: string[];
  steps: number;
  seeds: number;
}

const spaceKey = (c: ExperimentConfig) =>
  JSON.stringify([
    c.strategy,
    c.space,
    c.inputSize,
    c.candidateEdits ?? {},
    c.strategy === 'fbnet-v2' ? (c.v2 ?? null) : null,
  ]);

export function sameSearchSpace(a: ExperimentConfig, b: ExperimentConfig): boolean {
  return spaceKey(a) === spaceKey(b);
}

/** The overlay of `check` (of a run searched with `runConfig`) on a sweep of `sweepConfig`, or null. */
export function randomOverlay(
  sweepConfig: ExperimentConfig | null,
  runConfig: ExperimentConfig,
  check: BaselineCheckState | null,
  front: readonly string[],
): RandomOverlay | null {
  if (!sweepConfig || !check || !sameSearchSpace(sweepConfig, runConfig)) return null;
  const points = planePoints(check).filter((p) => p.kind !== 'searched' && p.mean !== null);
  if (!points.length) return null;
  return {
    points,
    front: front.filter((id) => points.some((p) => p.id === id)),
    steps: check.plan.recipe.steps,
    seeds: check.plan.recipe.initSeeds.length,
  };
}
