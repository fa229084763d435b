/**
 * The export's inputs read from live engine objects: a search (the trainer's SearchNet: supernet weights,
 * θ, resolved options) and a derived plain model. The worker calls these; project.ts turns the result into
 * files. Reads tensors with await data() only.
 */
import type { NasModel } from '../../model/model.ts';
import { getWeights } from '../../model/weights.ts';
import type { SearchTrainer } from '../../search/trainer.ts';
import type { PytorchProjectInput } from './project.ts';

export interface ExportExtras {
  experimentUrl?: string;
  finetune?: { steps: number; lr: number };
}

/** The derived network part from a plain model (inherited or finetuned weights). */
export async function derivedFromModel(
  model: NasModel,
  choices?: number[],
): Promise<PytorchProjectInput['derived']> {
  return { arch: structuredClone(model.arch), weights: await getWeights(model.params()), choices };
}

/**
 * A trainer's search as export input. FBNet V1 exports the supernet and θ; other strategies (FBNetV2's
 * masks) export the derived network only, and say so, since model.py has no masked supernet yet.
 * `derived`: the network to export next to the space; default the argmax architecture, weights inherited.
 */
export async function pytorchInputFromTrainer(
  trainer: SearchTrainer,
  derived?: PytorchProjectInput['derived'],
  extras: ExportExtras = {},
): Promise<PytorchProjectInput> {
  const net = trainer.net;
  let d = derived;
  if (!d) {
    const choices = await net.argmaxChoices();
    const { model } = await net.deriveModel(choices, 'derived');
    try {
      d = await derivedFromModel(model, choices.blocks);
    } finally {
      model.dispose();
    }
  }
  const config = structuredClone(trainer.config);
  if (config.strategy !== 'fbnet-v1') return { config, derived: d, ...extras };
  return {
    config,
    search: {
      space: structuredClone(net.space),
      weights: await getWeights(net.weightParams()),
      theta: (await net.saveArch()).theta,
      options: structuredClone(trainer.options),
      step: trainer.stepsDone,
    },
    derived: d,
    ...extras,
  };
}
