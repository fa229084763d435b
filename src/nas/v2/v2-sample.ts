/** What an FBNetV2 step draws (after V1's block noise) and relaxes. */
import type * as tf from '@tensorflow/tfjs';
import type { Relaxation, StepSample } from '../search/search-net.ts';
import type { MaskedMix } from './masked-supernet.ts';

export interface V2Sample extends StepSample {
  noise: Float32Array[];
  widthNoise: (Float32Array | null)[];
  expansionNoise: (Float32Array | null)[];
  resolutionNoise: Float32Array | null;
  /** Categorical draws argmax(logits + noise) per search (undefined where not searched). */
  widths: (number | undefined)[];
  expansions: (number | undefined)[];
  resolution: number | undefined;
}

export interface V2Relaxation extends Relaxation {
  /** The soft mix of every search (the forward's and the effective cost's input). */
  mix: MaskedMix;
}
