/**
 * Runs the default classroom search on SynthFace-106 in Node (tfjs cpu backend) and prints the validation
 * NME of the argmax architecture next to the mean-shape baseline. Usage:
 *   node --import tsx scripts/classroom-report.ts [epochs] [stepsPerEpoch] [inputSize] [lrWeights]
 * REPORT_FINETUNE=N then finetunes the derived subnet N steps and evaluates it.
 * Further settings as JSON merged into the experiment, e.g. REPORT_CONFIG='{"gumbel":{"hard":true}}'.
 */
import * as tf from '@tensorflow/tfjs';
import {
  DEFAULT_EXPERIMENT,
  type ExperimentConfig,
  generateDataset,
  LandmarkSource,
  SearchTrainer,
  evaluateModel,
  Finetuner,
  meanShapeNme,
  recalibrateBatchNorm,
  registerFastCpuKernels,
  validateArgmax,
} from '../src/nas/index.ts';

const [epochs = 12, steps = 20, input = 64, lr = DEFAULT_EXPERIMENT.train.lrWeights] = process.argv
  .slice(2)
  .map(Number);

await tf.setBackend('cpu');
registerFastCpuKernels();
const config: ExperimentConfig = structuredClone(DEFAULT_EXPERIMENT);
config.train.epochs = epochs;
config.train.stepsPerEpoch = steps;
config.train.lrWeights = lr;
const extra = JSON.parse(process.env.REPORT_CONFIG ?? '{}') as Record<string, Record<string, unknown>>;
for (const [k, v] of Object.entries(extra))
  Object.assign((config as unknown as Record<string, object>)[k], v);
config.inputSize = input;
config.dataset = { ...config.dataset, kind: 'synthface', size: input } as ExperimentConfig['dataset'];
const ds = config.dataset.kind === 'synthface' ? config.dataset : null;
const data = generateDataset({
  count: ds!.count,
  size: ds!.size,
  difficulty: ds!.difficulty,
  seed: ds!.seed,
});
const source = new LandmarkSource(data, {
  valFraction: config.train.valFraction,
  splitSeed: config.seeds.split,
  inputSize: input,
});
const trainer = new SearchTrainer(config, source);
const base = await meanShapeNme(source, config.train.batchSize);
console.log(
  `classroom search: ${epochs} epochs x ${steps} steps, input ${input}, ${ds!.count} faces (val ${source.count('val')})`,
);
console.log(`mean-shape baseline NME: ${base!.toFixed(2)} %`);
const t0 = performance.now();
let epoch = -1;
while (!trainer.done) {
  const m = await trainer.step();
  if (m.nonFinite) throw new Error(`diverged at step ${m.step}`);
  if (trainer.epoch !== epoch) {
    epoch = trainer.epoch;
    const v = await validateArgmax(trainer.net, source, config.train.batchSize);
    console.log(
      `epoch ${epoch}: step ${trainer.stepsDone}, val NME ${v.nme!.toFixed(2)} %, ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
  }
}
const final = await validateArgmax(trainer.net, source, config.train.batchSize);
console.log(`final argmax-architecture NME: ${final.nme!.toFixed(2)} % vs mean shape ${base!.toFixed(2)} %`);

// FBNet's flow after the search: derive the argmax subnet, inherit its supernet weights (BatchNorm
// recalibrated), finetune it on the whole training set, evaluate on the same validation faces.
const finetuneSteps = Number(process.env.REPORT_FINETUNE ?? 0);
if (finetuneSteps > 0) {
  const { model } = await trainer.net.deriveModel(await trainer.net.argmaxChoices(), 'derived');
  await recalibrateBatchNorm(model, source, { batchSize: config.train.batchSize });
  const before = await evaluateModel(model, source);
  const tuner = new Finetuner(model, source, {
    steps: finetuneSteps,
    lr,
    batchSize: config.train.batchSize,
    seed: config.seeds.data,
  });
  const t1 = performance.now();
  await tuner.run((s) => {
    if ((s.step + 1) % 100 === 0) console.log(`finetune step ${s.step + 1}: loss ${s.loss.toFixed(4)}`);
  });
  const after = await evaluateModel(model, source);
  console.log(
    `derived subnet ${model.arch.body.length} blocks, choices ${model.arch.body.length && (await trainer.net.argmaxChoices()).blocks.join(',')}: NME ${(100 * before.nme).toFixed(2)} % ` +
      `inherited -> ${(100 * after.nme).toFixed(2)} % after ${finetuneSteps} finetune steps ` +
      `(${((performance.now() - t1) / 1000).toFixed(0)} s) vs mean shape ${base!.toFixed(2)} %`,
  );
  tuner.dispose();
  model.dispose();
}
