import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import {
  archKey,
  candidateCost,
  candidateKey,
  classroomJointSpace,
  decodeRecipe,
  defaultRecipe,
  meetsConstraint,
  withRecipe,
} from './joint-space.ts';
import {
  checkState,
  initialState,
  JointSearch,
  loggedSteps,
  type JointSearchConfig,
  type TrainCandidate,
  type TrainRequest,
} from './joint-search.ts';
import { plantedNme, tinyJointSearch } from './testing.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const config: JointSearchConfig = tinyJointSearch({
  budgets: [1.5e6, 3e6],
  generations: 4,
  population: 8,
  verify: 1,
  defaultRecipe: true,
});
const space = classroomJointSpace(config.space);

/**
 * A planted trainer: the final NME is the planted target with seeded noise; along the way it decays
 * towards it with a candidate-dependent gap, so early rankings are scrambled and settle by the third
 * of four logged points.
 */
function plantedTrainer(calls: TrainRequest[]): TrainCandidate {
  return async (req) => {
    calls.push(req);
    const final = plantedNme(space, req.candidate, new Rng(req.seed));
    const gap = 3 * new Rng(req.seed ^ 0xabcdef).next();
    const total = req.recipe.steps;
    return { nme: req.logSteps.map((s) => final * (1 + gap * (1 - s / total) ** 3)) };
  };
}

describe('joint search (coarse + fine stage) on a planted target', () => {
  it('runs pool → round 0 → early stop → predictor rounds → fine stage → verification', async () => {
    const calls: TrainRequest[] = [];
    const search = new JointSearch(initialState(config), { trainCandidate: plantedTrainer(calls) });
    const kinds: string[] = [];
    expect(await search.run((e) => kinds.push(e.kind))).toBe('done');
    const s = search.state;
    // the pool is constraint-filtered and distinct
    expect(s.pool).toHaveLength(20);
    expect(s.pool.every((c) => meetsConstraint(space, c, { maxMacs: config.maxMacs }))).toBe(true);
    expect(new Set(s.pool.map(candidateKey)).size).toBe(20);
    // round 0 trains fully, logging 4 points of each candidate's own budget
    const r0 = s.trained.filter((t) => t.stage === 'round0');
    expect(r0).toHaveLength(6);
    expect(calls[0].logSteps).toEqual(loggedSteps(calls[0].recipe.steps, 4));
    expect(loggedSteps(300, 4)).toEqual([75, 150, 225, 300]);
    // the early stop: τ with the final ranking per logged point, the first ≥ 0.92 chosen
    expect(s.earlyStop!.taus[3]).toBe(1);
    const first = s.earlyStop!.taus.findIndex((t) => t !== null && t >= 0.92);
    expect(s.earlyStop!.index).toBe(first);
    expect(s.earlyStop!.index).toBeLessThan(3);
    // later rounds train only to the early-stop point, with the prediction recorded before training
    const rounds = s.trained.filter((t) => t.stage === 'round');
    expect(rounds).toHaveLength(6);
    for (const t of rounds) {
      expect(t.curve).toHaveLength(s.earlyStop!.index + 1);
      expect(t.predicted).toBeGreaterThan(0);
    }
    expect(s.rounds.map((r) => r.round)).toEqual([1, 2]);
    // no pool candidate trained twice in the coarse stage
    const used = [...r0, ...rounds].map((t) => t.poolIndex);
    expect(new Set(used).size).toBe(used.length);
    // fine stage: every budget searched, its picks within the budget, verified at the full budget
    expect(s.fine.map((f) => f.budget)).toEqual([1.5e6, 3e6]);
    for (const f of s.fine) {
      for (const b of f.best) expect(candidateCost(space, b.candidate).macs).toBeLessThanOrEqual(f.budget);
    }
    const verify = s.trained.filter((t) => t.stage === 'verify');
    expect(verify.length).toBeGreaterThanOrEqual(1);
    for (const t of verify) expect(t.curve).toHaveLength(4);
    expect(s.trained.filter((t) => t.stage === 'default-recipe').length).toBeGreaterThanOrEqual(1);
    expect(kinds.at(-1)).toBe('done');
    expect(calls).toHaveLength(s.trained.length);
    search.dispose();
  });

  it('state round-trips through JSON and resumes without re-training finished candidates', async () => {
    const full: TrainRequest[] = [];
    const a = new JointSearch(initialState(config), { trainCandidate: plantedTrainer(full) });
    await a.run();
    a.dispose();

    const first: TrainRequest[] = [];
    const b = new JointSearch(initialState(config), { trainCandidate: plantedTrainer(first) });
    // stop after 8 trained candidates (two into round 1), as a reload would
    while (first.length < 8) await b.step();
    const saved = JSON.stringify(b.state);
    b.dispose();

    const second: TrainRequest[] = [];
    const c = new JointSearch(checkState(JSON.parse(saved)), { trainCandidate: plantedTrainer(second) });
    expect(c.state.trained).toHaveLength(8);
    await c.run();
    // nothing finished before the reload is trained again, and the resumed run is the uninterrupted one
    expect(first.length + second.length).toBe(full.length);
    const key = (r: TrainRequest) => `${r.stage}:${candidateKey(r.candidate)}`;
    const before = new Set(first.map(key));
    expect(second.some((r) => before.has(key(r)))).toBe(false);
    expect(JSON.parse(JSON.stringify(c.state))).toEqual(JSON.parse(JSON.stringify(a.state)));
    c.dispose();
  });

  it('recipe sensitivity: after verification the best k architectures train under both recipes, resumably', async () => {
    const withK: JointSearchConfig = { ...config, sensitivity: { architectures: 2 } };
    const calls: TrainRequest[] = [];
    const a = new JointSearch(initialState(withK), { trainCandidate: plantedTrainer(calls) });
    await a.run();
    const s = a.state;
    a.dispose();
    const sens = s.trained.filter((t) => t.stage === 'sensitivity');
    expect(sens.map((t) => t.sensitivity)).toEqual([
      { arch: 0, recipe: 'default' },
      { arch: 0, recipe: 'searched' },
      { arch: 1, recipe: 'default' },
      { arch: 1, recipe: 'searched' },
    ]);
    // they come last, at the full budget
    expect(s.trained.slice(-4)).toEqual(sens);
    for (const t of sens) expect(t.curve).toHaveLength(4);
    // both recipes of an architecture start from the same seed (weights, data order)
    const seeds = calls.slice(-4).map((r) => r.seed);
    expect(seeds[0]).toBe(seeds[1]);
    expect(seeds[2]).toBe(seeds[3]);
    expect(seeds[0]).not.toBe(seeds[2]);
    // the two best measured architectures (distinct), each under the default and the best verified recipe
    const coarse = s.trained
      .filter((t) => t.stage === 'round0' || t.stage === 'round')
      .sort((x, y) => x.curve[s.earlyStop!.index] - y.curve[s.earlyStop!.index]);
    const bestVerified = s.trained
      .filter((t) => t.stage === 'verify')
      .sort((x, y) => x.curve.at(-1)! - y.curve.at(-1)!)[0];
    const searched = decodeRecipe(space, bestVerified.candidate);
    expect(archKey(space, sens[0].candidate)).toBe(archKey(space, coarse[0].candidate));
    expect(archKey(space, sens[1].candidate)).toBe(archKey(space, coarse[0].candidate));
    expect(archKey(space, sens[2].candidate)).not.toBe(archKey(space, coarse[0].candidate));
    expect(decodeRecipe(space, sens[0].candidate)).toEqual(
      decodeRecipe(space, withRecipe(space, sens[0].candidate, defaultRecipe(space))),
    );
    expect(decodeRecipe(space, sens[1].candidate)).toEqual(searched);
    expect(decodeRecipe(space, sens[3].candidate)).toEqual(searched);

    // a reload between the sensitivity trainings resumes there without retraining
    const first: TrainRequest[] = [];
    const b = new JointSearch(initialState(withK), { trainCandidate: plantedTrainer(first) });
    while (first.length < calls.length - 3) await b.step();
    expect(b.state.phase).toBe('sensitivity');
    const saved = JSON.stringify(b.state);
    b.dispose();
    const second: TrainRequest[] = [];
    const c = new JointSearch(checkState(JSON.parse(saved)), { trainCandidate: plantedTrainer(second) });
    await c.run();
    expect(second).toHaveLength(3);
    expect(JSON.parse(JSON.stringify(c.state))).toEqual(JSON.parse(JSON.stringify(s)));
    c.dispose();
  });

  it('loads a checkpoint saved before the sensitivity stage existed (no field: no stage)', async () => {
    const calls: TrainRequest[] = [];
    const a = new JointSearch(initialState(config), { trainCandidate: plantedTrainer(calls) });
    while (calls.length < 8) await a.step();
    const old = JSON.parse(JSON.stringify(a.state));
    a.dispose();
    delete old.config.sensitivity;
    const b = new JointSearch(checkState(old), { trainCandidate: plantedTrainer(calls) });
    expect(await b.run()).toBe('done');
    expect(b.state.trained.some((t) => t.stage === 'sensitivity')).toBe(false);
    b.dispose();
    expect(() =>
      checkState({ ...old, config: { ...old.config, sensitivity: { architectures: -1 } } }),
    ).toThrow(/Sensitivity architectures must be an integer ≥ 0/);
  });

  it('rejects a damaged checkpoint and an impossible configuration with a message', () => {
    expect(() => checkState(null)).toThrow(/known version/);
    expect(() => checkState({ version: 1, pool: [] })).toThrow(/no queue/);
    expect(() => initialState({ ...config, poolSize: 5 })).toThrow(/pool \(5\) is smaller/);
    expect(() => initialState({ ...config, maxMacs: 1 })).toThrow(/loosen the budget/);
  });
});
