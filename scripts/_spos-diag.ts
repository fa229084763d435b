import * as tf from '@tensorflow/tfjs';
import { DEFAULT_EXPERIMENT, generateDataset, LandmarkSource, OneShotEvaluator, registerFastCpuKernels, SearchTrainer, sposConfig } from '/work/wt/strategies/src/nas/index.ts';
await tf.setBackend('cpu');
registerFastCpuKernels();
const input = 32;
const base = structuredClone(DEFAULT_EXPERIMENT);
const mk = process.env.V1 ? (c: any) => ({ ...c, train: { ...c.train, warmupEpochs: c.train.epochs }, gumbel: { ...c.gumbel, hard: true, paths: 'single' }, loss: { ...c.loss, beta: 0 } }) : sposConfig;
const config = mk({ ...base, inputSize: input, dataset: { kind: 'synthface', count: 256, size: input, difficulty: 0.5, seed: 1 }, train: { ...base.train, epochs: 1, stepsPerEpoch: Number(process.env.STEPS ?? 200), lrWeights: Number(process.env.LR ?? 0.01) } });
const source = new LandmarkSource(generateDataset(config.dataset as any), { valFraction: 0.2, splitSeed: 1, inputSize: input });
const t = new SearchTrainer(config, source);
let acc = 0;
while (!t.done) { const m = await t.step(); acc += m.taskLoss; if (m.step % 25 === 24) { console.log(m.step, (acc / 25).toFixed(5), m.lr.toFixed(4), m.sampled.join('')); acc = 0; } }
const ev = new OneShotEvaluator(t, { recalibrationBatches: 20 });
for (const c of [[0,0,0,0,0],[4,4,4,4,4],[1,2,3,4,5]]) console.log(c.join(''), (await ev.score(c)).nme);
