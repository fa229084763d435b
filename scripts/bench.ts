/**
 * One performance report for the Node CPU path (issue 14), printed from one run:
 *
 * 1. The classroom search's training steps (src/nas/perf/classroom-steps.ts): the all-paths soft supernet weight
 *    step and the derived-subnet step (k3_e3 everywhere), default batch and input. When /usr/bin/python3 has
 *    torch (Debian's python3-torch, a dev-machine extra), the same steps of an equivalent PyTorch model
 *    (scripts/bench-torch.py, one thread) run in a child process, interleaved with ours round by round
 *    (order alternated), and the ratio ours / PyTorch of the median CPU ms per step is printed.
 *    BENCH_ROUNDS (default 21) timed rounds after one warm-up step each; BENCH_CLASSROOM_BUDGET_S caps them
 *    (at least 3); BENCH_CLASSROOM=0 skips this part, BENCH_FAST_KERNELS=0 times tfjs's own cpu kernels;
 *    BENCH_CLASSROOM_BATCH / BENCH_CLASSROOM_INPUT override the default experiment's batch and input.
 *
 * 2. FBNetV2 channel masking vs naive channel search (src/nas/perf/masking-steps.ts): time of one supernet
 * training step (forward, backward, SGD update of weights and channel logits) for a small network
 *   stem conv 3x3 (3 -> 16) -> searched layer: IR k3 e3 (16 -> up to 32) -> conv 1x1 (32 -> 32) -> GAP -> FC 10
 * where the searched layer has k width options c_i = 32·i/k and is computed
 *   plain:  one IR at the largest width (no search: the reference),
 *   masked: one IR at the largest width, output × M = Σ g_i · l_i (DMaskingNAS, src/nas/v2),
 *   naive:  k separate IRs of widths c_i, each zero-padded to 32 and summed with weights g (DNAS per option).
 * g = Gumbel-softmax of the layer's logits (soft, τ = 1), drawn per step from a seeded Rng.
 * All variants run in one process on the same backend (cpu in Node unless BENCH_BACKEND says otherwise),
 * interleaved round-robin (order rotated every round) after a warm-up; the median is reported. Step time
 * is this process's CPU time (process.cpuUsage; the cpu backend runs on the JS thread), which other load
 * on the machine does not inflate the way it inflates wall time (also printed). Sizes are small so
 * the whole run stays under ~2 minutes on a 2-core machine (BENCH_BUDGET_S caps the timed rounds).
 *
 *   npm run bench                       # defaults
 *   BENCH_REPEATS=20 BENCH_BATCH=16 npm run bench
 */
import * as tf from '@tensorflow/tfjs';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  DEFAULT_EXPERIMENT,
  median,
  registerFastCpuKernels,
  Rng,
  softSupernetStep,
  subnetStep,
  singlePathStep,
  MASKING_KS as KS,
  MASKING_MAX as MAX,
  MASKING_STEM as STEM,
  maskedVariant as masked,
  naiveVariant as naive,
  plainVariant as plain,
  type MaskingVariant as Variant,
  type TrainingStep,
} from '../src/nas/index.ts';

const BACKEND = process.env.BENCH_BACKEND ?? 'cpu';
const REPEATS = Number(process.env.BENCH_REPEATS ?? 15);
const MIN_REPEATS = 5;
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const BATCH = Number(process.env.BENCH_BATCH ?? 4);
const SIZE = Number(process.env.BENCH_SIZE ?? 8);
/** Timed rounds stop early (after MIN_REPEATS) once this many seconds have passed in total. */
const BUDGET_S = Number(process.env.BENCH_BUDGET_S ?? 90);
const CLASSROOM_BATCH = Number(process.env.BENCH_CLASSROOM_BATCH ?? DEFAULT_EXPERIMENT.train.batchSize);
const CLASSROOM_INPUT = Number(process.env.BENCH_CLASSROOM_INPUT ?? DEFAULT_EXPERIMENT.inputSize);

/** PyTorch peer: one child process, one step per command (see scripts/bench-torch.py). */
class TorchPeer {
  private readonly lines: AsyncIterator<string>;
  private constructor(private readonly child: ReturnType<typeof spawn>) {
    this.lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  }

  static start(): TorchPeer | null {
    const python = '/usr/bin/python3';
    const probe = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
    if (probe.error || probe.status !== 0) return null;
    const script = new URL('./bench-torch.py', import.meta.url).pathname;
    const args = [
      script,
      String(CLASSROOM_BATCH),
      String(CLASSROOM_INPUT),
      String(DEFAULT_EXPERIMENT.gumbel.tau0),
    ];
    return new TorchPeer(spawn(python, args, { stdio: ['pipe', 'pipe', 'inherit'] }));
  }

  async step(kind: 'soft' | 'subnet'): Promise<{ cpu: number; wall: number }> {
    this.child.stdin!.write(`${kind}\n`);
    const next = await this.lines.next();
    if (next.done) throw new Error('the PyTorch peer exited');
    const r = JSON.parse(next.value) as { cpu_ms: number; wall_ms: number };
    return { cpu: r.cpu_ms, wall: r.wall_ms };
  }

  stop(): void {
    this.child.stdin!.end('quit\n');
  }
}

async function timeOurs(s: TrainingStep): Promise<{ cpu: number; wall: number }> {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  await s.step();
  const used = process.cpuUsage(cpu);
  const n = s.optimizerSteps ?? 1;
  return { cpu: (used.user + used.system) / 1000 / n, wall: (performance.now() - wall) / n };
}

async function classroom(): Promise<void> {
  // 21: with 5 the single-path / subnet median ranged 1.26–1.59 over five idle runs; with 21, 0.93–1.21
  const rounds = Number(process.env.BENCH_ROUNDS ?? 21);
  const budget = Number(process.env.BENCH_CLASSROOM_BUDGET_S ?? 300);
  console.log(
    `classroom steps | backend ${tf.getBackend()}, batch ${CLASSROOM_BATCH}, ${CLASSROOM_INPUT}x${CLASSROOM_INPUT} input, ` +
      `fast cpu kernels ${process.env.BENCH_FAST_KERNELS === '0' ? 'off' : 'on'}`,
  );
  const size = { batch: CLASSROOM_BATCH, inputSize: CLASSROOM_INPUT };
  const peer = TorchPeer.start();
  if (!peer) console.log('PyTorch peer skipped: /usr/bin/python3 cannot import torch (optional dev extra)');
  const steps: { kind: 'soft' | 'subnet' | 'single'; ours: TrainingStep }[] = [
    { kind: 'subnet', ours: subnetStep(size) },
    { kind: 'soft', ours: softSupernetStep(size) },
    { kind: 'single', ours: singlePathStep(size) },
  ];
  // PyTorch runs the same subnet and all-paths steps; the single-path step is compared with our subnet step
  const peerHas = (kind: string) => kind !== 'single';
  type Times = { cpu: number[]; wall: number[] };
  const ours = new Map(steps.map((s) => [s.kind, { cpu: [], wall: [] } as Times]));
  const theirs = new Map(steps.map((s) => [s.kind, { cpu: [], wall: [] } as Times]));
  const t0 = performance.now();
  for (const s of steps) {
    await s.ours.step(); // warm-up
    if (peer && peerHas(s.kind)) await peer.step(s.kind as 'soft' | 'subnet');
  }
  const tensors = tf.memory().numTensors;
  let done = 0;
  for (let r = 0; r < rounds; r++) {
    if (r >= 3 && (performance.now() - t0) / 1000 > budget) break;
    for (const s of steps) {
      // alternate who goes first, so neither always inherits the other's cache and heat
      const order = r % 2 === 0 ? ['ours', 'theirs'] : ['theirs', 'ours'];
      for (const who of order) {
        if (who === 'theirs' && !(peer && peerHas(s.kind))) continue;
        const t = who === 'ours' ? await timeOurs(s.ours) : await peer!.step(s.kind as 'soft' | 'subnet');
        const into = (who === 'ours' ? ours : theirs).get(s.kind)!;
        into.cpu.push(t.cpu);
        into.wall.push(t.wall);
      }
    }
    done++;
  }
  const leaked = tf.memory().numTensors - tensors;
  peer?.stop();
  console.table(
    steps.map((s) => {
      const o = ours.get(s.kind)!;
      const p = theirs.get(s.kind)!;
      const row: Record<string, string> = {
        step: s.ours.label,
        'ours cpu ms': median(o.cpu).toFixed(0),
        'ours wall ms': median(o.wall).toFixed(0),
      };
      if (peer && peerHas(s.kind)) {
        row['PyTorch cpu ms'] = median(p.cpu).toFixed(1);
        row['PyTorch wall ms'] = median(p.wall).toFixed(1);
        row['ours / PyTorch (cpu)'] = (median(o.cpu) / median(p.cpu)).toFixed(1);
      }
      return row;
    }),
  );
  const subnet = median(ours.get('subnet')!.cpu);
  console.log(
    `single-path / subnet step (cpu): ${(median(ours.get('single')!.cpu) / subnet).toFixed(2)}; ` +
      `all-paths soft / subnet: ${(median(ours.get('soft')!.cpu) / subnet).toFixed(2)}`,
  );
  console.log(
    `timed rounds: ${done} (medians); tensors leaked: ${leaked}; ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
  );
  for (const s of steps) s.ours.dispose();
}

async function main(): Promise<void> {
  await tf.setBackend(BACKEND);
  await tf.ready();
  if (process.env.BENCH_FAST_KERNELS !== '0') registerFastCpuKernels();
  if (process.env.BENCH_CLASSROOM !== '0') await classroom();
  if (process.env.BENCH_MASKING === '0') return;
  console.log('FBNetV2 masking');
  console.log(
    `backend: ${tf.getBackend()} | batch ${BATCH}, ${SIZE}x${SIZE} input, searched IR k3 e3 ${STEM} -> ${MAX}`,
  );
  console.log(`warm-up ${WARMUP}, up to ${REPEATS} timed steps per variant (round-robin), median reported\n`);

  const rng = new Rng(1);
  const x = tf.tensor4d(
    Float32Array.from({ length: BATCH * SIZE * SIZE * 3 }, () => rng.normal()),
    [BATCH, SIZE, SIZE, 3],
  );
  const y = tf
    .oneHot(
      tf.tensor1d(
        Array.from({ length: BATCH }, () => rng.int(10)),
        'int32',
      ),
      10,
    )
    .asType('float32') as tf.Tensor2D;

  const variants: Variant[] = [plain(10), ...KS.flatMap((k) => [masked(k, 10), naive(k, 10)])];
  const times = new Map<Variant, number[]>(variants.map((v) => [v, []]));
  const walls = new Map<Variant, number[]>(variants.map((v) => [v, []]));
  const t0 = performance.now();
  for (const v of variants) for (let i = 0; i < WARMUP; i++) await v.step(x, y);
  const tensorsAfterWarmup = tf.memory().numTensors;
  let rounds = 0;
  for (let r = 0; r < REPEATS; r++) {
    if (r >= MIN_REPEATS && (performance.now() - t0) / 1000 > BUDGET_S) break;
    rounds++;
    // rotate the order so no variant always follows the heaviest one (and inherits its garbage collection)
    for (let j = 0; j < variants.length; j++) {
      const v = variants[(j + r) % variants.length];
      const wall = performance.now();
      const cpu = process.cpuUsage();
      await v.step(x, y);
      const used = process.cpuUsage(cpu);
      times.get(v)!.push((used.user + used.system) / 1000);
      walls.get(v)!.push(performance.now() - wall);
    }
  }
  const leaked = tf.memory().numTensors - tensorsAfterWarmup;

  const plainMs = median(times.get(variants[0])!);
  const rows = variants.map((v) => {
    const ms = median(times.get(v)!);
    return {
      variant: v.label,
      k: v.k,
      'cpu ms (median)': ms.toFixed(1),
      'cpu ms (min)': Math.min(...times.get(v)!).toFixed(1),
      'wall ms (median)': median(walls.get(v)!).toFixed(1),
      'vs plain': (ms / plainMs).toFixed(2),
    };
  });
  console.table(rows);
  console.log('\nratio to plain (median CPU time per step):');
  console.log('  k | masked/plain (target <= 1.3) | naive/plain (grows with k)');
  for (const k of KS) {
    const m = median(times.get(variants.find((v) => v.label === 'masked' && v.k === k)!)!) / plainMs;
    const n = median(times.get(variants.find((v) => v.label === 'naive' && v.k === k)!)!) / plainMs;
    console.log(`  ${k} | ${m.toFixed(2).padStart(28)} | ${n.toFixed(2).padStart(26)}`);
  }
  console.log(
    `\ntimed rounds: ${rounds}; tensors leaked over ${rounds * variants.length} timed steps: ${leaked}`,
  );
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const v of variants) v.dispose();
  tf.dispose([x, y]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
