import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../data/synthface.ts';
import { LandmarkSource } from '../data/landmark-source.ts';
import { ARCH_METADATA_KEY } from '../export/onnx-export.ts';
import { decodeModel } from '../export/testing/onnx-reader.ts';
import { runOnnx } from '../export/verify-onnx.ts';
import { evaluateModel } from '../finetune/evaluate.ts';
import { createModel } from '../model/model.ts';
import { setWeights } from '../model/weights.ts';
import { EXPERIMENT_URL_KEY, PARITY_TOLERANCE } from '../results/export.ts';
import { Rng } from '../rng.ts';
import { exportJointCandidate, V3_CANDIDATE_KEY, V3_RECIPE_KEY } from './export-candidate.ts';
import {
  candidateKey,
  classroomJointSpace,
  decodeArch,
  decodeRecipe,
  knobIndex,
  randomCandidate,
  type JointCandidate,
} from './joint-space.ts';
import { standaloneTrainer } from './train-candidate.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const space = classroomJointSpace({ resolutions: [32], recipe: { dropout: [0, 0], steps: [4] } });
const data = generateDataset({ count: 24, size: 32, difficulty: 0.2, seed: 2 });
const splitSeed = 1;
const trainer = standaloneTrainer({
  data,
  batchSize: 4,
  splitSeed,
  keepWeights: (r) => r.stage === 'verify',
});

/** A candidate with its EMA knob forced (the kept weights must be the averaged ones under EMA). */
function candidate(seed: number, ema: number): JointCandidate {
  const c = randomCandidate(space, new Rng(seed));
  const i = knobIndex(space, 'ema');
  const d = space.knobs[i].domain;
  const options = d.kind === 'choice' ? d.values : [ema];
  c[i] = options.reduce((a, b) => (Math.abs(b - ema) < Math.abs(a - ema) ? b : a));
  return c;
}

const train = (c: JointCandidate, stage: 'verify' | 'round0') =>
  trainer({
    candidate: c,
    arch: decodeArch(space, c),
    recipe: decodeRecipe(space, c),
    logSteps: [2, 4],
    seed: 7,
    stage,
  });

describe('export of a joint-search candidate', () => {
  it('verification trainings keep the weights the last NME was measured with (also under EMA); others keep none', async () => {
    const before = tf.memory().numTensors;
    for (const ema of [0, 0.98]) {
      const c = candidate(3, ema);
      const out = await train(c, 'verify');
      expect(out.weights).toBeDefined();
      // rebuilt from the kept weights, the network measures the same validation NME
      const model = createModel(decodeArch(space, c), { seed: 99 });
      setWeights(model.params(), out.weights!);
      const source = new LandmarkSource(data, { valFraction: 0.1, splitSeed, inputSize: 32 });
      const e = await evaluateModel(model, source, { batchSize: 4 });
      expect(100 * e.nme).toBeCloseTo(out.nme[1], 4);
      model.dispose();
      source.dispose();
    }
    expect((await train(candidate(3, 0), 'round0')).weights).toBeUndefined();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('exports through the shared ONNX path; onnxruntime-web matches tfjs within 1e-4 (relative), the metadata says what it is', async () => {
    const c = candidate(5, 0);
    const { weights } = await train(c, 'verify');
    const before = tf.memory().numTensors;
    const r = await exportJointCandidate(space, c, weights!, {
      data,
      splitSeed,
      name: 'fbnet-v3 ≤ 1.5M',
      note: 'verified NME 9.1 %',
      experimentUrl: 'https://x.test/#x=1',
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.fileName).toBe('fbnet-v3_1.5M.onnx');
    const val = new LandmarkSource(data, { valFraction: 0.1, splitSeed, inputSize: 32 });
    expect(r.checkedImages).toBe(val.count('val')); // the candidate's own validation faces
    expect(r.checkedImages).toBeGreaterThan(1);
    val.dispose();
    expect(r.maxAbsDiff).toBeLessThan(PARITY_TOLERANCE);
    expect(r.bytes.length).toBeGreaterThan(4 * r.params * 0.9);
    const meta = decodeModel(r.bytes).metadata;
    expect(JSON.parse(meta[ARCH_METADATA_KEY])).toEqual(decodeArch(space, c, 'fbnet-v3 ≤ 1.5M'));
    expect(meta[V3_CANDIDATE_KEY]).toBe(candidateKey(c));
    expect(JSON.parse(meta[V3_RECIPE_KEY])).toEqual(decodeRecipe(space, c));
    expect(meta[EXPERIMENT_URL_KEY]).toBe('https://x.test/#x=1');

    // independently: the file loads in onnxruntime-web and gives the tfjs outputs of the trained weights
    const model = createModel(decodeArch(space, c), { seed: 0 });
    setWeights(model.params(), weights!);
    const x = tf.randomUniform<tf.Rank.R4>([2, 32, 32, 3], 0, 1, 'float32', 11);
    const y = model.predict(x);
    const [input, expected] = [(await x.data()) as Float32Array, (await y.data()) as Float32Array];
    tf.dispose([x, y]);
    model.dispose();
    const run = await runOnnx(r.bytes, input, [2, 32, 32, 3]);
    expect(run.dims).toEqual([2, expected.length / 2]);
    const scale = Math.max(...expected.map(Math.abs));
    const maxDiff = Math.max(...run.output.map((v, i) => Math.abs(v - expected[i])));
    expect(maxDiff / scale).toBeLessThan(1e-4);
  });

  it('refuses weights of another network, with a message, leaking nothing', async () => {
    const c = candidate(5, 0);
    const { weights } = await train(c, 'verify');
    // another architecture: a different width in the first stage
    const other = [...c];
    const w = knobIndex(space, 's0.width');
    const d = space.knobs[w].domain;
    other[w] = d.kind === 'choice' ? d.values.find((v) => v !== c[w])! : c[w] + 8;
    const before = tf.memory().numTensors;
    await expect(exportJointCandidate(space, other, weights!, { data, splitSeed })).rejects.toThrow(
      /setWeights: .* has shape/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
