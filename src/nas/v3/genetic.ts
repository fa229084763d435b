/**
 * FBNetV3's fine stage (Dai et al., CVPR 2021, sec. 3.3): an adaptive genetic search over (architecture,
 * recipe) pairs scored by the predictor alone, so a new resource budget is searched in seconds without
 * training anything.
 *
 * (μ + λ) evolution: each generation breeds `population` children from tournament-picked parents (uniform
 * crossover of knobs, then mutation), drops every child that breaks the constraint before it is scored,
 * and keeps the best `population` of parents and children. Mutation works in the knobs' unit coordinates
 * (joint-space.ts): a choice knob jumps to another value, a continuous one takes a Gaussian step. Its rate
 * adapts by Rechenberg's 1/5 success rule (Rechenberg, "Evolutionsstrategie", 1973): when more than a
 * fifth of the children beat their first parent the search is making progress and mutates more boldly,
 * otherwise it mutates less. Every draw comes from one seeded Rng.
 */
import { Rng } from '../rng.ts';
import {
  candidateKey,
  candidateFromUnit,
  randomCandidate,
  meetsConstraint,
  candidateToUnit,
  type JointCandidate,
  type JointConstraint,
  type JointSpace,
} from './joint-space.ts';

/** Scores of candidates, lower is better (the predicted NME). */
export type CandidateScorer = (candidates: JointCandidate[]) => Promise<number[]>;

export interface GeneticOptions {
  seed: number;
  /** Default 24. */
  population?: number;
  /** Default 30. */
  generations?: number;
  /** Starting candidates (e.g. the best measured ones); those breaking the constraint are left out. */
  initial?: readonly JointCandidate[];
  /** Initial per-knob mutation probability; default 0.2, kept within [minRate, maxRate]. */
  rate?: number;
  minRate?: number;
  maxRate?: number;
  /** Standard deviation of a continuous knob's step, in unit coordinates; default 0.15. */
  sigma?: number;
  /** Probability that a child is a crossover of two parents; default 0.5. */
  crossover?: number;
  /** How many of the best distinct candidates to return; default 5. */
  top?: number;
}

export interface ScoredCandidate {
  candidate: JointCandidate;
  score: number;
}

export interface GenerationRecord {
  generation: number;
  bestScore: number;
  /** Mutation rate used for this generation's children. */
  rate: number;
  /** Fraction of this generation's children that beat their first parent. */
  success: number;
}

export interface GeneticResult {
  /** The best distinct candidates found, best first; every one meetsConstraint the constraint. */
  best: ScoredCandidate[];
  history: GenerationRecord[];
  /** Candidates scored. */
  scored: number;
  /** Children dropped for breaking the constraint. */
  rejected: number;
}

/** Reflects x into [0, 1). */
function reflect(x: number): number {
  let v = x;
  while (v < 0 || v >= 1) v = v < 0 ? -v : 2 - v - 1e-12;
  return v;
}

/** One child: every knob mutates with probability `rate`, and at least one always does. */
export function mutateCandidate(
  space: JointSpace,
  parent: JointCandidate,
  rate: number,
  sigma: number,
  rng: Rng,
): JointCandidate {
  const u = candidateToUnit(space, parent);
  const movable = space.knobs
    .map((k, i) => (k.domain.kind !== 'choice' || k.domain.values.length > 1 ? i : -1))
    .filter((i) => i >= 0);
  if (movable.length === 0) return [...parent];
  const chosen = movable.filter(() => rng.next() < rate);
  if (chosen.length === 0) chosen.push(movable[rng.int(movable.length)]);
  const child = [...parent];
  for (const i of chosen) {
    const d = space.knobs[i].domain;
    if (d.kind === 'choice') {
      const cur = d.values.indexOf(parent[i]);
      child[i] = d.values[(cur + 1 + rng.int(d.values.length - 1)) % d.values.length];
    } else {
      child[i] = candidateFromUnit(
        space,
        u.map((x, j) => (j === i ? reflect(x + sigma * rng.normal()) : x)),
      )[i];
    }
  }
  return child;
}

/** Each knob from either parent with equal probability. */
function crossover(a: JointCandidate, b: JointCandidate, rng: Rng): JointCandidate {
  return a.map((v, i) => (rng.next() < 0.5 ? v : b[i]));
}

export async function geneticSearch(
  space: JointSpace,
  score: CandidateScorer,
  constraint: JointConstraint,
  options: GeneticOptions,
): Promise<GeneticResult> {
  const o = {
    population: 24,
    generations: 30,
    rate: 0.2,
    minRate: 0.05,
    maxRate: 0.6,
    sigma: 0.15,
    crossover: 0.5,
    top: 5,
    ...options,
  };
  if (!Number.isInteger(o.population) || o.population < 2)
    throw new Error('The population needs ≥ 2 members');
  const rng = new Rng(o.seed);
  const feasible = (c: JointCandidate) => meetsConstraint(space, c, constraint);
  let scoredCount = 0;
  let rejected = 0;
  const scoreAll = async (cands: JointCandidate[]): Promise<ScoredCandidate[]> => {
    if (cands.length === 0) return [];
    const s = await score(cands);
    scoredCount += cands.length;
    return cands.map((candidate, i) => ({ candidate, score: Number.isFinite(s[i]) ? s[i] : Infinity }));
  };

  const seen = new Set<string>();
  const start: JointCandidate[] = [];
  for (const c of o.initial ?? []) {
    const k = candidateKey(c);
    if (start.length < o.population && !seen.has(k) && feasible(c)) {
      seen.add(k);
      start.push([...c]);
    }
  }
  for (let tries = 0; start.length < o.population && tries < 200 * o.population; tries++) {
    const c = randomCandidate(space, rng);
    const k = candidateKey(c);
    if (!seen.has(k) && feasible(c)) {
      seen.add(k);
      start.push(c);
    }
  }
  if (start.length === 0) {
    throw new Error(
      `No candidate of space "${space.id}" meets the constraint (≤ ${constraint.maxMacs} MACs)`,
    );
  }
  let pop = (await scoreAll(start)).sort((a, b) => a.score - b.score);
  let rate = o.rate;
  const history: GenerationRecord[] = [];
  const tournament = () => {
    const a = pop[rng.int(pop.length)];
    const b = pop[rng.int(pop.length)];
    return a.score <= b.score ? a : b;
  };

  for (let g = 0; g < o.generations; g++) {
    const children: JointCandidate[] = [];
    const parentScore: number[] = [];
    for (let n = 0; n < o.population; n++) {
      for (let attempt = 0; attempt < 20; attempt++) {
        const p = tournament();
        const base =
          rng.next() < o.crossover ? crossover(p.candidate, tournament().candidate, rng) : p.candidate;
        const child = mutateCandidate(space, base, rate, o.sigma, rng);
        const k = candidateKey(child);
        if (seen.has(k)) continue;
        if (!feasible(child)) {
          rejected++;
          continue;
        }
        seen.add(k);
        children.push(child);
        parentScore.push(p.score);
        break;
      }
    }
    const scored = await scoreAll(children);
    const wins = scored.filter((c, i) => c.score < parentScore[i]).length;
    const success = scored.length ? wins / scored.length : 0;
    history.push({ generation: g, bestScore: 0, rate, success });
    pop = [...pop, ...scored].sort((a, b) => a.score - b.score).slice(0, o.population);
    history[g].bestScore = pop[0].score;
    rate = Math.min(o.maxRate, Math.max(o.minRate, success > 0.2 ? rate * 1.22 : rate * 0.82));
  }
  return { best: pop.slice(0, o.top), history, scored: scoredCount, rejected };
}
