/**
 * The classroom search as shipped, in Node (tfjs cpu backend with the app's fast kernels): prints the
 * mean-shape baseline NME, the in-supernet argmax NME at every epoch (what the workspace's live chart
 * shows: the argmax path with shared weights, BatchNorm recalibrated), the derived architecture and its NME
 * after Results' default finetune (derive → recalibrate → DEFAULT_FINETUNE), then checks issue 18's bars.
 *   npm run report:classroom                     the shipped defaults, seed offset 0
 *   npm run report:classroom -- --seeds 0,1,2    the same for several seed offsets (split, init, Gumbel
 *                                                and data seeds shifted by 100·k; the faces stay the same)
 *   npm run report:classroom -- --strategy fbnet-v2   FBNetV2 instead of the shipped strategy (fbnet-v1|fbnet-v2)
 *   npm run report:classroom -- --baseline 4     also trains the derived network and 4 uniform + 2 cost-matched
 *                                                random architectures (MACs within ±25 %) from scratch, 3 init
 *                                                seeds each, 600 steps (--baseline-steps S, --baseline-matched M
 *                                                change those), and says where the derived one stands (issue 27)
 * After each search it prints every searchable layer's max softmax(θ) and entropy. The summary checks, per
 * seed: (a) every layer's max softmax ≥ 0.5; (b) with --baseline, the derived network's from-scratch NME ≤
 * the cost-matched median and no random network at ≤ its MACs better by more than the pooled seed spread;
 * (c) issue 18's bars (argmax ≤ 0.85 × mean shape, derived ≤ 0.6 × after the default finetune).
 * Overrides for exploring: REPORT_CONFIG='{"train":{"lrWeights":0.05}}' merges settings into the experiment
 * (one level deep), REPORT_FINETUNE=N and REPORT_FINETUNE_LR=x change the finetune's steps and rate.
 */
import * as tf from '@tensorflow/tfjs';
import {
  baselineVerdict,
  type BaselinePlan,
  type BaselineResults,
  type BaselineVerdict,
  DEFAULT_BASELINE_SETTINGS,
  DEFAULT_EXPERIMENT,
  DEFAULT_FINETUNE,
  derivedSource,
  entropyOf,
  type ExperimentConfig,
  deriveSubnet,
  evaluateModel,
  finetuneSeed,
  formatMacs,
  generateDataset,
  LandmarkSource,
  meanShapeNme,
  planBaseline,
  registerFastCpuKernels,
  runBaselineCheck,
  SearchTrainer,
  searchedChoices,
  type StrategyId,
  trainModel,
  validateArgmax,
} from '../src/nas/index.ts';

/** Issue 18's bars: argmax NME ≤ 0.85 × mean shape by the end; derived ≤ 0.6 × after the default finetune. */
const ARGMAX_BAR = 0.85;
const DERIVED_BAR = 0.6;
/** Issue 27's bar (a): the search must choose, every searchable layer's max softmax(θ) at least this. */
const CONFIDENCE_BAR = 0.5;
/** The random baseline's report recipe: init seeds per network and steps (--baseline-steps overrides). */
const BASELINE_INIT_SEEDS = 3;
const BASELINE_STEPS = 600;

function parseSeeds(argv: string[]): number[] {
  const at = argv.indexOf('--seeds');
  if (at < 0) return [0];
  const seeds = (argv[at + 1] ?? '').split(',').map(Number);
  if (!seeds.length || seeds.some((s) => !Number.isInteger(s) || s < 0))
    throw new Error('--seeds takes whole numbers separated by commas, e.g. --seeds 0,1,2');
  return seeds;
}

/** The value after `--name` as a whole number ≥ min, or undefined when the flag is absent. */
function intFlag(argv: string[], name: string, min: number): number | undefined {
  const at = argv.indexOf(name);
  if (at < 0) return undefined;
  const v = Number(argv[at + 1]);
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} takes a whole number ≥ ${min}`);
  return v;
}

function parseStrategy(argv: string[]): StrategyId | undefined {
  const at = argv.indexOf('--strategy');
  if (at < 0) return undefined;
  const v = argv[at + 1];
  if (v !== 'fbnet-v1' && v !== 'fbnet-v2') throw new Error('--strategy takes fbnet-v1 or fbnet-v2');
  return v;
}

interface BaselineArgs {
  uniform: number;
  costMatched: number;
  steps: number;
}

function parseBaseline(argv: string[]): BaselineArgs | null {
  const uniform = intFlag(argv, '--baseline', 1);
  if (uniform === undefined) return null;
  return {
    uniform,
    costMatched: intFlag(argv, '--baseline-matched', 0) ?? Math.ceil(uniform / 2),
    steps: intFlag(argv, '--baseline-steps', 1) ?? BASELINE_STEPS,
  };
}

const ARGV = process.argv.slice(2);
const STRATEGY = parseStrategy(ARGV);
const BASELINE = parseBaseline(ARGV);

function experiment(offset: number): ExperimentConfig {
  const config: ExperimentConfig = structuredClone(DEFAULT_EXPERIMENT);
  const extra = JSON.parse(process.env.REPORT_CONFIG ?? '{}') as Record<string, Record<string, unknown>>;
  for (const [k, v] of Object.entries(extra)) {
    const target = (config as unknown as Record<string, unknown>)[k];
    if (target && typeof target === 'object') Object.assign(target, v);
    else (config as unknown as Record<string, unknown>)[k] = v;
  }
  if (STRATEGY) config.strategy = STRATEGY;
  for (const k of Object.keys(config.seeds) as (keyof ExperimentConfig['seeds'])[])
    config.seeds[k] += 100 * offset;
  return config;
}

interface BaselineReport {
  plan: BaselinePlan;
  results: BaselineResults;
  verdict: BaselineVerdict;
  /** Issue 27's bar (b). */
  beatsRandom: boolean;
}

interface SeedReport {
  offset: number;
  base: number;
  argmax: number;
  derived: number;
  arch: string;
  allCheapest: boolean;
  searchS: number;
  /** Smallest max softmax(θ) over the searchable layers at the end of the search. */
  minMaxProb: number;
  baseline: BaselineReport | null;
}

async function runOne(offset: number): Promise<SeedReport> {
  const config = experiment(offset);
  if (config.dataset.kind !== 'synthface') throw new Error('The report runs on SynthFace-106');
  const { count, size, difficulty, seed } = config.dataset;
  const source = new LandmarkSource(generateDataset({ count, size, difficulty, seed }), {
    valFraction: config.train.valFraction,
    splitSeed: config.seeds.split,
    inputSize: config.inputSize,
  });
  const trainer = new SearchTrainer(config, source);
  try {
    const base = (await meanShapeNme(source, config.train.batchSize))!;
    const { train, gumbel } = config;
    console.log(
      `\n# seeds +${100 * offset}: ${train.epochs} epochs × ${train.stepsPerEpoch} steps (${train.warmupEpochs} warm-up), ` +
        `${trainer.totalSteps} steps, input ${config.inputSize}, batch ${train.batchSize}, ${count} faces ` +
        `(val ${source.count('val')}), paths ${gumbel.paths ?? 'all'}, α ${config.loss.alpha} β ${config.loss.beta}`,
    );
    console.log(`mean-shape baseline NME: ${base.toFixed(2)} %`);
    const t0 = performance.now();
    let argmax = NaN;
    const outcome = await trainer.run(async (m, { epochEnded }) => {
      if (!epochEnded) return;
      argmax = (await validateArgmax(trainer.net, source, train.batchSize)).nme!;
      const s = ((performance.now() - t0) / 1000).toFixed(0);
      const picks = (await trainer.net.argmaxChoices()).blocks.join('');
      console.log(
        `epoch ${m.epoch + 1}: step ${trainer.stepsDone}, argmax NME ${argmax.toFixed(2)} % ${picks} (${s} s)`,
      );
    });
    if (outcome !== 'finished') throw new Error(`the search ended ${outcome}`);
    const searchS = (performance.now() - t0) / 1000;
    argmax = (await validateArgmax(trainer.net, source, train.batchSize)).nme!;
    const minMaxProb = printConfidence(trainer, await trainer.net.probs());

    // Results' flow: derive the argmax subnet (weights inherited, BatchNorm recalibrated), default finetune
    const { model, summary } = await deriveSubnet(trainer, { mode: 'argmax' });
    try {
      const steps = Number(process.env.REPORT_FINETUNE ?? DEFAULT_FINETUNE.steps);
      // the derived network takes the images at its searched resolution (FBNetV2 may subsample them)
      const input = derivedSource(source, summary);
      const inherited = await evaluateModel(model, input);
      await trainModel(
        model,
        input,
        {
          steps,
          lr: Number(process.env.REPORT_FINETUNE_LR ?? DEFAULT_FINETUNE.lr),
          batchSize: train.batchSize,
          seed: finetuneSeed(config.seeds.data, 0),
          weightDecay: train.weightDecay,
        },
        () => undefined,
      );
      const derived = 100 * (await evaluateModel(model, input)).nme;
      const arch = summary.layers.map((l) => l.candidates[l.chosen]).join(', ');
      const allCheapest = summary.layers.every((l) => l.chosen === cheapestIndex(trainer, l.index));
      console.log(
        `argmax NME at the end: ${argmax.toFixed(2)} % (${(argmax / base).toFixed(2)} × mean shape)`,
      );
      console.log(
        `derived: ${arch} (${(summary.macs / 1e6).toFixed(2)} M MACs): ${(100 * inherited.nme).toFixed(2)} % inherited → ` +
          `${derived.toFixed(2)} % after ${steps} finetune steps (${(derived / base).toFixed(2)} × mean shape)`,
      );
      const baseline = BASELINE
        ? await runBaseline(config, trainer, searchedChoices(summary), source, BASELINE)
        : null;
      return { offset, base, argmax, derived, arch, allCheapest, searchS, minMaxProb, baseline };
    } finally {
      model.dispose();
    }
  } finally {
    trainer.dispose();
    source.dispose();
  }
}

/** Prints max softmax(θ) and entropy per searchable layer; returns the smallest max softmax. */
function printConfidence(t: SearchTrainer, probs: number[][]): number {
  console.log('layer  max softmax  entropy (nats, uniform = ln k)  argmax');
  t.net.layers.forEach((l, i) => {
    const p = probs[i];
    const best = p.indexOf(Math.max(...p));
    console.log(
      `${String(l.bodyIndex).padStart(5)}  ${p[best].toFixed(3).padStart(11)}  ` +
        `${entropyOf(p).toFixed(3).padStart(7)} of ${Math.log(p.length).toFixed(3)}${' '.repeat(16)}` +
        `${l.candidates[best]}`,
    );
  });
  return Math.min(...probs.map((p) => Math.max(...p)));
}

/** Issue 27: the derived network and random architectures of the space, from scratch with one recipe. */
async function runBaseline(
  config: ExperimentConfig,
  t: SearchTrainer,
  searched: ReturnType<typeof searchedChoices>,
  source: LandmarkSource,
  args: BaselineArgs,
): Promise<BaselineReport> {
  const plan = planBaseline({
    config,
    space: t.space,
    searched,
    settings: {
      uniform: args.uniform,
      costMatched: args.costMatched,
      band: DEFAULT_BASELINE_SETTINGS.band,
      steps: args.steps,
      initSeeds: BASELINE_INIT_SEEDS,
    },
  });
  const { recipe, band } = plan;
  console.log(
    `random baseline: ${args.uniform} uniform + ${plan.costMatchedFound} of ${args.costMatched} cost-matched ` +
      `(band ${formatMacs(band.low)} to ${formatMacs(band.high)}) + the derived network, from scratch; recipe: ` +
      `${recipe.steps} steps, SGD momentum 0.9, lr ${recipe.lr} cosine to 0, batch ${recipe.batchSize}, ` +
      `weight decay ${recipe.weightDecay}, init seeds ${recipe.initSeeds.join(', ')}, data seed ${recipe.dataSeed}`,
  );
  const t0 = performance.now();
  const out = await runBaselineCheck({ plan, results: {} }, source, {
    onResult: (id, seed, nme) =>
      console.log(
        `  ${id} seed ${recipe.initSeeds[seed]}: ${nme.toFixed(2)} % ` +
          `(${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      ),
  });
  const { results } = out.state;
  const verdict = baselineVerdict(plan, results);
  const stats = (id: string) => {
    const xs = (results[id] ?? []).filter(Number.isFinite);
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)) : 0;
    return xs.length ? `${m.toFixed(2)} ± ${sd.toFixed(2)} %` : 'no finite result';
  };
  console.log('kind          id        MACs  NME (mean ± sd over init seeds)  architecture');
  for (const c of [...plan.candidates].sort((a, b) => a.macs - b.macs)) {
    const front = verdict.front.includes(c.id) ? ' [front]' : '';
    console.log(
      `${c.kind.padEnd(13)} ${c.id.padEnd(8)} ${(c.macs / 1e6).toFixed(2).padStart(5)} M  ` +
        `${stats(c.id).padEnd(31)}  ${c.label}${front}`,
    );
  }
  console.log(verdict.sentence);
  const median = verdict.costMatchedMedian;
  const s = verdict.searchedNme;
  const beatsRandom =
    s !== null && (median === null || s <= median) && verdict.beatenBy.length === 0 && verdict.ready;
  console.log(
    `bar (b): derived ${s === null ? '—' : s.toFixed(2) + ' %'} vs cost-matched median ` +
      `${median === null ? '— (none)' : median.toFixed(2) + ' %'}; random networks at ≤ its MACs better by more ` +
      `than the seed spread (±${verdict.spread.toFixed(2)}): ${verdict.beatenBy.join(', ') || 'none'} → ` +
      (beatsRandom ? 'met' : 'NOT met'),
  );
  return { plan, results, verdict, beatsRandom };
}

/** Index of the cheapest candidate of a searchable layer in the search's cost table. */
function cheapestIndex(t: SearchTrainer, bodyIndex: number): number {
  const l = t.net.layers.findIndex((m) => m.bodyIndex === bodyIndex);
  const row = t.options.costTable[l];
  return row.indexOf(Math.min(...row));
}

await tf.setBackend('cpu');
registerFastCpuKernels();
const reports: SeedReport[] = [];
for (const offset of parseSeeds(ARGV)) reports.push(await runOne(offset));

console.log('\nseeds  search s  mean shape  argmax (×base)   derived (×base)  architecture');
let pass = true;
for (const r of reports) {
  const ok = r.argmax <= ARGMAX_BAR * r.base && r.derived <= DERIVED_BAR * r.base && !r.allCheapest;
  pass &&= ok;
  console.log(
    `+${String(100 * r.offset).padEnd(5)} ${r.searchS.toFixed(0).padStart(7)}  ${r.base.toFixed(2).padStart(8)} %  ` +
      `${r.argmax.toFixed(2)} % (${(r.argmax / r.base).toFixed(2)})  ${r.derived.toFixed(2)} % (${(r.derived / r.base).toFixed(2)})   ` +
      `${r.arch}${r.allCheapest ? ' [all cheapest]' : ''} ${ok ? '' : '  <- misses a bar'}`,
  );
}
console.log(
  `bars: argmax ≤ ${ARGMAX_BAR} × mean shape, derived ≤ ${DERIVED_BAR} × after the default finetune, not all cheapest: ` +
    (pass ? 'met on every seed' : 'NOT met'),
);

console.log(
  `\nissue 27 bars per seed: (a) every layer's max softmax ≥ ${CONFIDENCE_BAR}; (b) beats random (--baseline); (c) issue 18's bars`,
);
for (const r of reports) {
  const a = r.minMaxProb >= CONFIDENCE_BAR;
  const b = r.baseline ? r.baseline.beatsRandom : null;
  const c = r.argmax <= ARGMAX_BAR * r.base && r.derived <= DERIVED_BAR * r.base;
  const mark = (ok: boolean | null) => (ok === null ? 'not run' : ok ? 'met' : 'NOT met');
  console.log(
    `+${String(100 * r.offset).padEnd(5)} (a) ${mark(a)} (min max softmax ${r.minMaxProb.toFixed(2)}); ` +
      `(b) ${mark(b)}${r.baseline ? ` (${r.baseline.verdict.kind})` : ''}; (c) ${mark(c)}`,
  );
}
