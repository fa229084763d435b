/**
 * The export's inputs read from live engine objects: a search (the trainer's SearchNet: supernet weights,
 * θ, resolved options) and a derived plain model. The worker calls these; project.ts turns the result into
 * files. Reads tensors with await data() only.
 */
import type { NasModel } from '../../model/model.ts';
import { getWeights } from '../../model/weights.ts';
import type { SearchTrainer } from '../../search/trainer.ts';
import type { PytorchProjectInput } from './project.ts';
import { FbnetV2Net } from '../../v2/v2-net.ts';
import type { MaskedSupernet } from '../../v2/masked-supernet.ts';
import { maskedSupernetSpec } from './masked-spec.ts';
import type { NamedTensor } from './safetensors.ts';

export interface ExportExtras {
  experimentUrl?: string;
  finetune?: { steps: number; lr: number };
}

/**
 * The derived network part from a plain model (inherited or finetuned weights). `subsample`: its input
 * subsampling factor (FBNetV2's chosen resolution; 1 = the search's input size).
 */
export async function derivedFromModel(
  model: NasModel,
  choices?: number[],
  subsample = 1,
): Promise<PytorchProjectInput['derived']> {
  const derived = { arch: structuredClone(model.arch), weights: await getWeights(model.params()), choices };
  return subsample === 1 ? derived : { ...derived, subsample };
}

/**
 * A trainer's search as export input. FBNet V1 exports the supernet and θ (search.py runs it); FBNetV2
 * exports its masked supernet with every architecture logit (model.py's MaskedNetwork) next to the
 * derived network; other strategies export the derived network only, and say so.
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
    const { model, derived: picked } = await net.deriveModel(choices, 'derived');
    try {
      d = await derivedFromModel(model, choices.blocks, picked.factor);
    } finally {
      model.dispose();
    }
  }
  const config = structuredClone(trainer.config);
  if (net instanceof FbnetV2Net) {
    return { config, derived: d, masked: await maskedInput(net.masked), ...extras };
  }
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

/** The masked supernet's description, weights and architecture logits (read with await data()). */
export async function maskedInput(m: MaskedSupernet): Promise<NonNullable<PytorchProjectInput['masked']>> {
  const logits: NamedTensor[] = [];
  const add = async (name: string, v: { data(): Promise<unknown> } | undefined | null) => {
    if (!v) return;
    const data = Float32Array.from((await v.data()) as Float32Array);
    logits.push({ name, shape: [data.length], data });
  };
  for (const [l, layer] of m.layers.entries()) {
    await add(`theta.${l}`, layer.theta);
    await add(`width.${l}`, layer.widthSearch?.logits);
    await add(`expansion.${l}`, layer.expansionSearch?.logits);
  }
  await add('resolution', m.resolution?.logits);
  return { spec: maskedSupernetSpec(m), weights: await getWeights(m.weightParams()), logits };
}
