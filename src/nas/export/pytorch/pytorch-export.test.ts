/**
 * Acceptance of the PyTorch export: the exported model.py with the exported weights computes what tfjs
 * computes (the classroom supernet mid-search and a derived subnet), parameter counts and MACs equal
 * countCost, search.py runs 3 steps under torchrun with 2 Gloo processes and resumes from its checkpoint
 * (the README's commands), and the zip is deterministic and passes `unzip -t`.
 * Needs /usr/bin/python3 with torch (Debian's python3-torch; .ci/run installs it); without it the suite is
 * skipped with a message.
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countCost } from '../../cost/count.ts';
import { countParams } from '../../blocks/module.ts';
import { generateDataset } from '../../data/synthface.ts';
import { LandmarkSource } from '../../data/landmark-source.ts';
import { DEFAULT_EXPERIMENT, type ExperimentConfig } from '../../experiment.ts';
import type { NasModel } from '../../model/model.ts';
import { SearchTrainer } from '../../search/trainer.ts';
import { expectedCostOf, type Supernet } from '../../search/supernet.ts';
import { fbnetLoss } from '../../search/loss.ts';
import { gumbelSoftmax } from '../../search/gumbel.ts';
import { tauScheduleOf } from '../../search/schedule.ts';
import { randomInput } from '../testing/randomize.ts';
import { derivedFromModel, pytorchInputFromTrainer } from './from-search.ts';
import {
  MASKED_WEIGHTS_FILE,
  pytorchProjectFiles,
  pytorchProjectName,
  pytorchProjectZip,
  README_COMMANDS,
  type PytorchProjectInput,
} from './project.ts';

const PYTHON = '/usr/bin/python3';

function hasTorch(): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

const TORCH = hasTorch();
if (!TORCH) {
  console.warn(
    `pytorch-export.test.ts: SKIPPED — ${PYTHON} cannot import torch (install Debian's python3-torch: apt-get install python3-torch)`,
  );
}

const CONFIG: ExperimentConfig = {
  ...DEFAULT_EXPERIMENT,
  title: 'Tiny export test',
  inputSize: 32,
  dataset: { kind: 'synthface', count: 24, size: 32, difficulty: 0.5, seed: 1 },
  train: { ...DEFAULT_EXPERIMENT.train, batchSize: 4, epochs: 2, stepsPerEpoch: 2, warmupEpochs: 1 },
};

/** Unpacks a zip into a fresh folder; returns the project folder. */
function unpack(zip: Uint8Array, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pt-export-'));
  writeFileSync(join(dir, 'p.zip'), zip);
  execFileSync('unzip', ['-q', 'p.zip'], { cwd: dir });
  return join(dir, name);
}

/**
 * Runs a README command with the system interpreter: `python` -> /usr/bin/python3, `torchrun` -> the
 * project's `python torchrun.py` (the README's stand-in: Debian's torch 1.13 torchrun fails on Python 3.11).
 */
function runReadme(cmd: string, cwd: string): string {
  const argv = cmd.split(/\s+/);
  const args =
    argv[0] === 'torchrun' ? ['torchrun.py', ...argv.slice(1)] : argv[0] === 'python' ? argv.slice(1) : null;
  if (!args) throw new Error(`not a python command: ${cmd}`);
  const r = spawnSync(PYTHON, args, {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout + r.stderr;
}

/** Commands in the README's sh blocks. */
function readmeCommands(readme: string): string[] {
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n').filter(Boolean));
}

/** The parity script: model.py on the input file, outputs and counts as JSON. */
const PARITY_PY = String.raw`
import json, sys
import numpy as np
import torch
import model
n, s = int(sys.argv[1]), int(sys.argv[2])
x = torch.from_numpy(np.fromfile("input.f32", dtype="<f4").reshape(n, s, s, 3).transpose(0, 3, 1, 2).copy())
out = {}
torch.set_grad_enabled(False)
d = model.build_derived().eval()
out["derived"] = d(x).flatten().tolist()
out["derived_params"] = model.count_params(d)
out["derived_macs"] = model.count_macs(model.ARCH)
net, arch = model.build_supernet()
net.eval()
masks = json.load(open("masks.json"))
out["supernet"] = net(x, [torch.tensor(m) for m in masks]).flatten().tolist()
out["supernet_params"] = model.count_params(net)
out["theta"] = [t.tolist() for t in arch.theta]
out["tau"] = [model.tau_at(e) for e in range(3)]
g = model.gumbel_softmax(torch.tensor([0.0, 1.0, 2.0]), torch.tensor([0.5, -0.5, 0.0]), 2.0)
h = model.gumbel_softmax(torch.tensor([0.0, 1.0, 2.0], requires_grad=True), torch.tensor([0.5, -0.5, 0.0]), 2.0, hard=True)
out["gumbel"] = g.tolist()
out["gumbel_hard"] = h.tolist()
# the search's cost term on the same masks: search.py's expected cost and loss with the exported table
import search
unit = search.SETTINGS["costUnit"]
table = [[c / unit for c in row] for row in search.SETTINGS["costTable"]]
cost = search.expected_cost([torch.tensor(m) for m in masks], table, search.SETTINGS["fixedCost"] / unit)
out["cost"] = float(cost)
out["loss"] = float(search.fbnet_loss(torch.tensor(2.0), cost, search.CONFIG["loss"]["alpha"], search.CONFIG["loss"]["beta"]))
# training mode: batch statistics, and the running statistics' update
net.train()
out["supernet_train"] = net(x, [torch.tensor(m) for m in masks]).flatten().tolist()
out["bn_mean"] = net.layers["body__0__conv__bn"].running_mean.tolist()
out["bn_var"] = net.layers["body__0__conv__bn"].running_var.tolist()
print(json.dumps(out))
`;

describe.skipIf(!TORCH)('PyTorch project export', () => {
  let trainer: SearchTrainer;
  let input: PytorchProjectInput;
  let zip: Uint8Array;
  let project: string;
  let derivedModel: NasModel;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const data = generateDataset({ count: 24, size: 32, difficulty: 0.5, seed: 1 });
    const source = new LandmarkSource(data, { valFraction: 0.2, splitSeed: 1, inputSize: 32 });
    trainer = new SearchTrainer(CONFIG, source);
    // warm-up weight steps, then a weight and an architecture step: θ has moved off zero
    for (let i = 0; i < 4; i++) await trainer.step();
    const choices = await trainer.net.argmaxChoices();
    derivedModel = (await trainer.net.deriveModel(choices, 'derived')).model;
    input = await pytorchInputFromTrainer(trainer, await derivedFromModel(derivedModel, choices.blocks), {
      experimentUrl: 'https://example.test/#e=1',
    });
    zip = pytorchProjectZip(input);
    project = unpack(zip, pytorchProjectName(CONFIG));
  }, 120_000);

  afterAll(() => {
    trainer?.dispose();
    derivedModel?.dispose();
    if (project) rmSync(join(project, '..'), { recursive: true, force: true });
  });

  it('is deterministic and passes unzip -t', () => {
    expect(Buffer.from(pytorchProjectZip(input)).equals(Buffer.from(zip))).toBe(true);
    const dir = join(project, '..');
    const r = spawnSync('unzip', ['-t', 'p.zip'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/No errors detected/);
    const names = execFileSync('unzip', ['-Z1', 'p.zip'], { cwd: dir, encoding: 'utf8' }).trim().split('\n');
    const root = pytorchProjectName(CONFIG);
    for (const f of [
      'model.py',
      'supernet.safetensors',
      'derived.safetensors',
      'search.py',
      'train.py',
      'data.py',
      'experiment.json',
      'README.md',
      'torchrun.py',
    ])
      expect(names).toContain(`${root}/${f}`);
    expect(JSON.parse(readFileSync(join(project, 'experiment.json'), 'utf8'))).toEqual(CONFIG);
  });

  it('model.py with the exported weights matches tfjs: supernet mid-search (inference and training mode, cost term) and derived subnet', async () => {
    const n = 2;
    const s = CONFIG.inputSize;
    const x = randomInput([n, s, s, 3], 11).map((v) => 0.5 + 0.25 * v);
    writeFileSync(join(project, 'input.f32'), Buffer.from(x.buffer));
    // a fixed soft mask per searchable layer (every candidate contributes)
    const net = trainer.net as unknown as Supernet;
    const masks = net.mixed.map((m, l) => {
      const raw = m.candidates.map((_, i) => 1 + ((i * 7 + l * 3) % 5));
      const sum = raw.reduce((a, b) => a + b, 0);
      return raw.map((r) => r / sum);
    });
    writeFileSync(join(project, 'masks.json'), JSON.stringify(masks));
    writeFileSync(join(project, 'parity.py'), PARITY_PY);
    const r = spawnSync(PYTHON, ['parity.py', String(n), String(s)], {
      cwd: project,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const py = JSON.parse(r.stdout);

    const xt = tf.tensor4d(x, [n, s, s, 3]);
    const derived = tf.tidy(() => derivedModel.predict(xt).dataSync() as Float32Array);
    const superOut = tf.tidy(
      () =>
        net
          .forward(
            xt,
            false,
            masks.map((m) => tf.tensor1d(m)),
          )
          .dataSync() as Float32Array,
    );
    // the cost term of search.py vs the trainer's (cost table in loss units, FBNet's loss)
    const unit = trainer.options.costUnit;
    const table = {
      perLayer: trainer.options.costTable.map((r) => r.map((c) => c / unit)),
      fixed: trainer.options.fixedCost / unit,
    };
    const [searchCost, searchLoss] = tf.tidy(() => {
      const c = expectedCostOf(
        masks.map((m) => tf.tensor1d(m)),
        table,
      );
      const l = fbnetLoss(tf.scalar(2), c, CONFIG.loss.alpha, CONFIG.loss.beta).loss;
      return [c.dataSync()[0], l.dataSync()[0]];
    });
    expect(py.cost).toBeCloseTo(searchCost, 4);
    // model.py's choice: the τ schedule and Gumbel-softmax of the browser (gumbel.ts), soft and hard
    py.tau.forEach((v: number, e: number) => expect(v).toBeCloseTo(tauScheduleOf(CONFIG)[e], 10));
    const [soft, hard] = tf.tidy(() =>
      [false, true].map((h) =>
        Array.from(gumbelSoftmax(tf.tensor1d([0, 1, 2]), 2, tf.tensor1d([0.5, -0.5, 0]), h).dataSync()),
      ),
    );
    py.gumbel.forEach((v: number, i: number) => expect(v).toBeCloseTo(soft[i], 6));
    expect(py.gumbel_hard).toEqual(hard);
    expect(py.loss).toBeCloseTo(searchLoss, 5);
    // training mode last: it moves the BatchNorm running statistics of the tfjs supernet
    const trainOut = tf.tidy(
      () =>
        net
          .forward(
            xt,
            true,
            masks.map((m) => tf.tensor1d(m)),
          )
          .dataSync() as Float32Array,
    );
    xt.dispose();
    const stat = (n: string) =>
      Array.from(
        trainer.net
          .weightParams()
          .find((p) => p.name === n)!
          .variable.dataSync(),
      );
    const close = (got: number[], want: number[]) =>
      got.forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThan(1e-5 * (1 + Math.abs(want[i]))));
    close(py.bn_mean, stat('body/0/conv/bn/mean'));
    close(py.bn_var, stat('body/0/conv/bn/variance'));
    const check = (got: number[], want: Float32Array) => {
      expect(got.length).toBe(want.length);
      const scale = Math.max(...want.map(Math.abs));
      expect(scale).toBeGreaterThan(0.1);
      const diff = Math.max(...got.map((g, i) => Math.abs(g - want[i])));
      expect(diff / scale).toBeLessThan(1e-4);
    };
    check(py.derived, derived);
    check(py.supernet, superOut);
    check(py.supernet_train, trainOut);

    const cost = countCost(derivedModel.arch);
    expect(py.derived_params).toBe(cost.params);
    expect(py.derived_params).toBe(derivedModel.paramCount());
    expect(py.derived_macs).toBe(cost.macs);
    expect(py.supernet_params).toBe(countParams(trainer.net.weightParams()));
    const theta = await Promise.all(trainer.net.thetas().map(async (t) => Array.from(await t.data())));
    expect(theta.some((t) => t.some((v) => v !== 0))).toBe(true);
    py.theta.forEach((t: number[], l: number) => t.forEach((v, i) => expect(v).toBeCloseTo(theta[l][i], 6)));
  }, 120_000);

  it('torchrun --nproc_per_node=2 runs 3 steps of search.py with Gloo, checkpoints, and a second run resumes', () => {
    const cmds = readmeCommands(readFileSync(join(project, 'README.md'), 'utf8'));
    expect(cmds).toContain(README_COMMANDS.ddpSearch);
    expect(cmds).toContain(README_COMMANDS.ddpResume);
    const first = runReadme(README_COMMANDS.ddpSearch, project);
    expect(first).toMatch(/checkpoint checkpoints\/search\.pt at step 3/);
    expect(existsSync(join(project, 'checkpoints', 'search.pt'))).toBe(true);
    expect(first.match(/"phase"/g)?.length).toBe(3); // rank 0 logs each step once
    const second = runReadme(README_COMMANDS.ddpResume, project);
    expect(second).toMatch(/resumed from checkpoints\/search\.pt at step 3/);
    expect(second).toMatch(/checkpoint checkpoints\/search\.pt at step 6/);
    // past the warm-up: the resumed run takes θ steps (gradients averaged over the two processes)
    expect(second).toMatch(/"phase": "arch"/);
    expect(first).not.toMatch(/"phase": "arch"/);
  }, 150_000);

  it('python model.py and python train.py (the README commands) run on one process', () => {
    const cmds = readmeCommands(readFileSync(join(project, 'README.md'), 'utf8'));
    expect(cmds).toContain(README_COMMANDS.check);
    expect(cmds).toContain(README_COMMANDS.train);
    const info = runReadme(README_COMMANDS.check, project);
    const cost = countCost(derivedModel.arch);
    expect(info).toContain(`derived derived: ${cost.params} parameters, ${cost.macs} MACs`);
    const train = runReadme(README_COMMANDS.train, project);
    expect(train).toMatch(/"step": 20,/);
    expect(train).toMatch(/val NME \d+\.\d+/);
    expect(existsSync(join(project, 'checkpoints', 'train.pt'))).toBe(true);
  }, 120_000);
});

describe('PyTorch project export of an FBNetV2 run', () => {
  it('holds no V1 supernet: the masked supernet (masked-export.test.ts) and the derived network, and says so', async () => {
    await tf.setBackend('cpu');
    const config: ExperimentConfig = { ...CONFIG, strategy: 'fbnet-v2' };
    const data = generateDataset({ count: 24, size: 32, difficulty: 0.5, seed: 1 });
    const source = new LandmarkSource(data, { valFraction: 0.2, splitSeed: 1, inputSize: 32 });
    const t = new SearchTrainer(config, source, { featureEvery: 0 });
    try {
      await t.step();
      const input = await pytorchInputFromTrainer(t);
      expect(input.search).toBeUndefined();
      const files = new Map(pytorchProjectFiles(input));
      expect(files.has('supernet.safetensors')).toBe(false);
      expect(files.has('derived.safetensors')).toBe(true);
      expect(files.has(MASKED_WEIGHTS_FILE)).toBe(true);
      const text = (f: string) => new TextDecoder().decode(files.get(f));
      expect(text('model.py')).toContain('SPACE = None');
      expect(text('model.py')).toContain('MASKED = json.loads(');
      expect(text('README.md')).toContain('No search space in this export');
      expect(text('README.md')).toContain('masked supernet');
      expect(text('README.md')).not.toContain('search.py --data smoke');
      // the derived network's lowering covers every weight of the derived model (torchTensors checks it)
      expect(JSON.parse(text('search_settings.json')).derivedChoices.length).toBeGreaterThan(0);
    } finally {
      t.dispose();
    }
  }, 60_000);
});
