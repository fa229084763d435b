/**
 * The logic of the V1 lesson's "Is the search better than random?" section, as plain functions: a made-up
 * check the learner moves with two sliders (read by the engine's own verdict rule), which finished run the
 * section's Try it opens, and how a check's gap compares with its init-seed spread. Types only from the
 * engine, so e2e specs can build the made-up check too.
 */
import type {
  Arch,
  BaselineCandidate,
  BaselineCheckState,
  BaselineKind,
  BaselineVerdict,
} from '../../nas/index.ts';
import type { PlanePoint } from '../baseline/plane-points.ts';

/** The made-up searched network's cost (MACs); its NME is the learner's slider. */
export const TOY_SEARCHED_MACS = 2.4e6;

/**
 * The made-up random networks: [id, MACs (M), mean NME (%)]. A plausible trade-off (NME falls as MACs
 * rise) with a wide step of the random front around the searched network's cost (c2 to c3), so each of
 * the three verdicts is a slider range, not a point; u3, u6 and c1 are dominated. The cost-matched ones lie
 * within ±25 % of 2.4 M.
 */
const TOY_RANDOM: [string, number, number][] = [
  ['u1', 0.8, 8.6],
  ['u2', 1.4, 7.6],
  ['u3', 2.6, 7.3],
  ['u4', 3.3, 6.0],
  ['u5', 4.4, 5.7],
  ['u6', 3.8, 7.0],
  ['c1', 1.85, 7.6],
  ['c2', 2.0, 7.2],
  ['c3', 2.9, 6.2],
];

/** Per-seed offsets, in units of the spread: over three seeds their pooled standard deviation is exactly 1. */
const SEED_OFFSETS = [
  [-1, 0, 1],
  [0, 1, -1],
  [1, -1, 0],
];

/** The toy is never trained or built: only the verdict and the plane read its plan, not the architecture. */
const NO_ARCH = {} as Arch;

function toyCandidate(id: string, kind: BaselineKind, macs: number): BaselineCandidate {
  return {
    id,
    kind,
    choices: { blocks: [] },
    label: 'made-up',
    macs,
    params: 0,
    arch: NO_ARCH,
    factor: 1,
  };
}

/**
 * A finished check with made-up numbers: the searched network at `searchedNme` (%) and nine random ones,
 * every network trained with three init seeds whose NMEs lie at its mean − spread, mean, mean + spread (in
 * rotating order), so the pooled init-seed spread is `spread` points.
 */
export function toyCheck(searchedNme: number, spread: number): BaselineCheckState {
  const searched = toyCandidate('searched', 'searched', TOY_SEARCHED_MACS);
  const random = TOY_RANDOM.map(([id, macs]) =>
    toyCandidate(id, id.startsWith('c') ? 'cost-matched' : 'uniform', macs * 1e6),
  );
  const means = new Map<string, number>([
    ['searched', searchedNme],
    ...TOY_RANDOM.map(([id, , nme]) => [id, nme] as [string, number]),
  ]);
  const candidates = [searched, ...random];
  const results = Object.fromEntries(
    candidates.map((c, i) => [
      c.id,
      SEED_OFFSETS[i % SEED_OFFSETS.length].map((o) => means.get(c.id)! + o * spread),
    ]),
  );
  const band = 0.25;
  return {
    plan: {
      version: 1,
      recipe: { steps: 100, lr: 0.05, batchSize: 16, weightDecay: 1e-4, initSeeds: [0, 1, 2], dataSeed: 0 },
      settings: { uniform: 6, costMatched: 3, band, steps: 100, lr: 0.05, initSeeds: 3, seed: 1 },
      searched,
      candidates,
      band: { low: TOY_SEARCHED_MACS * (1 - band), high: TOY_SEARCHED_MACS * (1 + band) },
      costMatchedFound: 3,
      bandSize: null,
      spaceSize: 7776,
    },
    results,
  };
}

/** A run as the section needs it (the runs library's records carry more). */
export interface RunSummary {
  id: string;
  name: string;
  status: string;
  createdAt: number;
}

/** The finished run the section's check refers to, and where it is. */
export interface CheckTarget {
  runId: string;
  name: string;
  /** 'tab': the search finished in this tab (Results shows it now); 'library': a stored run to reopen. */
  from: 'tab' | 'library';
}

/**
 * The last finished run: this tab's search when it has finished (it is the newest), else the newest
 * finished run of the library; null when there is none.
 */
export function lastFinishedRun(
  tab: { runId: string | null; status: string; name: string },
  library: readonly RunSummary[],
): CheckTarget | null {
  if (tab.runId && tab.status === 'finished') {
    const stored = library.find((r) => r.id === tab.runId);
    return { runId: tab.runId, name: stored?.name ?? tab.name, from: 'tab' };
  }
  const newest = library
    .filter((r) => r.status === 'finished')
    .reduce<RunSummary | null>((a, r) => (!a || r.createdAt > a.createdAt ? r : a), null);
  return newest ? { runId: newest.id, name: newest.name, from: 'library' } : null;
}

const pts = (x: number) => `${x.toFixed(2)} point${x.toFixed(2) === '1.00' ? '' : 's'}`;

/**
 * How the searched network's gap to the best random network at no more MACs compares with the pooled
 * init-seed spread, in one sentence; null before the verdict is ready. A gap within the spread is a tie that
 * these seeds cannot resolve; beyond it, a difference another seed is unlikely to undo.
 */
export function spreadReading(
  verdict: BaselineVerdict,
  points: readonly PlanePoint[],
  initSeeds: number,
): string | null {
  const s = points.find((p) => p.kind === 'searched');
  if (!verdict.ready || !s || s.mean === null) return null;
  if (initSeeds < 2)
    return 'Each network was trained with one init seed, so the check cannot tell a gap from training noise: run it with two or more.';
  const cheaper = points.filter((p) => p.kind !== 'searched' && p.mean !== null && p.macs <= s.macs);
  const spread = `the init-seed spread of ±${pts(verdict.spread)}`;
  if (!cheaper.length)
    return `No random network is as cheap as the searched one, so there is no gap at its cost to weigh against ${spread}.`;
  const best = cheaper.reduce((a, p) => (p.mean! < a.mean! ? p : a));
  const gap = best.mean! - s.mean; // > 0: the searched network is better
  const who = `the best random network at no more MACs (${best.id}, ${best.mean!.toFixed(2)} %)`;
  if (verdict.beatenBy.length)
    return (
      `${verdict.beatenBy.length} random network${verdict.beatenBy.length === 1 ? '' : 's'} at no more MACs ` +
      `${verdict.beatenBy.length === 1 ? 'is' : 'are'} better by more than ${spread}: ${who} leads by ${pts(-gap)}, ` +
      'a loss another init seed is unlikely to undo.'
    );
  if (Math.abs(gap) <= verdict.spread)
    return (
      `The searched network and ${who} are ${pts(Math.abs(gap))} apart, within ${spread}: ` +
      'another init seed could swap them, so read it as a tie.'
    );
  return `The searched network beats ${who} by ${pts(gap)}, more than ${spread}.`;
}
