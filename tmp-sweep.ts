import * as tf from '@tensorflow/tfjs';
import { DEFAULT_EXPERIMENT, type ExperimentConfig, generateDataset, LandmarkSource, registerFastCpuKernels, runSweep, sweepWeights } from './src/nas/index.ts';
await tf.setBackend('cpu');
registerFastCpuKernels();
const [count, size, batch, epochs, steps, warm, lrTheta, ft] = process.argv.slice(2).map(Number);
const betas = (process.env.BETAS ?? '0,1,8').split(',').map(Number);
const c: ExperimentConfig = structuredClone(DEFAULT_EXPERIMENT);
c.dataset = { kind: 'synthface', count, size, difficulty: 0.5, seed: 1 };
c.inputSize = size;
c.train = { ...c.train, batchSize: batch, epochs, stepsPerEpoch: steps, warmupEpochs: warm, lrTheta };
if (process.env.SEED) { const s = Number(process.env.SEED); c.seeds = { split: 1, init: s, gumbel: s + 1, data: s + 2 }; }
const data = generateDataset({ count, size, difficulty: 0.5, seed: 1 });
const source = new LandmarkSource(data, { valFraction: c.train.valFraction, splitSeed: c.seeds.split, inputSize: size });
const t0 = performance.now();
const r = await runSweep(c, source, { weights: sweepWeights(c, betas), recipe: { steps: ft, lr: 0.005 } });
for (const p of r.points) console.log(`beta ${p.beta}: MACs ${p.summary.macs} choices ${p.summary.choices.join(',')} supernet ${p.supernetNme?.toFixed(2)} inherited ${p.inheritedNme.toFixed(2)} standalone ${p.standaloneNme.toFixed(2)}`);
console.log(r.outcome, ((performance.now() - t0) / 1000).toFixed(1), 's');
