/** Export as a PyTorch project: model.py from the one lowering, safetensors weights, search / train scripts. */
export {
  pytorchProjectFiles,
  pytorchProjectName,
  pytorchProjectZip,
  README_COMMANDS,
  DERIVED_WEIGHTS_FILE,
  SUPERNET_WEIGHTS_FILE,
  type PytorchProjectInput,
} from './project.ts';
export { derivedFromModel, pytorchInputFromTrainer, type ExportExtras } from './from-search.ts';
export { archSpec, supernetSpec, type TorchNetSpec } from './net-spec.ts';
export { encodeSafetensors, type NamedTensor } from './safetensors.ts';
