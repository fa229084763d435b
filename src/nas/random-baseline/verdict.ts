/**
 * Where the searched network stands among the random ones, on the plane of mean validation NME (over init
 * seeds) and MACs, both lower is better. Only finite results count (a diverged unit is NaN and ignored).
 *
 * - The random front: the random networks no other random network dominates (Pareto, ≤ on both axes and
 *   < on one; sample-search/pareto.ts).
 * - 'dominated': some random network dominates the searched one (as cheap or cheaper and as accurate or
 *   better, strictly on one axis).
 * - 'beyond': no random network is as cheap and as accurate (none ≤ on both axes, so not even a tie), and
 *   either the searched network dominates a front point or it lies strictly below the front's curve at its
 *   MACs — the straight lines between consecutive front points, with MACs on a log scale (costs spread by
 *   factors). A non-dominated network always lies below the front's staircase; the line asks more: that it
 *   improves on the random trade-off rather than filling a gap in it. Outside the front's MACs range only
 *   dominating a front point counts (a network costlier than every random one that is also more accurate
 *   extends the front, it does not beat it).
 * - 'on-front': neither (non-dominated, including an exact tie with a random network).
 * The spread is the pooled standard deviation over init seeds: sqrt(Σ_networks Σ_seeds (x − mean)² /
 * Σ_networks (n − 1)) over networks with at least two finite results, the searched one included.
 */
import { paretoFront } from '../sample-search/pareto.ts';
import type {
  BaselineCandidate,
  BaselinePlan,
  BaselineResults,
  BaselineVerdict,
  VerdictKind,
} from './types.ts';

interface Scored {
  c: BaselineCandidate;
  nme: number;
}

/** The finite NMEs (%) of a candidate so far. */
export function finiteResults(results: BaselineResults, id: string): number[] {
  return (results[id] ?? []).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

function mean(xs: number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Pooled standard deviation over init seeds (see the file comment); 0 without two results of one network. */
export function pooledSpread(plan: BaselinePlan, results: BaselineResults): number {
  let ss = 0;
  let dof = 0;
  for (const c of plan.candidates) {
    const xs = finiteResults(results, c.id);
    if (xs.length < 2) continue;
    const m = mean(xs)!;
    ss += xs.reduce((a, x) => a + (x - m) ** 2, 0);
    dof += xs.length - 1;
  }
  return dof > 0 ? Math.sqrt(ss / dof) : 0;
}

/** Whether a is ≤ b on both axes (weakly dominates), and strictly better on one (dominates). */
const weakly = (a: Scored, b: Scored) => a.c.macs <= b.c.macs && a.nme <= b.nme;
const dominates = (a: Scored, b: Scored) => weakly(a, b) && (a.c.macs < b.c.macs || a.nme < b.nme);

/** Strictly below the log-MACs interpolation of the front (sorted by MACs) at s's MACs. */
function belowFrontLine(front: Scored[], s: Scored): boolean {
  for (let i = 0; i + 1 < front.length; i++) {
    const a = front[i];
    const b = front[i + 1];
    if (a.c.macs <= s.c.macs && s.c.macs <= b.c.macs && a.c.macs < b.c.macs) {
      const t = Math.log(s.c.macs / a.c.macs) / Math.log(b.c.macs / a.c.macs);
      return s.nme < a.nme + t * (b.nme - a.nme);
    }
  }
  return false;
}

export function formatMacs(macs: number): string {
  if (macs >= 1e6) return `${(macs / 1e6).toFixed(2)} M MACs`;
  if (macs >= 1e3) return `${(macs / 1e3).toFixed(1)} k MACs`;
  return `${Math.round(macs)} MACs`;
}

const pct = (x: number) => `${x.toFixed(2)} %`;
const points = (x: number) => `${x.toFixed(2)} point${x.toFixed(2) === '1.00' ? '' : 's'}`;

export function baselineVerdict(plan: BaselinePlan, results: BaselineResults): BaselineVerdict {
  const seeds = plan.recipe.initSeeds.length;
  const scored = (c: BaselineCandidate): Scored | null => {
    const m = mean(finiteResults(results, c.id));
    return m === null ? null : { c, nme: m };
  };
  const random = plan.candidates
    .filter((c) => c.kind !== 'searched')
    .map(scored)
    .filter((s): s is Scored => s !== null);
  const s = scored(plan.searched);
  const spread = pooledSpread(plan, results);
  const front = paretoFront(random.map((r) => ({ cost: r.c.macs, nme: r.nme }))).map((i) => random[i]);
  const matched = random.filter((r) => r.c.kind === 'cost-matched');
  const costMatchedMedian = median(matched.map((r) => r.nme));
  const tooFewCostMatched = plan.costMatchedFound < plan.settings.costMatched;
  const units = plan.candidates.length * seeds;
  const finished = plan.candidates.reduce(
    (n, c) => n + (results[c.id] ?? []).slice(0, seeds).filter((v) => v !== undefined).length,
    0,
  );
  const complete = finished >= units;
  const base = {
    tooFewCostMatched,
    costMatchedMedian,
    spread,
    front: front.map((f) => f.c.id),
    searchedNme: s?.nme ?? null,
    complete,
  };
  const tooFew = tooFewSentence(plan);
  if (!s || random.length === 0) {
    const missing = !s ? 'the searched network has no' : 'no random network has a';
    return {
      ...base,
      kind: 'on-front',
      beatenBy: [],
      ready: false,
      sentence:
        `No verdict yet: ${finished} of ${units} training runs are done and ${missing} finite result yet` +
        (tooFew ? `; ${tooFew}` : '') +
        '.',
    };
  }
  const dominators = random
    .filter((r) => dominates(r, s))
    .sort((a, b) => a.nme - b.nme || a.c.macs - b.c.macs);
  const kind: VerdictKind = dominators.length
    ? 'dominated'
    : !random.some((r) => weakly(r, s)) && (front.some((f) => dominates(s, f)) || belowFrontLine(front, s))
      ? 'beyond'
      : 'on-front';
  const beatenBy = random.filter((r) => r.c.macs <= s.c.macs && r.nme < s.nme - spread).map((r) => r.c.id);

  const n = random.length;
  const head =
    (complete ? '' : `So far (${finished} of ${units} training runs), `) +
    `${complete ? 'The' : 'the'} searched network (${pct(s.nme)} NME, ${formatMacs(s.c.macs)}; ` +
    (seeds > 1 ? `init-seed spread ±${points(spread)})` : 'one init seed, so no seed spread measured)');
  let body: string;
  if (kind === 'dominated') {
    const best = dominators[0];
    const within = s.nme - best.nme <= spread && spread > 0;
    body =
      ` is dominated by ${dominators.length} of the ${n} random networks: ${best.c.id} (${best.c.label}) ` +
      `reaches ${pct(best.nme)} at ${formatMacs(best.c.macs)}` +
      (within ? `, though within the init-seed spread of ±${points(spread)}` : '') +
      ', so the search did no better than random sampling here';
  } else if (kind === 'beyond') {
    body =
      ` is beyond the Pareto front of the ${n} random networks: none is as cheap and as accurate, ` +
      'and it improves on their trade-off';
  } else {
    body =
      ` lies on the Pareto front of the ${n} random networks: none is both as cheap and as accurate, ` +
      'but it does not improve on their trade-off either';
  }
  let tail = '';
  if (costMatchedMedian !== null) {
    const d = costMatchedMedian - s.nme;
    tail +=
      `; it is ${Math.abs(d) < 0.005 ? 'level with' : `${points(Math.abs(d))} ${d > 0 ? 'better' : 'worse'} than`} ` +
      `the median of ${matched.length} cost-matched network${matched.length === 1 ? '' : 's'} (${pct(costMatchedMedian)})`;
  }
  if (tooFew) tail += `; ${tooFew}`;
  return { ...base, kind, beatenBy, ready: true, sentence: head + body + tail + '.' };
}

/** Why there are fewer cost-matched networks than asked, or '' when there are not. */
function tooFewSentence(plan: BaselinePlan): string {
  const asked = plan.settings.costMatched;
  const found = plan.costMatchedFound;
  if (found >= asked) return '';
  const band = `±${Math.round(plan.settings.band * 100)} % of its MACs`;
  if (plan.bandSize !== null)
    return found === 0
      ? `no architecture of this space besides those already in the check lies within ${band}, so there is no cost-matched comparison`
      : `only ${found} of the ${asked} cost-matched architectures asked for exist within ${band}`;
  return `only ${found} of the ${asked} cost-matched architectures asked for were found within ${band} by random draws`;
}
