/**
 * model.py runs BlazeFace's blocks as tfjs does: the derived-network export of an architecture made of
 * blaze / double_blaze blocks (identity, zero-padded and max-pooled shortcuts, an odd map size) gives the
 * tfjs outputs on the same input (< 1e-4 relative) and countCost's parameters and MACs. Skipped with a
 * message when /usr/bin/python3 cannot import torch.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countCost } from '../../cost/count.ts';
import { DEFAULT_EXPERIMENT } from '../../experiment.ts';
import { createModel } from '../../model/model.ts';
import { randomInput, randomizeModel } from '../testing/randomize.ts';
import { TEST_ARCHS } from '../testing/test-archs.ts';
import { derivedFromModel } from './from-search.ts';
import { pytorchProjectFiles } from './project.ts';

const PYTHON = '/usr/bin/python3';
const TORCH =
  existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
if (!TORCH) console.warn(`blaze-parity.test.ts: SKIPPED — ${PYTHON} cannot import torch`);

const PARITY_PY = String.raw`
import json, sys
import numpy as np
import torch
import model
n, s = int(sys.argv[1]), int(sys.argv[2])
x = torch.from_numpy(np.fromfile("input.f32", dtype="<f4").reshape(n, s, s, 3).transpose(0, 3, 1, 2).copy())
torch.set_grad_enabled(False)
d = model.build_derived().eval()
print(json.dumps({"out": d(x).flatten().tolist(), "params": model.count_params(d), "macs": model.count_macs(model.ARCH)}))
`;

describe.skipIf(!TORCH)('PyTorch export of Blaze blocks', () => {
  it('model.py matches tfjs, countCost params and MACs', async () => {
    await tf.setBackend('cpu');
    const arch = TEST_ARCHS.find((a) => a.name === 'blaze-landmarks')!;
    const model = createModel(arch, { seed: 3 });
    const dir = mkdtempSync(join(tmpdir(), 'pt-blaze-'));
    try {
      randomizeModel(model, 3);
      const s = arch.input.size;
      const config = { ...DEFAULT_EXPERIMENT, title: 'blaze', inputSize: s };
      const files = pytorchProjectFiles({ config, derived: await derivedFromModel(model) });
      for (const [name, bytes] of files) if (!name.includes('/')) writeFileSync(join(dir, name), bytes);
      const n = 2;
      const x = randomInput([n, s, s, 3], 5);
      writeFileSync(join(dir, 'input.f32'), Buffer.from(x.buffer));
      writeFileSync(join(dir, 'parity.py'), PARITY_PY);
      const r = spawnSync(PYTHON, ['parity.py', String(n), String(s)], { cwd: dir, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const py = JSON.parse(r.stdout) as { out: number[]; params: number; macs: number };
      const want = tf.tidy(() => model.predict(tf.tensor4d(x, [n, s, s, 3])).dataSync() as Float32Array);
      expect(py.out.length).toBe(want.length);
      const scale = Math.max(...want.map(Math.abs));
      expect(scale).toBeGreaterThan(0.1);
      expect(Math.max(...py.out.map((v, i) => Math.abs(v - want[i]))) / scale).toBeLessThan(1e-4);
      const cost = countCost(arch);
      expect(py.params).toBe(cost.params);
      expect(py.macs).toBe(cost.macs);
    } finally {
      model.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
