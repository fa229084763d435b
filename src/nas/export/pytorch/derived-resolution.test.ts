/**
 * The PyTorch export of a network derived at a lower FBNetV2 resolution (factor 2 and 4): model.py's
 * derived network takes the search's image subsampled by the factor (derived_input) and then computes what
 * tfjs computes; model.py, the README and search_settings.json say the resolution, and train.py loads the
 * data that way and trains. Skipped with a message when /usr/bin/python3 cannot import torch.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countCost } from '../../cost/count.ts';
import { deriveSubnet, derivedSource } from '../../results/derive.ts';
import { trainModel } from '../../results/finetune.ts';
import { searchAtFactor, TINY_FACE_SPACE } from '../../results/testing.ts';
import type { ResultsArchSummary } from '../../results/types.ts';
import type { NasModel } from '../../model/model.ts';
import type { SearchTrainer } from '../../search/trainer.ts';
import { subsample } from '../../v2/resolution.ts';
import { derivedFromModel, pytorchInputFromTrainer } from './from-search.ts';
import { derivedInput, pytorchProjectFiles, README_COMMANDS } from './project.ts';

const PYTHON = '/usr/bin/python3';
const TORCH =
  existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
if (!TORCH) console.warn(`derived-resolution.test.ts: SKIPPED — ${PYTHON} cannot import torch`);

const SIZE = TINY_FACE_SPACE.input.size;

/** model.py's derived network on full-size images through derived_input; and derived_input's refusal. */
const PARITY_PY = String.raw`
import json, sys
import numpy as np
import torch
import model
n, s = int(sys.argv[1]), int(sys.argv[2])
x = torch.from_numpy(np.fromfile("input.f32", dtype="<f4").reshape(n, s, s, 3).transpose(0, 3, 1, 2).copy())
torch.set_grad_enabled(False)
d = model.build_derived().eval()
xs = model.derived_input(x)
out = {"shape": list(xs.shape), "derived": d(xs).flatten().tolist()}
try:
    model.derived_input(xs)
    out["refused"] = False
except ValueError:
    out["refused"] = True
print(json.dumps(out))
`;

function python(dir: string, args: string[]): string {
  const r = spawnSync(PYTHON, args, {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  return r.stdout;
}

describe.skipIf(!TORCH).each([2, 4])('PyTorch export of a network derived at factor %i', (factor) => {
  const side = SIZE / factor;
  let t: SearchTrainer;
  let model: NasModel;
  let summary: ResultsArchSummary;
  let dir: string;
  let files: Map<string, Uint8Array>;
  const text = (name: string) => new TextDecoder().decode(files.get(name));

  beforeAll(async () => {
    await tf.setBackend('cpu');
    t = await searchAtFactor(factor);
    ({ model, summary } = await deriveSubnet(t, { mode: 'argmax' }));
    await trainModel(
      model,
      derivedSource(t.source, summary),
      { steps: 2, lr: 0.01, batchSize: 4, seed: 1 },
      () => {},
    );
    const derived = await derivedFromModel(model, summary.choices, summary.v2!.factor);
    files = new Map(
      pytorchProjectFiles(await pytorchInputFromTrainer(t, derived, { finetune: { steps: 2, lr: 0.01 } })),
    );
    dir = mkdtempSync(join(tmpdir(), `pt-derived-f${factor}-`));
    for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
  }, 60_000);

  afterAll(() => {
    model?.dispose();
    t?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('without a derived network the export takes the argmax one with its factor', async () => {
    const input = await pytorchInputFromTrainer(t);
    expect(input.derived.subsample).toBe(factor);
    expect(input.derived.arch.input.size).toBe(side);
    expect(derivedInput(input)).toEqual({ size: side, subsample: factor, loadSize: SIZE });
    // a factor that does not turn the search's size into the network's is refused
    expect(() =>
      derivedInput({ ...input, derived: { ...input.derived, subsample: factor === 2 ? 4 : 2 } }),
    ).toThrow(/takes/);
  });

  it('model.py: derived_input subsamples the full-size images and the derived network matches tfjs on them', () => {
    const n = 3;
    const batch = t.source.batchAt('val', [0, 1, 2]);
    const x = batch.x.dataSync() as Float32Array;
    writeFileSync(join(dir, 'input.f32'), Buffer.from(x.buffer, x.byteOffset, x.byteLength));
    writeFileSync(join(dir, 'parity.py'), PARITY_PY);
    const py = JSON.parse(python(dir, ['parity.py', String(n), String(SIZE)]));
    const want = tf.tidy(() => model.predict(subsample(batch.x, factor)).dataSync());
    tf.dispose([batch.x, batch.y]);
    expect(py.shape).toEqual([n, 3, side, side]);
    expect(py.refused).toBe(true);
    expect(py.derived.length).toBe(want.length);
    const scale = Math.max(...want.map(Math.abs));
    expect(scale).toBeGreaterThan(0.1);
    const diff = Math.max(...py.derived.map((v: number, i: number) => Math.abs(v - want[i])));
    expect(diff / scale).toBeLessThan(1e-4);
  }, 120_000);

  it('model.py, the README and search_settings.json say the resolution; experiment.json stays the search’s', () => {
    const cost = countCost(model.arch);
    expect(text('model.py')).toContain(`DERIVED_LOAD_SIZE = ${SIZE}\nDERIVED_SUBSAMPLE = ${factor}\n`);
    const readme = text('README.md');
    expect(readme).toContain(`${cost.macs} MACs at ${side}×${side}.`);
    expect(readme).toContain(`the search's ${SIZE}×${SIZE} image subsampled by ${factor}`);
    expect(JSON.parse(text('search_settings.json')).derivedInput).toEqual({
      size: side,
      subsample: factor,
      loadSize: SIZE,
    });
    expect(JSON.parse(text('experiment.json')).inputSize).toBe(SIZE);
    const info = python(dir, ['model.py']);
    expect(info).toContain(`${cost.params} parameters, ${cost.macs} MACs at ${side}x${side}`);
    expect(info).toContain(`the ${SIZE}x${SIZE} image subsampled by ${factor}`);
  }, 120_000);

  it('train.py loads the data at the search size, subsamples it and trains the derived network', () => {
    expect(readmeHas(text('README.md'), README_COMMANDS.train)).toBe(true);
    const out = python(dir, [
      'train.py',
      '--data',
      'smoke',
      '--steps',
      '2',
      '--checkpoint',
      'checkpoints/t.pt',
    ]);
    expect(out).toMatch(/"step": 2,/);
    expect(out).toMatch(/val NME \d+\.\d+/);
  }, 120_000);
});

const readmeHas = (readme: string, cmd: string) => readme.split('\n').includes(cmd);
