/**
 * Per-kernel time of one classroom step on the tfjs cpu backend (tf.profile), for finding what to speed up:
 *   node --import tsx scripts/profile-step.ts [subnet|soft] [fast]
 * `fast` registers the fast cpu kernels first (src/nas/kernels); BENCH_CLASSROOM_BATCH / _INPUT set the size.
 */
import * as tf from '@tensorflow/tfjs';
import { registerFastCpuKernels, softSupernetStep, subnetStep } from '../src/nas/index.ts';

const which = process.argv[2] ?? 'subnet';
await tf.setBackend('cpu');
if (process.argv[3] === 'fast') {
  registerFastCpuKernels();
}
const size = {
  batch: process.env.BENCH_CLASSROOM_BATCH ? Number(process.env.BENCH_CLASSROOM_BATCH) : undefined,
  inputSize: process.env.BENCH_CLASSROOM_INPUT ? Number(process.env.BENCH_CLASSROOM_INPUT) : undefined,
};
const s = which === 'soft' ? softSupernetStep(size) : subnetStep(size);
await s.step(); // warm-up
const t0 = performance.now();
const info = await tf.profile(async () => {
  await s.step();
});
const total = performance.now() - t0;
const by = new Map<string, { ms: number; n: number }>();
for (const k of info.kernels) {
  const e = by.get(k.name) ?? { ms: 0, n: 0 };
  e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  e.n += 1;
  by.set(k.name, e);
}
const rows = [...by].sort((a, b) => b[1].ms - a[1].ms);
const kernelMs = rows.reduce((a, [, e]) => a + e.ms, 0);
console.log(
  `${which}: step ${total.toFixed(0)} ms (profiled), kernels ${kernelMs.toFixed(0)} ms, ${info.kernels.length} launches`,
);
for (const [name, e] of rows.slice(0, 25))
  console.log(
    `${name.padEnd(36)} ${e.ms.toFixed(1).padStart(9)} ms ${((100 * e.ms) / kernelMs).toFixed(1).padStart(5)} % ${String(e.n).padStart(6)}x`,
  );
s.dispose();
