/**
 * An experiment: everything needed to reproduce a search. Plain JSON; the share-URL codec, the worker,
 * checkpoints and the UI all speak this type. Seeds are separate per purpose so that changing one
 * (e.g. the Gumbel noise) leaves the others' draws untouched. The values each number accepts are in
 * experiment-fields.ts, which the form and the share codec both read.
 */

export type StrategyId = 'fbnet-v1' | 'fbnet-v2' | 'spos';
export type CostSource = 'latency' | 'macs' | 'params';
export type BackendId = 'webgpu' | 'webgl' | 'cpu';
/**
 * Paths a supernet step runs: 'all' every candidate weighted by the Gumbel-softmax sample (FBNet),
 * 'single' only the sampled one, in architecture steps too (GDAS; implies hard samples). See
 * search/single-path.ts.
 */
export type GumbelPaths = 'all' | 'single';
/**
 * How an architecture step computes θ's gradient: 'relaxed' differentiates the Gumbel-softmax sample
 * (FBNet's straight-through estimator; GDAS's with single paths), 'score' uses the score function
 * (REINFORCE, Williams 1992) with a self-critical baseline: the sampled architecture's loss minus the
 * argmax architecture's on the same batch, times ∇θ log p(sample). See search/score-step.ts.
 */
export type ThetaGradient = 'relaxed' | 'score';

export interface SynthDatasetRef {
  kind: 'synthface';
  count: number; // number of generated faces
  size: number; // image side in pixels
  difficulty: number; // 0 (frontal, clean) .. 1 (pose, occlusion, noise)
  seed: number;
}

export interface UserDatasetRef {
  kind: 'user';
  name: string; // key of a dataset imported into IndexedDB
}

export type DatasetRef = SynthDatasetRef | UserDatasetRef;

/**
 * FBNetV2 (DMaskingNAS) settings, read only when strategy is 'fbnet-v2'. Every searchable layer searches
 * its output width among round(out · f) for f in widthFractions (the layer's own `out` is always an option
 * and the largest, so the supernet's tensors keep V1's shapes); resolutionFactors are input subsampling
 * factors (1 = full size). Absent: DEFAULT_V2.
 */
export interface V2Settings {
  widthFractions: number[];
  resolutionFactors: number[];
}

export interface ExperimentConfig {
  version: 1;
  title: string;
  /** Id of a search space in the space registry. */
  space: string;
  /** Per-layer candidate overrides: body index -> candidate names (only for searchable layers). */
  candidateEdits: Record<number, string[]>;
  dataset: DatasetRef;
  inputSize: number;
  strategy: StrategyId;
  train: {
    batchSize: number;
    epochs: number;
    stepsPerEpoch: number;
    warmupEpochs: number; // weights only, θ frozen
    lrWeights: number;
    lrTheta: number;
    weightDecay: number;
    valFraction: number;
  };
  gumbel: {
    tau0: number;
    decay: number; // τ(epoch) = tau0 * decay^epoch
    hard: boolean; // straight-through one-hot forward
    /** Absent: 'all' (configs, links and checkpoints from before it existed have none). */
    paths?: GumbelPaths;
    /**
     * Probability that a single-path weight step trains the current argmax path instead of the Gumbel draw,
     * once θ has left uniform (greedy path sampling, after GreedyNAS: You et al., CVPR 2020); 'all' paths
     * and strategies without greedy steps ignore it (strategies.ts greedyStepsApply). Absent: 0 (configs,
     * links and checkpoints from before it existed have none, and run as they did).
     */
    greedy?: number;
    /**
     * θ's gradient in architecture steps (strategies without score steps ignore it: strategies.ts
     * scoreStepsApply). Absent: 'relaxed' (configs, links and checkpoints from before it existed).
     */
    thetaGradient?: ThetaGradient;
  };
  loss: {
    alpha: number;
    beta: number; // loss = task * alpha * log(cost)^beta ; beta = 0 ignores cost
    cost: CostSource;
    latencyTable?: string; // key of a stored latency table when cost = 'latency'
  };
  seeds: {
    split: number;
    init: number;
    gumbel: number;
    data: number; // batch order and augmentation
  };
  /** FBNetV2 settings (optional: V1 configs and old links have none; DEFAULT_V2 applies). */
  v2?: V2Settings;
}

export const DEFAULT_V2: V2Settings = { widthFractions: [0.25, 0.5, 0.75, 1], resolutionFactors: [1, 2] };

/**
 * FBNet's defaults where they apply (τ0 = 5, decay exp(-0.045) ≈ 0.956 per epoch, α = 0.2, β = 0.6). The
 * steps are single-path (GDAS: only the sampled candidate runs, in architecture steps too), which made the
 * default run ~30× cheaper than FBNet's all-paths mixture (select 'all' to compare); that buys three times
 * the steps of the all-paths default it replaced (1,320 instead of 440, weights at lr 0.02), after which the
 * in-supernet validation NME falls below the mean-shape baseline within the run (measured with
 * `npm run report:classroom`, figures in the closing note of issue 14).
 */
export const DEFAULT_EXPERIMENT: ExperimentConfig = {
  version: 1,
  title: 'Classroom search on synthetic faces',
  space: 'classroom',
  candidateEdits: {},
  dataset: { kind: 'synthface', count: 512, size: 64, difficulty: 0.5, seed: 1 },
  inputSize: 64,
  strategy: 'fbnet-v1',
  train: {
    batchSize: 16,
    epochs: 12,
    stepsPerEpoch: 60,
    // one warm-up epoch and a fast θ rate: the sampled paths settle early, so the weights train on a
    // consistent subnet (a single-path supernet with paths drawn uniformly barely learns: issue 18's note)
    warmupEpochs: 1,
    lrWeights: 0.02,
    // 0.1 with score steps: every layer's largest softmax(θ) passed 0.9 by epoch 8 on seeds 0, 1, 2; at 0.05
    // seed 0's third layer still sat at 0.32–0.36 at epoch 7 and ended at 0.83 (scratch runs, issue 27)
    lrTheta: 0.1,
    weightDecay: 1e-4,
    valFraction: 0.2,
  },
  // greedy 0.7: with uniform draws the argmax path's shared weights trained on ~1/6 of the steps and its
  // live NME stayed at 0.87–0.90× the mean shape (seeds 0, 1, 2); greedy 0.5 gave 0.85, 0.81, 0.77 and
  // 0.7 gave 0.71, 0.79, 0.72 (npm run report:classroom -- --seeds 0,1,2)
  // score-function θ steps (search/score-step.ts): with the relaxed single-path gradient θ did not decide
  // (largest softmax 0.22–0.29 per layer at the end, seed 0) and its pick lost to random architectures of
  // the same cost; with score steps it decides within the run (issue 27's note has the figures)
  gumbel: { tau0: 5, decay: 0.956, hard: true, paths: 'single', greedy: 0.7, thetaGradient: 'score' },
  // β 0.15: at 0.6 every seed ended with all five layers at the cheapest block (skip); at 0.15 none did
  loss: { alpha: 0.2, beta: 0.15, cost: 'macs' },
  seeds: { split: 1, init: 2, gumbel: 3, data: 4 },
};
