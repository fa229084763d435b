import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import {
  candidateCost,
  classroomJointSpace,
  decodeArch,
  decodeRecipe,
  knobGroups,
  randomCandidate,
  meetsConstraint,
  type JointCandidate,
} from './joint-space.ts';
import { geneticSearch, mutateCandidate } from './genetic.ts';

// two stages of 16 architectures each at two resolutions: 512 networks, few enough to enumerate
const space = classroomJointSpace({
  id: 'tiny-joint',
  resolutions: [32, 48],
  stages: [
    { stride: 2, kernels: [3, 5], expansions: [1, 3], widths: [16, 24], depths: [1, 2] },
    { stride: 2, kernels: [3, 5], expansions: [1, 3], widths: [24, 32], depths: [1, 2] },
  ],
});
const archIdx = knobGroups(space).arch;

function allArchs(): number[][] {
  const lists = archIdx.map((i) => {
    const d = space.knobs[i].domain;
    if (d.kind !== 'choice') throw new Error('arch knobs are choices');
    return [...d.values];
  });
  return lists.reduce<number[][]>((acc, vals) => acc.flatMap((a) => vals.map((v) => [...a, v])), [[]]);
}

/** An arch (the arch knob values) inside a full candidate with the planted optimum's recipe. */
function withBestRecipe(arch: number[]): JointCandidate {
  // optimizer sgd, lr 0.01, weight decay, dropout, ema (irrelevant), augment 1, steps 300
  return [...arch, 0, 0.01, 1e-4, 0, 0, 1, 300];
}

/**
 * The planted target's recipe terms (testing.ts) plus an architecture term with a clear optimum: weighted
 * mismatches with the largest network, which breaks any tight budget, so the best network within the
 * budget is a definite one (ties broken by the weights 0.10, 0.11, 0.12, ...).
 */
const largest = archIdx.map((i) => {
  const d = space.knobs[i].domain;
  return d.kind === 'choice' ? d.values[d.values.length - 1] : NaN;
});
function planted(c: JointCandidate): number {
  const r = decodeRecipe(space, c);
  const arch = archIdx.reduce((s, i, j) => s + (c[i] === largest[j] ? 0 : 0.1 + 0.01 * j), 0);
  const recipe =
    0.3 * (Math.log10(r.lr) + 2) ** 2 +
    (r.optimizer === 'adam' ? 0.1 : 0) -
    0.2 * r.augment -
    0.15 * Math.log(r.steps / 100);
  return arch + recipe;
}
const score = async (cands: JointCandidate[]) => cands.map(planted);

describe('genetic search scored by a planted predictor', () => {
  it('finds the planted optimum under a MACs budget and never returns a candidate over it', async () => {
    const archs = allArchs();
    expect(archs).toHaveLength(512);
    const macs = archs.map((a) => candidateCost(space, withBestRecipe(a)).macs).sort((x, y) => x - y);
    const maxMacs = macs[Math.floor(macs.length / 3)];
    // brute force: the best architecture within the budget under the planted (separable) target
    let best: number[] | null = null;
    let bestScore = Infinity;
    expect(candidateCost(space, withBestRecipe(largest)).macs).toBeGreaterThan(maxMacs);
    for (const a of archs) {
      const c = withBestRecipe(a);
      if (candidateCost(space, c).macs > maxMacs) continue;
      const s = planted(c);
      if (s < bestScore) [best, bestScore] = [a, s];
    }
    const r = await geneticSearch(space, score, { maxMacs }, { seed: 3, population: 24, generations: 40 });
    const top = r.best[0].candidate;
    expect(archIdx.map((i) => top[i])).toEqual(best);
    const recipe = decodeRecipe(space, top);
    expect(recipe.optimizer).toBe('sgd');
    expect(recipe.steps).toBe(300);
    expect(Math.abs(Math.log10(recipe.lr) + 2)).toBeLessThan(0.1);
    expect(recipe.augment).toBeGreaterThan(0.9);
    expect(r.best[0].score).toBeLessThan(bestScore + 0.01);
    for (const b of r.best) expect(candidateCost(space, b.candidate).macs).toBeLessThanOrEqual(maxMacs);
    expect(r.rejected).toBeGreaterThan(0);
    // the adaptive rate moved and stayed within its bounds
    const rates = r.history.map((h) => h.rate);
    expect(new Set(rates).size).toBeGreaterThan(1);
    expect(Math.min(...rates)).toBeGreaterThanOrEqual(0.05);
    expect(Math.max(...rates)).toBeLessThanOrEqual(0.6);
    // best-so-far never gets worse ((μ + λ) keeps the parents)
    for (let g = 1; g < r.history.length; g++) {
      expect(r.history[g].bestScore).toBeLessThanOrEqual(r.history[g - 1].bestScore);
    }
  });

  it('a second cost with its own budget (e.g. latency) is honoured too, and a new budget needs no training', async () => {
    const latency = (arch: ReturnType<typeof decodeArch>) => arch.input.size * arch.body.length;
    const constraint = { maxMacs: Infinity, cost: { of: latency, max: 32 * 4 } };
    const r = await geneticSearch(space, score, constraint, { seed: 4, generations: 10 });
    for (const b of r.best) {
      expect(latency(decodeArch(space, b.candidate))).toBeLessThanOrEqual(128);
      expect(meetsConstraint(space, b.candidate, constraint)).toBe(true);
    }
    await expect(geneticSearch(space, score, { maxMacs: 1 }, { seed: 1, generations: 1 })).rejects.toThrow(
      /meets the constraint/,
    );
  });

  it('mutation changes at least one knob and keeps every value in its domain', () => {
    const rng = new Rng(9);
    for (let i = 0; i < 200; i++) {
      const c = randomCandidate(space, rng);
      const m = mutateCandidate(space, c, 0.1, 0.15, rng);
      expect(m).not.toEqual(c);
      expect(() => decodeRecipe(space, m)).not.toThrow();
    }
  });
});
