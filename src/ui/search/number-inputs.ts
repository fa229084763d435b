/**
 * The experiment form's number inputs: which field of the experiment each edits, under which id and label.
 * What each accepts (min, max, step) is not written here: it comes from the experiment's field table, the one
 * the share codec validates links with, so the form and the links cannot drift apart.
 */
import { numberField, type NumberField, type NumberPath, type V2OptionKind } from '../../nas/index.ts';

export type NumberGroup = 'dataset' | 'training' | 'gumbel' | 'loss' | 'seeds';

export interface NumberInput extends NumberField {
  /** Element id: e2e tests and classroom links address controls by it. */
  id: string;
  label: string;
  group: NumberGroup;
}

const input = (group: NumberGroup, id: string, label: string, path: NumberPath): NumberInput => ({
  ...numberField(path),
  id,
  label,
  group,
});

export const NUMBER_INPUTS: readonly NumberInput[] = [
  input('dataset', 'ds-count', 'Faces', 'dataset.count'),
  input('dataset', 'ds-size', 'Image size', 'dataset.size'),
  input('dataset', 'ds-difficulty', 'Difficulty', 'dataset.difficulty'),
  input('dataset', 'ds-seed', 'Data seed', 'dataset.seed'),
  input('training', 'exp-input', 'Input size', 'inputSize'),
  input('training', 'tr-batch', 'Batch size', 'train.batchSize'),
  input('training', 'tr-epochs', 'Epochs', 'train.epochs'),
  input('training', 'tr-steps', 'Steps / epoch', 'train.stepsPerEpoch'),
  input('training', 'tr-warmup', 'Warm-up epochs', 'train.warmupEpochs'),
  input('training', 'tr-lrw', 'LR weights', 'train.lrWeights'),
  input('training', 'tr-lrt', 'LR θ', 'train.lrTheta'),
  input('training', 'tr-wd', 'Weight decay', 'train.weightDecay'),
  input('training', 'tr-val', 'Validation fraction', 'train.valFraction'),
  input('gumbel', 'gs-tau0', 'τ₀', 'gumbel.tau0'),
  input('gumbel', 'gs-decay', 'τ decay / epoch', 'gumbel.decay'),
  input('gumbel', 'gs-greedy', 'Greedy weight steps (share)', 'gumbel.greedy'),
  input('loss', 'ls-alpha', 'α', 'loss.alpha'),
  input('loss', 'ls-beta', 'β', 'loss.beta'),
  input('seeds', 'sd-split', 'Split', 'seeds.split'),
  input('seeds', 'sd-init', 'Weight init', 'seeds.init'),
  input('seeds', 'sd-gumbel', 'Gumbel noise', 'seeds.gumbel'),
  input('seeds', 'sd-data', 'Batches / augmentation', 'seeds.data'),
];

export const numberInputs = (group: NumberGroup): NumberInput[] =>
  NUMBER_INPUTS.filter((f) => f.group === group);

/** What an input accepts, in words (for the note shown when a typed value had to be repaired). */
export function accepts(f: NumberInput): string {
  const range =
    f.kind === 'real'
      ? `numbers ${f.minOpen ? 'above' : 'from'} ${f.min} ${f.maxOpen ? 'and below' : 'to'} ${f.max}`
      : `whole numbers from ${f.min} to ${f.max}`;
  const cap = f.atMost && NUMBER_INPUTS.find((g) => g.path === f.atMost);
  return cap ? `${range}, at most the ${cap.label.toLowerCase()}` : range;
}

/** FBNetV2's option lists, typed as comma-separated numbers; what each option may be is the table's. */
export const OPTION_INPUTS: readonly { id: string; label: string; kind: V2OptionKind }[] = [
  { id: 'v2-widths', label: 'Width fractions', kind: 'widthFractions' },
  { id: 'v2-res', label: 'Resolution factors', kind: 'resolutionFactors' },
];
