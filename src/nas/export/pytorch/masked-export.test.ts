/**
 * The FBNetV2 masked supernet in the PyTorch export: model.py's MaskedNetwork with the exported weights
 * computes what the tfjs MaskedSupernet computes (< 1e-4 relative) under soft block, width, expansion and
 * resolution choices and under a one-hot choice, on a space that exercises every masked form (variable
 * input and output widths, searched expansions, SE on a masked hidden width, skip projections with
 * residual gates, sep, dwpool, a tap on a variable-width layer), with the same parameter count; and an
 * FBNetV2 run's export carries it. Skipped with a message when /usr/bin/python3 cannot import torch.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchSpace } from '../../arch/spec.ts';
import { countParams } from '../../blocks/module.ts';
import { generateDataset } from '../../data/synthface.ts';
import { LandmarkSource } from '../../data/landmark-source.ts';
import { DEFAULT_EXPERIMENT, type ExperimentConfig } from '../../experiment.ts';
import { createModel, type NasModel } from '../../model/model.ts';
import { SearchTrainer } from '../../search/trainer.ts';
import { MaskedSupernet, type MaskedForwardMix } from '../../v2/masked-supernet.ts';
import { randomInput, randomizeModel } from '../testing/randomize.ts';
import { derivedFromModel, maskedInput, pytorchInputFromTrainer } from './from-search.ts';
import { MASKED_WEIGHTS_FILE, pytorchProjectFiles, type PytorchProjectInput } from './project.ts';

const PYTHON = '/usr/bin/python3';
const TORCH =
  existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
if (!TORCH) console.warn(`masked-export.test.ts: SKIPPED — ${PYTHON} cannot import torch`);

const SPACE: SearchSpace = {
  id: 'masked-test',
  title: 'every masked form',
  description: '',
  input: { size: 16, channels: 3 },
  body: [
    { kind: 'conv', k: 3, out: 8, stride: 1, act: 'relu' },
    // certain input, variable output, searched expansions
    {
      kind: 'search',
      out: 16,
      stride: 1,
      candidates: ['k3_e3', 'k5_e1', 'skip'],
      widths: [8, 12, 16],
      expansions: [2, 4],
    },
    // variable input and output
    { kind: 'search', out: 16, stride: 1, candidates: ['k3_e6', 'skip', 'sep_k3'], widths: [8, 16] },
    // SE on a hidden width that follows the variable input; a partial residual gate
    { kind: 'ir', k: 3, e: 2, out: 16, stride: 1, attention: 'se', act: 'hswish' },
    { kind: 'search', out: 24, stride: 2, candidates: ['k3_e3', 'skip'] },
    { kind: 'sep', k: 3, out: 24, stride: 1, attention: 'se' },
    { kind: 'dwpool', k: 3, stride: 1 },
  ],
  head: { kind: 'landmarks', points: 5, features: 16, taps: [2] },
};

const PARITY_PY = String.raw`
import json, sys
import numpy as np
import torch
import model
n, s = int(sys.argv[1]), int(sys.argv[2])
x = torch.from_numpy(np.fromfile("input.f32", dtype="<f4").reshape(n, s, s, 3).transpose(0, 3, 1, 2).copy())
torch.set_grad_enabled(False)
net, logits = model.build_masked_supernet()
net.eval()
out = {"params": model.count_params(net), "logits": sorted(logits)}
def as_mix(m):
    t = lambda v: None if v is None else (v if isinstance(v, int) else torch.tensor(v))
    return {k: ([t(v) for v in m[k]] if isinstance(m[k], list) else t(m[k])) for k in m}
for key, m in json.load(open("mixes.json")).items():
    out[key] = net(x, as_mix(m)).flatten().tolist()
print(json.dumps(out))
`;

type JsonMix = Record<string, number | number[] | (number | number[] | null)[] | null>;

const soft = (k: number, shift: number) => {
  const raw = Array.from({ length: k }, (_, i) => 1 + ((i * 5 + shift) % 4));
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((r) => r / sum);
};

function tfMix(m: JsonMix): MaskedForwardMix {
  const t = (v: unknown) => (v === null ? undefined : typeof v === 'number' ? v : tf.tensor1d(v as number[]));
  return {
    blocks: (m.blocks as (number | number[])[]).map((v) => t(v)!),
    widths: (m.widths as (number | number[] | null)[]).map(t),
    expansions: (m.expansions as (number | number[] | null)[]).map(t),
    resolution: t(m.resolution),
  } as MaskedForwardMix;
}

function runPython(
  dir: string,
  files: [string, Uint8Array][],
  x: Float32Array,
  n: number,
  s: number,
  mixes: Record<string, JsonMix>,
) {
  for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
  writeFileSync(join(dir, 'input.f32'), Buffer.from(x.buffer));
  writeFileSync(join(dir, 'mixes.json'), JSON.stringify(mixes));
  writeFileSync(join(dir, 'parity.py'), PARITY_PY);
  const r = spawnSync(PYTHON, ['parity.py', String(n), String(s)], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, number[]> & { params: number; logits: string[] };
}

function expectClose(got: number[], want: Float32Array): void {
  expect(got.length).toBe(want.length);
  const scale = Math.max(...want.map(Math.abs));
  expect(scale).toBeGreaterThan(0.1);
  expect(Math.max(...got.map((g, i) => Math.abs(g - want[i]))) / scale).toBeLessThan(1e-4);
}

describe.skipIf(!TORCH)('PyTorch export of the FBNetV2 masked supernet', () => {
  let net: MaskedSupernet;
  let derived: NasModel;
  let dir: string;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    net = new MaskedSupernet(SPACE, { seed: 4, resolutionFactors: [1, 2] });
    randomizeModel({ params: () => net.weightParams() } as unknown as NasModel, 4);
    // architecture logits off zero, so the exported values are checked
    for (const [i, v] of net.archVariables().entries())
      tf.tidy(() => v.assign(tf.tensor1d(soft(v.shape[0], i).map((p) => p - 0.25))));
    derived = createModel(
      {
        name: 'd',
        input: SPACE.input,
        body: [{ kind: 'conv', k: 3, out: 4, stride: 2, act: 'relu' }],
        head: { kind: 'landmarks', points: 5 },
      },
      { seed: 1 },
    );
    dir = mkdtempSync(join(tmpdir(), 'pt-masked-'));
  });

  afterAll(() => {
    net?.dispose();
    derived?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('model.py MaskedNetwork matches tfjs under soft and one-hot choices, with the same parameter count', async () => {
    const config: ExperimentConfig = { ...DEFAULT_EXPERIMENT, strategy: 'fbnet-v2', inputSize: 16 };
    const input: PytorchProjectInput = {
      config,
      derived: await derivedFromModel(derived),
      masked: await maskedInput(net),
    };
    const files = pytorchProjectFiles(input).filter(([name]) =>
      ['model.py', 'safetensors_io.py', MASKED_WEIGHTS_FILE, 'derived.safetensors'].includes(name),
    );
    expect(files.length).toBe(4);
    const mixes: Record<string, JsonMix> = {
      soft: {
        blocks: [soft(3, 0), soft(3, 1), soft(2, 2)],
        widths: [soft(3, 3), soft(2, 1), null],
        expansions: [soft(2, 2), null, null],
        resolution: [0.6, 0.4],
      },
      onehot: { blocks: [0, 2, 1], widths: [0, 1, null], expansions: [0, null, null], resolution: 1 },
      // widths that meet the next layer's input: residual gates open ('full' / prefix masks)
      largest: {
        blocks: [2, 1, 0],
        widths: [null, null, null],
        expansions: [1, null, null],
        resolution: null,
      },
    };
    const n = 2;
    const s = SPACE.input.size;
    const x = randomInput([n, s, s, 3], 9);
    const py = runPython(dir, files, x, n, s, mixes);
    for (const [key, m] of Object.entries(mixes)) {
      const want = tf.tidy(
        () => net.forward(tf.tensor4d(x, [n, s, s, 3]), false, tfMix(m)).dataSync() as Float32Array,
      );
      expectClose(py[key], want);
    }
    expect(py.params).toBe(countParams(net.weightParams().filter((p) => p.trainable)));
    expect(py.logits).toEqual([
      'expansion.0',
      'resolution',
      'theta.0',
      'theta.1',
      'theta.2',
      'width.0',
      'width.1',
    ]);
  }, 120_000);

  it("an FBNetV2 run's export carries the masked supernet (classroom: grid head, resolution search): parity, model.py reports it", async () => {
    const config: ExperimentConfig = {
      ...DEFAULT_EXPERIMENT,
      strategy: 'fbnet-v2',
      inputSize: 32,
      dataset: { kind: 'synthface', count: 24, size: 32, difficulty: 0.5, seed: 1 },
      train: { ...DEFAULT_EXPERIMENT.train, batchSize: 4, epochs: 2, stepsPerEpoch: 2, warmupEpochs: 1 },
    };
    const data = generateDataset({ count: 24, size: 32, difficulty: 0.5, seed: 1 });
    const source = new LandmarkSource(data, { valFraction: 0.2, splitSeed: 1, inputSize: 32 });
    const t = new SearchTrainer(config, source, { featureEvery: 0 });
    try {
      await t.step();
      const input = await pytorchInputFromTrainer(t);
      expect(input.masked).toBeDefined();
      const files = pytorchProjectFiles(input);
      const names = files.map(([f]) => f);
      expect(names).toContain(MASKED_WEIGHTS_FILE);
      const sub = mkdtempSync(join(tmpdir(), 'pt-masked-run-'));
      try {
        const masked = (t.net as unknown as { masked: MaskedSupernet }).masked;
        // the classroom space: grid-pooled head, resolution search (the pooling follows the map size)
        const k = masked.layers.map((l) => l.candidates.length);
        const mixes: Record<string, JsonMix> = {
          soft: {
            blocks: k.map((c, l) => soft(c, l)),
            widths: masked.layers.map((l, i) =>
              l.widthSearch ? soft(l.widthSearch.options.length, i + 1) : null,
            ),
            expansions: masked.layers.map((l, i) =>
              l.expansionSearch ? soft(l.expansionSearch.options.length, i) : null,
            ),
            resolution: masked.resolution ? soft(masked.resolution.options.length, 1) : null,
          },
        };
        expect(masked.resolution).not.toBeNull();
        const n = 2;
        const s = config.inputSize;
        const x = randomInput([n, s, s, 3], 3).map((v) => 0.5 + 0.25 * v);
        const py = runPython(sub, files, x, n, s, mixes);
        const want = tf.tidy(
          () =>
            masked.forward(tf.tensor4d(x, [n, s, s, 3]), false, tfMix(mixes.soft)).dataSync() as Float32Array,
        );
        expectClose(py.soft, want);
        const params = countParams(masked.weightParams().filter((p) => p.trainable));
        expect(py.params).toBe(params);
        const info = spawnSync(PYTHON, ['model.py'], { cwd: sub, encoding: 'utf8', timeout: 120_000 });
        expect(info.status, info.stderr).toBe(0);
        expect(info.stdout).toContain(`FBNetV2 masked supernet classroom: ${params} parameters`);
      } finally {
        rmSync(sub, { recursive: true, force: true });
      }
    } finally {
      t.dispose();
    }
  }, 120_000);
});
