/** The FBNetV3 joint search's candidate table: one row per trained candidate, and its CSV export. */
import {
  candidateCost,
  classroomJointSpace,
  decodeArch,
  decodeRecipe,
  knobIndex,
  type JointSearchState,
  type JointSpace,
  type TrainedCandidate,
} from '../../nas/index.ts';

/** One row of the candidate table. */
export interface V3Row {
  index: number;
  stage: string;
  round: number;
  budget: number | null;
  arch: string;
  recipe: string;
  macs: number;
  /** NME (%) at the last logged point trained through. */
  measured: number;
  predicted: number | null;
}

/** Table rows of a state's trained candidates. */
export function rowsOf(state: JointSearchState): V3Row[] {
  const space = classroomJointSpace(state.config.space);
  return state.trained.map((t: TrainedCandidate, index) => ({
    index: index + 1,
    stage: t.stage,
    round: t.round,
    budget: t.budget,
    ...candidateSummary(space, t.candidate),
    macs: candidateCost(space, t.candidate).macs,
    measured: t.curve[t.curve.length - 1],
    predicted: t.predicted,
  }));
}

/** A candidate's architecture and recipe in words (the table's columns; the re-budgeted picks too). */
export function candidateSummary(
  space: JointSpace,
  candidate: readonly number[],
): { arch: string; recipe: string } {
  const a = decodeArch(space, candidate);
  const r = decodeRecipe(space, candidate);
  const blocks = a.body.filter((b) => b.kind === 'ir').length;
  const knob = (name: string) => candidate[knobIndex(space, name)];
  // per stage: kernel, expansion, width × depth
  const stages = space.stages.map(
    (_, i) =>
      `k${knob(`s${i}.kernel`)} e${knob(`s${i}.expansion`)} w${knob(`s${i}.width`)}×${knob(`s${i}.depth`)}`,
  );
  return {
    arch: `${a.input.size} px, ${blocks} blocks: ${stages.join(' | ')}`,
    recipe:
      `${r.optimizer} lr ${r.lr.toPrecision(2)} wd ${r.weightDecay.toExponential(0)}` +
      ` ema ${r.ema} aug ${r.augment.toFixed(2)} ${r.steps} steps`,
  };
}

/** The table as CSV (one header row, one row per trained candidate). */
export function rowsCsv(rows: V3Row[]): string {
  const head = [
    'index',
    'stage',
    'round',
    'budget',
    'arch',
    'recipe',
    'macs',
    'measured_nme',
    'predicted_nme',
  ];
  const cell = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const body = rows.map((r) =>
    [r.index, r.stage, r.round, r.budget, r.arch, r.recipe, r.macs, r.measured, r.predicted]
      .map(cell)
      .join(','),
  );
  return [head.join(','), ...body].join('\n') + '\n';
}
