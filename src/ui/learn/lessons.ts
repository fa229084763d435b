/**
 * The lesson registry, as data: every lesson is a sequence of sections, every section names its widget's
 * settings (params.ts) and, where there is one, the Search experiment its "Try it" button opens. The
 * widgets themselves are in section-components.ts, keyed by `lesson/section`.
 */
import { DEFAULT_EXPERIMENT, sposConfig, type ExperimentConfig, type GumbelPaths } from '../../nas/index.ts';
import type { V3Settings } from '../../worker/protocol.ts';
import { DEFAULT_V3_SETTINGS } from '../../worker/v3-session.ts';
import { bool, boolOf, int, num, nums, numOf, type ParamSpecs, type WidgetState } from './params.ts';

export interface SectionSpec {
  id: string;
  title: string;
  params: ParamSpecs;
  /** The Search experiment that tries this idea, from the widget's settings; absent: no button. */
  preset?: (state: WidgetState) => ExperimentConfig;
  /** The V3 lesson's counterpart: the joint-search settings the V3 panel opens with. */
  v3preset?: (state: WidgetState) => V3Settings;
}

export interface LessonSpec {
  id: string;
  title: string;
  summary: string;
  sections: SectionSpec[];
}

/** The classroom candidates the Gumbel widgets sample among (a subset keeps four sliders legible). */
export const GUMBEL_CANDIDATES = ['k3_e1', 'k3_e3', 'k5_e6', 'skip'];

/**
 * The V1 lesson's mini-search: the classroom space on 64 small faces, 88 single-path steps, τ annealed
 * fast and θ learning quickly so the choices settle within the run (under a minute on the CPU backend).
 */
export function miniSearchConfig(beta: number): ExperimentConfig {
  return classroom((c) => {
    c.title = `Lesson V1: mini-search at β = ${beta}`;
    c.dataset = { kind: 'synthface', count: 64, size: 32, difficulty: 0.3, seed: 1 };
    c.inputSize = 32;
    c.train = { ...c.train, batchSize: 8, epochs: 6, stepsPerEpoch: 8, warmupEpochs: 1, lrTheta: 0.08 };
    c.gumbel = { tau0: 5, decay: 0.6, hard: true, paths: 'single' };
    c.loss = { ...c.loss, beta, cost: 'macs' };
  });
}

/**
 * The classroom search with all paths (FBNet) or a single path (GDAS) per step, at an input size and batch:
 * what the paths section times and its Try it opens. Only the path mode differs between the two.
 */
export function pathsStepConfig(paths: GumbelPaths, size: number, batch: number): ExperimentConfig {
  return classroom((c) => {
    c.title = `Lesson V1: ${paths === 'all' ? 'all paths' : 'single path'} per step`;
    c.inputSize = size;
    c.train = { ...c.train, batchSize: batch };
    c.gumbel = { ...c.gumbel, paths };
  });
}

/** A SPOS supernet run of the classroom space (uniform single paths, θ frozen): Search's Strategies panel then scores candidates on it. */
export function sposPreset(size: number, steps: number): ExperimentConfig {
  return sposConfig(
    classroom((c) => {
      c.title = 'Lesson: weight sharing (SPOS supernet)';
      c.inputSize = size;
      c.dataset = { kind: 'synthface', count: 256, size, difficulty: 0.5, seed: 1 };
      c.train = { ...c.train, epochs: 1, stepsPerEpoch: steps, lrWeights: 0.05 };
    }),
  );
}

/**
 * The V3 lesson's joint search: the V3 panel's tiny defaults made smaller still (16-pixel faces, a pool of
 * fourteen, two predictor rounds of four), three fine-stage budgets and the recipe-sensitivity stage, so a run
 * takes about a minute on the CPU backend.
 */
export function lessonV3Settings(edit: Partial<V3Settings>): V3Settings {
  return {
    ...DEFAULT_V3_SETTINGS,
    faces: 24,
    size: 16,
    batch: 4,
    poolSize: 14,
    round0: 5,
    rounds: 2,
    perRound: 4,
    steps: 6,
    checkpoints: 3,
    earlyStopTau: 0.8,
    maxMacs: 3e6,
    budgets: [0.5e6, 1e6, 3e6],
    proxyArchs: 60,
    predictorSteps: 20,
    generations: 3,
    population: 6,
    sensitivity: 3,
    ...edit,
  };
}

/** The classroom default, edited; a fresh copy each time. */
function classroom(edit: (c: ExperimentConfig) => void): ExperimentConfig {
  const c = structuredClone(DEFAULT_EXPERIMENT) as ExperimentConfig;
  edit(c);
  return c;
}

export const LESSONS: LessonSpec[] = [
  {
    id: 'v1',
    title: 'FBNet V1: differentiable search over blocks',
    summary:
      'A supernet holds every candidate block; Gumbel-softmax samples choose among them, a temperature ' +
      'anneals the samples and a cost-aware loss decides which block wins.',
    sections: [
      {
        id: 'supernet',
        title: 'The supernet: a stack of choices',
        params: { size: int('Input size (pixels)', 32, 128, 64) },
        preset: (s) =>
          classroom((c) => {
            c.title = 'Lesson V1: the classroom supernet';
            c.inputSize = numOf(s, 'size');
          }),
      },
      {
        id: 'gumbel',
        title: 'Gumbel-softmax: sampling a block, differentiably',
        params: {
          theta: nums('θ', -3, 3, 0.1, [1, 0.5, 0, -0.5]),
          tau: num('Temperature τ', 0.05, 10, 0.05, 1),
          samples: int('Samples', 10, 5000, 2000),
          seed: int('Seed', 0, 9999, 1),
        },
        preset: (s) =>
          classroom((c) => {
            c.title = `Lesson V1: Gumbel-softmax at τ0 = ${numOf(s, 'tau')}`;
            c.gumbel = { ...c.gumbel, tau0: numOf(s, 'tau') };
            c.seeds.gumbel = numOf(s, 'seed');
          }),
      },
      {
        id: 'paths',
        title: 'All paths or one path: what a step costs',
        params: {
          size: int('Input size (pixels)', 32, 128, 64),
          batch: int('Batch', 1, 64, 16),
          allpaths: bool('Run all paths', true),
        },
        preset: (s) =>
          pathsStepConfig(boolOf(s, 'allpaths') ? 'all' : 'single', numOf(s, 'size'), numOf(s, 'batch')),
      },
      {
        id: 'schedule',
        title: 'The temperature schedule',
        params: {
          tau0: num('τ0', 0.1, 20, 0.1, 5),
          decay: num('Decay per epoch', 0.8, 1, 0.001, 0.956),
          epochs: int('Epochs', 1, 200, 90),
        },
        preset: (s) =>
          classroom((c) => {
            c.title = 'Lesson V1: temperature schedule';
            c.gumbel = { ...c.gumbel, tau0: numOf(s, 'tau0'), decay: numOf(s, 'decay') };
          }),
      },
      {
        id: 'loss',
        title: 'The cost-aware loss: which block wins',
        params: {
          alpha: num('α', 0.01, 2, 0.01, 0.2),
          beta: num('β', 0, 2, 0.01, 0.6),
          gap: num('Task-loss gap', 0, 0.6, 0.01, 0.3),
          layer: int('Searchable layer', 1, 5, 1),
        },
        preset: (s) =>
          classroom((c) => {
            c.title = `Lesson V1: loss with α = ${numOf(s, 'alpha')}, β = ${numOf(s, 'beta')}`;
            c.loss = { ...c.loss, alpha: numOf(s, 'alpha'), beta: numOf(s, 'beta'), cost: 'macs' };
          }),
      },
      {
        id: 'latency',
        title: 'The latency table: measured on this device',
        params: {
          layer: int('Searchable layer', 1, 5, 2),
          size: int('Input size (pixels)', 32, 128, 64),
          alpha: num('α', 0.01, 2, 0.01, 0.2),
          beta: num('β', 0, 2, 0.01, 0.6),
        },
        preset: (s) =>
          classroom((c) => {
            c.title = `Lesson V1: latency-aware search, α = ${numOf(s, 'alpha')}, β = ${numOf(s, 'beta')}`;
            c.inputSize = numOf(s, 'size');
            c.loss = { ...c.loss, alpha: numOf(s, 'alpha'), beta: numOf(s, 'beta'), cost: 'latency' };
          }),
      },
      {
        id: 'mini',
        title: 'A mini-search you can watch settle',
        params: { beta: num('β', 0, 2, 0.1, 0.6) },
        preset: (s) => miniSearchConfig(numOf(s, 'beta')),
      },
      {
        // the made-up check's sliders; the section's Try it opens Results' check of the last finished run
        id: 'random',
        title: 'Is the search better than random?',
        params: {
          nme: num('Searched network’s NME (%)', 5.5, 8.5, 0.05, 6.5),
          spread: num('Init-seed spread (points)', 0, 1, 0.05, 0.25),
        },
      },
    ],
  },
  {
    id: 'v2',
    title: 'FBNet V2: masks instead of copies',
    summary:
      'DMaskingNAS searches channel counts and input resolution with masks over one shared set of ' +
      'weights, so many more options cost about the same as one.',
    sections: [
      {
        id: 'mask',
        title: 'The channel-mask composer',
        params: {
          theta: nums('θ', -3, 3, 0.1, [0, 0.5, 1, 0.5]),
          tau: num('Temperature τ', 0.05, 10, 0.05, 1),
          seed: int('Seed', 0, 9999, 1),
        },
        preset: (s) =>
          classroom((c) => {
            c.title = 'Lesson V2: channel masks';
            c.strategy = 'fbnet-v2';
            c.gumbel = { ...c.gumbel, tau0: numOf(s, 'tau') };
            c.seeds.gumbel = numOf(s, 'seed');
          }),
      },
      {
        id: 'resolution',
        title: 'Input resolution by subsampling',
        params: { factor: int('Subsampling factor f', 1, 4, 2), face: int('Face', 0, 99, 3) },
        preset: (s) =>
          classroom((c) => {
            c.title = 'Lesson V2: input resolution';
            c.strategy = 'fbnet-v2';
            c.v2 = {
              widthFractions: [0.25, 0.5, 0.75, 1],
              resolutionFactors: numOf(s, 'factor') > 1 ? [1, numOf(s, 'factor')] : [1],
            };
          }),
      },
    ],
  },
  {
    id: 'ws',
    title: 'Weight sharing and its caveat',
    summary:
      'One supernet scores every candidate with the weights they share; does it rank them as training ' +
      'each one alone would?',
    sections: [
      {
        id: 'ranking',
        title: 'One-shot ranking against standalone training',
        params: {
          candidates: int('Candidates', 3, 8, 5),
          supernet: int('Supernet steps', 10, 300, 80),
          standalone: int('Standalone steps per candidate', 10, 200, 40),
          size: int('Input size (pixels)', 16, 64, 32),
          seed: int('Seed', 0, 9999, 1),
        },
        preset: (s) => sposPreset(numOf(s, 'size'), numOf(s, 'supernet')),
      },
    ],
  },
  {
    id: 'v3',
    title: 'FBNet V3: architecture and recipe together',
    summary:
      'Searching the training recipe with the architecture: recipes reorder networks, a pre-trained ' +
      'predictor ranks candidates cheaply, early stopping shortens training, and one predictor serves many budgets.',
    sections: [
      {
        id: 'recipes',
        title: 'Two recipes, two rankings',
        params: { sensitivity: int('Architectures trained under both recipes', 2, 5, 3) },
        v3preset: (s) => lessonV3Settings({ sensitivity: numOf(s, 'sensitivity') }),
      },
      {
        id: 'predictor',
        title: 'The predictor and its proxy pre-training',
        params: { proxy: int('Pre-training architectures', 20, 2000, 60) },
        v3preset: (s) => lessonV3Settings({ proxyArchs: numOf(s, 'proxy') }),
      },
      {
        id: 'earlystop',
        title: 'Early stopping by rank agreement',
        params: { threshold: num('Threshold τ_stop', 0.5, 1, 0.01, 0.8) },
        v3preset: (s) => lessonV3Settings({ earlyStopTau: numOf(s, 'threshold') }),
      },
      {
        id: 'pareto',
        title: 'One predictor, many budgets',
        params: { budget: int('Budget shown', 1, 3, 1) },
        v3preset: () => lessonV3Settings({}),
      },
    ],
  },
];

export function findLesson(id: string): LessonSpec | undefined {
  return LESSONS.find((l) => l.id === id);
}
