/**
 * A small FBNetV3 joint architecture-recipe search on SynthFace-106 in Node (tfjs cpu, the app's fast
 * kernels), every candidate trained for real through the shared trainer (src/nas/v3/train-candidate.ts).
 * Prints round 0, the early-stop choice, the predictor's rank correlation per round, the fine stage per
 * budget, and the searched (architecture, recipe) against the same architecture with the default recipe
 * and against the best round-0 candidate (validation NME, %).
 * Usage: npm run report:v3 [-- faces=400 size=32 seed=1 pool=64 round0=12 rounds=3 perRound=5 maxMacs=4e6
 * steps=200 sensitivity=0 ablation=0] (the defaults are issue 15's playground-scale run; size: the stored
 * faces and the largest input resolution; steps: the longest recipe; sensitivity: architectures trained
 * under the default and the searched recipe after verification, printed with their rank crossing;
 * ablation=1: the predictor pre-training ablation per round)
 *
 * Measured (2026-12-01, 2 CPU cores shared with four other jobs, load ≈ 11):
 * - the defaults: 31 candidates in 1,556 s wall (6.7 min of CPU). Best round-0 candidate 13.86 %; searched
 *   ≤ 2 M MACs 12.94 % (predicted 9.19) vs the same architecture with the default recipe 14.46 %; ≤ 4 M
 *   MACs 11.73 % (predicted 9.66) vs 14.25 %. Early stop at point 5 of 6; predictor τ per round −0.20,
 *   0.80, 0.00 (5 candidates a round: τ is coarse).
 * - `size=40 pool=48 round0=8 rounds=2 perRound=4` (20 candidates, 502 s): the bar was NOT met — best
 *   round-0 12.88 % beat both searched nets (16.05 %, 15.96 %); with 16 measurements the predictor
 *   extrapolated to 3-block nets it had not seen (predicted 12.0, measured 16.0).
 * - `faces=240 steps=120 pool=32 round0=8 rounds=2 perRound=4 maxMacs=3e6`, 20 candidates in 425 s: best
 *   round-0 16.82 %; searched ≤ 3 M MACs 14.51 % vs default recipe 20.16 %; ≤ 1.5 M MACs 15.77 % vs 19.86 %.
 */
import * as tf from '@tensorflow/tfjs';
import {
  candidateCost,
  classroomJointSpace,
  decodeArch,
  decodeRecipe,
  DEFAULT_JOINT_SEARCH,
  generateDataset,
  initialState,
  JointSearch,
  pretrainAblation,
  rankCrossing,
  registerFastCpuKernels,
  sensitivityPairs,
  standaloneTrainer,
  type JointSearchConfig,
  type TrainedCandidate,
} from '../src/nas/index.ts';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.split('=');
    return [k, Number(v)];
  }),
);
const arg = (k: string, d: number) => (Number.isFinite(args[k]) ? args[k] : d);
const faces = arg('faces', 400);
const size = arg('size', 32);
const seed = arg('seed', 1);

await tf.setBackend('cpu');
registerFastCpuKernels();
const t0 = performance.now();
const secs = () => ((performance.now() - t0) / 1000).toFixed(0);

const maxMacs = arg('maxMacs', 4e6);
const maxSteps = arg('steps', 200);
const config: JointSearchConfig = {
  ...DEFAULT_JOINT_SEARCH,
  seed,
  // dropout pinned at 0: the model builder has no dropout layer yet (train-candidate.ts)
  space: {
    resolutions: size > 32 ? [32, size] : [32],
    recipe: { dropout: [0, 0], steps: [maxSteps / 3, (2 * maxSteps) / 3, maxSteps].map(Math.round) },
  },
  maxMacs,
  poolSize: arg('pool', 64),
  round0: arg('round0', 12),
  rounds: arg('rounds', 3),
  perRound: arg('perRound', 5),
  checkpoints: 6,
  fine: { budgets: [maxMacs / 2, maxMacs], generations: 30, population: 24, verify: 1, defaultRecipe: true },
  sensitivity: { architectures: arg('sensitivity', 0) },
};
const space = classroomJointSpace(config.space);
const data = generateDataset({ count: faces, size, difficulty: 0.5, seed });
const trainCandidate = standaloneTrainer({ data, batchSize: 16, splitSeed: seed });
console.log(
  `SynthFace-106: ${faces} faces at ${size} px (10 % validation), batch 16; pool ${config.poolSize} ` +
    `(≤ ${(maxMacs / 1e6).toFixed(1)} M MACs), round 0 ${config.round0}, ${config.rounds} rounds of ` +
    `${config.perRound}, budgets ${config.fine.budgets.map((b) => (b / 1e6).toFixed(1)).join(' / ')} M MACs`,
);

const describe = (t: TrainedCandidate) => {
  const r = decodeRecipe(space, t.candidate);
  const a = decodeArch(space, t.candidate);
  const blocks = a.body.filter((b) => b.kind === 'ir').length;
  return (
    `${a.input.size}px ${blocks} blocks ${(candidateCost(space, t.candidate).macs / 1e6).toFixed(2)}M MACs | ` +
    `${r.optimizer} lr ${r.lr.toPrecision(2)} wd ${r.weightDecay.toExponential(0)} ema ${r.ema} ` +
    `aug ${r.augment.toFixed(2)} ${r.steps} steps`
  );
};

const search = new JointSearch(initialState(config), { trainCandidate });
await search.run((e) => {
  if (e.kind === 'trained') {
    const t = e.record;
    const pred = t.predicted === null ? '' : ` (predicted ${t.predicted.toFixed(2)})`;
    console.log(
      `[${secs()} s] ${t.stage.padEnd(14)} NME ${t.curve.map((v) => v.toFixed(2)).join(' ')}${pred} | ${describe(t)}`,
    );
  } else if (e.kind === 'early-stop') {
    console.log(
      `early stop: τ per logged point ${e.choice.taus.map((t) => (t === null ? '–' : t.toFixed(2))).join(' ')} → point ` +
        `${e.choice.index + 1} of ${config.checkpoints} (threshold ${e.choice.threshold})`,
    );
  } else if (e.kind === 'round' && e.summary) {
    console.log(
      `round ${e.summary.round}: predicted vs measured Kendall τ ${e.summary.tau?.toFixed(2) ?? 'undefined'}`,
    );
  } else if (e.kind === 'fine') {
    for (const r of e.results) {
      console.log(
        `fine stage, ≤ ${(r.budget / 1e6).toFixed(1)} M MACs: predicted best ${r.best[0].score.toFixed(2)} %`,
      );
    }
  }
});

const s = search.state;
const last = (t: TrainedCandidate) => t.curve[t.curve.length - 1];
const round0 = s.trained.filter((t) => t.stage === 'round0');
const best0 = round0.reduce((a, b) => (last(b) < last(a) ? b : a));
console.log(`\nbest round-0 (random Sobol) candidate: ${last(best0).toFixed(2)} % | ${describe(best0)}`);
for (const budget of config.fine.budgets) {
  const v = s.trained.find((t) => t.stage === 'verify' && t.budget === budget);
  const d = s.trained.find((t) => t.stage === 'default-recipe' && t.budget === budget);
  if (!v || !d) continue;
  console.log(
    `≤ ${(budget / 1e6).toFixed(1)} M MACs: searched ${last(v).toFixed(2)} % (predicted ` +
      `${v.predicted!.toFixed(2)}) | same architecture, default recipe ${last(d).toFixed(2)} % | ${describe(v)}`,
  );
}
const pairs = sensitivityPairs(s.trained);
if (pairs.length) {
  const rc = rankCrossing(pairs);
  console.log(
    `recipe sensitivity (final NME, default → searched): ` +
      pairs.map((p) => `${p.label} ${p.a.toFixed(2)} → ${p.b.toFixed(2)} %`).join(', ') +
      ` | Kendall τ between the rankings ${rc.tau?.toFixed(2) ?? 'undefined'}, ${rc.crossings.length} pairs cross`,
  );
}
if (arg('ablation', 0)) {
  for (const r of await pretrainAblation(space, s.trained, { config: s.config, earlyStop: s.earlyStop })) {
    console.log(
      `ablation, round ${r.round} (fitted on ${r.n}, ${r.candidates} ranked): τ pre-trained ` +
        `${r.tauWith?.toFixed(2) ?? '–'}, not pre-trained ${r.tauWithout?.toFixed(2) ?? '–'}`,
    );
  }
}
console.log(`total ${secs()} s, ${s.trained.length} candidates trained`);
search.dispose();
