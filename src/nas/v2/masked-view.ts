/**
 * Legacy: FBNetV2 behind V1's Supernet API (`mixed`, `thetas()`, `probs()`, `forward(x, training,
 * LayerMix[])`) for worker/results-session.ts, which reads `trainer.supernet` until it is ported to
 * SearchNet (issue 13, point 4); delete this file then. Same parameter names and shapes as the
 * MaskedSupernet; index mixes run at the current argmax widths, expansions and resolution (refreshed by
 * FbnetV2Net after every step), mask mixes at full width.
 */
import type * as tf from '@tensorflow/tfjs';
import type { SearchSpace, Task } from '../arch/spec.ts';
import type { Module, ParamInfo } from '../blocks/module.ts';
import type { Head } from '../model/head.ts';
import type { MaskedSupernet } from './masked-supernet.ts';
import type { MaskedChoices } from './derive.ts';
import type { BatchSource } from '../data/source.ts';
import type { Predictor, SearchNet } from '../search/search-net.ts';
import type { LayerMix, MixedLayer, Supernet } from '../search/supernet.ts';

type SupernetApi = Pick<
  Supernet,
  | 'space'
  | 'task'
  | 'mixed'
  | 'head'
  | 'forward'
  | 'weightParams'
  | 'trainableWeights'
  | 'thetas'
  | 'probs'
  | 'dispose'
>;

export class MaskedSupernetView implements SupernetApi {
  readonly space: SearchSpace;
  readonly task: Task;
  readonly mixed: MixedLayer[];
  readonly head: Head;
  /** Width / expansion / resolution choices used for index mixes (updated by the trainer). */
  choices: Omit<MaskedChoices, 'blocks'>;

  constructor(
    readonly net: MaskedSupernet,
    /** The FBNetV2 search network that owns `net`: validation of the view predicts through it. */
    private readonly owner: Pick<SearchNet, 'argmaxPredictor'>,
  ) {
    this.space = net.space;
    this.task = net.task;
    this.head = net.head;
    // ops are MaskedBlocks, not V1 Modules: only their params() is shared; nobody outside runs them
    this.mixed = net.layers.map((l) => ({
      bodyIndex: l.bodyIndex,
      candidates: [...l.candidates],
      ops: l.ops as unknown as Module[],
      theta: l.theta,
    }));
    this.choices = {
      widths: net.layers.map((l) => (l.widthSearch ? l.widthSearch.options.length - 1 : undefined)),
      expansions: net.layers.map((l) =>
        l.expansionSearch ? l.expansionSearch.options.length - 1 : undefined,
      ),
      resolution: 0,
    };
  }

  forward(x: tf.Tensor4D, training: boolean, mix: LayerMix[]): tf.Tensor2D {
    if (mix.every((m) => typeof m === 'number')) {
      return this.net.forward(x, training, { blocks: mix, ...this.choices });
    }
    return this.net.forward(x, training, { blocks: mix });
  }

  weightParams(): ParamInfo[] {
    return this.net.weightParams();
  }

  trainableWeights(): tf.Variable[] {
    return this.net.trainableWeights();
  }

  thetas(): tf.Variable<tf.Rank.R1>[] {
    return this.net.thetas();
  }

  probs(): Promise<number[][]> {
    return this.net.probs();
  }

  argmaxPredictor(source: BatchSource, batchSize: number): Promise<Predictor> {
    return this.owner.argmaxPredictor(source, batchSize);
  }

  dispose(): void {
    this.net.dispose();
  }
}
