/**
 * FBNetV2 channel masking vs naive channel search: time of one supernet training step (forward, backward,
 * SGD update of weights and channel logits) for a small network
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
import {
  type BlockSpec,
  buildBlock,
  disposeParams,
  type Module,
  type ParamInfo,
  buildHead,
  type Head,
  Rng,
  drawGumbel,
  gumbelSoftmax,
  crossEntropy,
  distOf,
  fitChannels,
  fixedDist,
  buildMaskedBlock,
  type MaskedBlock,
} from '../src/nas/index.ts';

const BACKEND = process.env.BENCH_BACKEND ?? 'cpu';
const REPEATS = Number(process.env.BENCH_REPEATS ?? 15);
const MIN_REPEATS = 5;
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const BATCH = Number(process.env.BENCH_BATCH ?? 4);
const SIZE = Number(process.env.BENCH_SIZE ?? 8);
/** Timed rounds stop early (after MIN_REPEATS) once this many seconds have passed in total. */
const BUDGET_S = Number(process.env.BENCH_BUDGET_S ?? 90);
const STEM = 16;
const MAX = 32;
const KS = [2, 4, 8];

const irSpec = (out: number): BlockSpec => ({ kind: 'ir', k: 3, e: 3, out, stride: 1 });

interface Variant {
  label: string;
  k: number;
  step(x: tf.Tensor4D, y: tf.Tensor2D): Promise<void>;
  dispose(): void;
}

function widthsFor(k: number): number[] {
  return Array.from({ length: k }, (_, i) => Math.round((MAX * (i + 1)) / k));
}

/** Shared scaffolding: stem, the searched layer (given), next conv, head, one SGD optimizer. */
function makeVariant(
  label: string,
  k: number,
  seed: number,
  searched: (x: tf.Tensor4D, g: tf.Tensor1D | null) => tf.Tensor4D,
  searchedParams: ParamInfo[],
  logits: tf.Variable | null,
): Variant {
  const rng = new Rng(seed);
  const stem = buildBlock({ kind: 'conv', k: 3, out: STEM, stride: 1, act: 'relu' }, 3, 'stem', rng);
  const next = buildBlock({ kind: 'conv', k: 1, out: MAX, stride: 1, act: 'relu' }, MAX, 'next', rng);
  const head: Head = buildHead({ kind: 'classifier', classes: 10 }, MAX, [], 'head', rng);
  const noise = new Rng(seed + 1);
  const opt = tf.train.sgd(0.01);
  const vars = [stem, next]
    .flatMap((m: Module) => m.params())
    .concat(searchedParams, head.params())
    .filter((p) => p.trainable)
    .map((p) => p.variable);
  if (logits) vars.push(logits);
  return {
    label,
    k,
    async step(x, y) {
      // minimize runs f inside variableGrads, which disposes every intermediate (noise and masks included)
      const loss = opt.minimize(
        () => {
          const g = logits
            ? gumbelSoftmax(logits as tf.Tensor1D, 1, tf.tensor1d(drawGumbel(noise, k)), false)
            : null;
          const h = next.apply(searched(stem.apply(x, true), g), true);
          return crossEntropy(head.apply(h, [], true), y);
        },
        true,
        vars,
      );
      if (!loss) throw new Error('minimize returned no loss');
      await loss.data(); // waits for the device on asynchronous backends
      loss.dispose();
    },
    dispose() {
      disposeParams([...stem.params(), ...next.params(), ...searchedParams, ...head.params()]);
      logits?.dispose();
      opt.dispose();
    },
  };
}

function plain(seed: number): Variant {
  const block = buildBlock(irSpec(MAX), STEM, 'searched', new Rng(seed + 7));
  return makeVariant('plain', 1, seed, (x) => block.apply(x, true), block.params(), null);
}

function masked(k: number, seed: number): Variant {
  const widths = widthsFor(k);
  const block: MaskedBlock = buildMaskedBlock(irSpec(MAX), STEM, 'searched', new Rng(seed + 7), {
    variable: true,
  });
  const logits = tf.variable(tf.zeros([k]));
  return makeVariant(
    'masked',
    k,
    seed,
    (x, g) => block.apply(x, { in: fixedDist(STEM), out: distOf(widths, g!) }, true),
    block.params(),
    logits,
  );
}

function naive(k: number, seed: number): Variant {
  const widths = widthsFor(k);
  const r = new Rng(seed + 7);
  const blocks = widths.map((c, i) => buildBlock(irSpec(c), STEM, `searched/${i}`, r));
  const logits = tf.variable(tf.zeros([k]));
  const run = (x: tf.Tensor4D, g: tf.Tensor1D | null) => {
    const w = tf.unstack(g!);
    return tf.addN(blocks.map((b, i) => tf.mul(fitChannels(b.apply(x, true), MAX), w[i]))) as tf.Tensor4D;
  };
  return makeVariant(
    'naive',
    k,
    seed,
    run,
    blocks.flatMap((b) => b.params()),
    logits,
  );
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main(): Promise<void> {
  await tf.setBackend(BACKEND);
  await tf.ready();
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
