/**
 * The weight-sharing caveat on the classroom space, in Node (tfjs cpu): trains a SPOS supernet (uniform
 * single-path steps, θ frozen), scores N random candidates one-shot (inherited weights + BatchNorm
 * recalibration), trains each standalone from scratch, and prints Kendall's τ between the two NME lists.
 * Usage: node --import tsx scripts/weight-sharing.ts [candidates=8] [supernetSteps=300] [standaloneSteps=150] [input=32]
 */
import * as tf from '@tensorflow/tfjs';
import {
  DEFAULT_EXPERIMENT,
  generateDataset,
  LandmarkSource,
  OneShotEvaluator,
  randomTokens,
  registerFastCpuKernels,
  Rng,
  SearchTrainer,
  sposConfig,
  tokenKey,
  tokenSpaceOf,
  weightSharingCheck,
} from '../src/nas/index.ts';

const [n = 8, supernetSteps = 300, standaloneSteps = 150, input = 32] = process.argv.slice(2).map(Number);

await tf.setBackend('cpu');
registerFastCpuKernels();
const base = structuredClone(DEFAULT_EXPERIMENT);
const config = sposConfig({
  ...base,
  inputSize: input,
  dataset: { kind: 'synthface', count: 256, size: input, difficulty: 0.5, seed: 1 },
  train: { ...base.train, epochs: 1, stepsPerEpoch: supernetSteps, lrWeights: 0.05 },
});
const ds = config.dataset as { count: number; size: number; difficulty: number; seed: number };
const source = new LandmarkSource(generateDataset(ds), {
  valFraction: config.train.valFraction,
  splitSeed: config.seeds.split,
  inputSize: input,
});
const t0 = performance.now();
const trainer = new SearchTrainer(config, source);
while (!trainer.done) await trainer.step();
const secs = () => ((performance.now() - t0) / 1000).toFixed(0);
console.log(`SPOS supernet: ${supernetSteps} single-path steps at ${input} px, ${secs()} s`);

const space = tokenSpaceOf(trainer.net.space);
const rng = new Rng(7);
const seen = new Set<string>();
const candidates: number[][] = [];
while (candidates.length < n) {
  const t = randomTokens(space.ranges, rng);
  if (!seen.has(tokenKey(t))) (candidates.push(t), seen.add(tokenKey(t)));
}
const evaluator = new OneShotEvaluator(trainer, { recalibrationBatches: 20 });
const report = await weightSharingCheck(
  evaluator,
  candidates,
  { steps: standaloneSteps, lr: 0.05, seed: 3 },
  (row, done) =>
    console.log(
      `${done}/${n} [${row.tokens.join(',')}]: one-shot NME ${(100 * row.oneShotNme).toFixed(2)} %, ` +
        `standalone NME ${(100 * row.standaloneNme).toFixed(2)} % (${secs()} s)`,
    ),
);
console.log(
  `Kendall tau (one-shot vs standalone NME, ${report.rows.length} candidates): ${report.tau.toFixed(3)}`,
);
trainer.dispose();
