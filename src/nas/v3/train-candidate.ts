/**
 * The real `TrainCandidate` of the joint search: a candidate's network is built from scratch
 * (createModel, seeded), fed by the landmark data pipeline (LandmarkSource at the candidate's input
 * resolution, augmentation scaled by its recipe) and trained by the shared Finetuner with the recipe's
 * optimizer, learning rate (cosine over the recipe's full step budget, so an early-stopped run is the
 * first part of the full one), weight decay and weight EMA; validation NME is measured at every logged
 * step (with the EMA weights when the recipe keeps an average).
 *
 * Dropout before the head is not built yet (the model builder has no dropout): a recipe asking for it is
 * refused with a message, and the playground run's space pins the knob at 0.
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_AUGMENT, type AugmentOptions } from '../data/augment.ts';
import { LandmarkSource, type LandmarkData } from '../data/landmark-source.ts';
import { evaluateModel } from '../finetune/evaluate.ts';
import { Finetuner } from '../finetune/finetuner.ts';
import { createModel } from '../model/model.ts';
import { getWeights, type WeightMap } from '../model/weights.ts';
import type { TrainRequest } from './joint-search.ts';

/** The default augmentation with every magnitude (and the flip probability) scaled by `s` ∈ [0, 1]. */
export function scaledAugment(s: number): AugmentOptions {
  const d = DEFAULT_AUGMENT;
  return {
    flip: d.flip * s,
    rotateDeg: d.rotateDeg * s,
    scale: [1 - (1 - d.scale[0]) * s, 1 + (d.scale[1] - 1) * s],
    translate: d.translate * s,
    brightness: d.brightness * s,
    contrast: d.contrast * s,
  };
}

export interface StandaloneTrainerOptions {
  data: LandmarkData;
  batchSize: number;
  /** Seed of the train/val split (the same for every candidate). */
  splitSeed: number;
  valFraction?: number;
  /** NME (%) recorded for a run whose loss stopped being finite. */
  divergedNme?: number;
  /**
   * Which trainings hand back their final weights (e.g. the fine stage's verifications, whose network can
   * then be exported). The weights are the ones the last NME was measured with: the average under EMA.
   */
  keepWeights?: (request: TrainRequest) => boolean;
}

/** A `TrainCandidate` that may also return the trained weights (a diverged run returns none). */
export type WeightKeepingTrainer = (request: TrainRequest) => Promise<{ nme: number[]; weights?: WeightMap }>;

export function standaloneTrainer(options: StandaloneTrainerOptions): WeightKeepingTrainer {
  const { data, batchSize, splitSeed, valFraction = 0.1, divergedNme = 100, keepWeights } = options;
  return async (request) => {
    const { arch, recipe, logSteps, seed, signal } = request;
    const keep = keepWeights?.(request) ?? false;
    let weights: WeightMap | undefined;
    if (recipe.dropout > 0) {
      throw new Error('Dropout before the head is not built yet; pin the dropout knob at 0');
    }
    const source = new LandmarkSource(data, {
      valFraction,
      splitSeed,
      inputSize: arch.input.size,
      augment: scaledAugment(recipe.augment),
    });
    const model = createModel(arch, { seed });
    const ft = new Finetuner(model, source, {
      steps: recipe.steps,
      lr: recipe.lr,
      batchSize,
      seed,
      weightDecay: recipe.weightDecay,
      optimizer: recipe.optimizer,
      ema: recipe.ema,
      augment: recipe.augment > 0,
    });
    const vars = model.params().map((p) => p.variable);
    const nme: number[] = [];
    try {
      for (const at of logSteps) {
        while (ft.stepsDone < at) {
          if (signal?.aborted) throw new DOMException('Training was stopped', 'AbortError');
          const s = await ft.step();
          if (s.nonFinite) {
            while (nme.length < logSteps.length) nme.push(divergedNme);
            return { nme };
          }
        }
        let saved: tf.Tensor[] = [];
        if (recipe.ema > 0) {
          // evaluate the average, then put the training weights back
          saved = vars.map((v) => v.clone());
          ft.useAverage();
        }
        const e = await evaluateModel(model, source, { batchSize });
        if (keep && nme.length === logSteps.length - 1) weights = await getWeights(model.params());
        saved.forEach((t, i) => vars[i].assign(t));
        tf.dispose(saved);
        nme.push(Number.isFinite(e.nme) ? 100 * e.nme : divergedNme);
      }
      return weights ? { nme, weights } : { nme };
    } finally {
      ft.dispose();
      model.dispose();
      source.dispose();
    }
  };
}
