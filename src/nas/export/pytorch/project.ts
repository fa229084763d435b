/**
 * An experiment as a PyTorch project (a .zip made in the browser): the search space's supernet and the
 * derived network as model.py (the op lists of arch/lower.ts, net-spec.ts), their weights and θ in
 * safetensors with a loader, search.py / train.py (the browser's schedule and finetune recipe, one device
 * or torchrun + DistributedDataParallel, checkpoint and resume), data.py (list.txt parsing, NME, a smoke
 * set), experiment.json and a README with the commands.
 *
 * Deterministic: the same inputs give the same bytes (files in a fixed order, a fixed modification time),
 * so two exports of one run can be compared with cmp.
 */
import { zipSync, strToU8, type Zippable } from 'fflate';
import type { Arch, SearchSpace } from '../../arch/spec.ts';
import type { ExperimentConfig } from '../../experiment.ts';
import { INTER_OCULAR, NUM_COORDS, NUM_POINTS } from '../../data/landmarks106.ts';
import {
  EXTRA_VALUES,
  NORMALISED_HIGH,
  NORMALISED_LOW,
  OUTLIER_SHARE,
  RANGE_TOLERANCE,
} from '../../data/list-parser.ts';
import { COST_FLOOR } from '../../search/loss.ts';
import type { ResolvedSearchOptions } from '../../search/trainer-state.ts';
import type { WeightMap } from '../../model/weights.ts';
import { countCost } from '../../cost/count.ts';
import { subsampledSize } from '../../v2/resolution.ts';
import { archSpec, supernetSpec, type TorchNetSpec } from './net-spec.ts';
import { encodeSafetensors, type NamedTensor } from './safetensors.ts';
import type { MaskedTorchNetSpec } from './masked-spec.ts';
import { torchTensors } from './torch-weights.ts';
import {
  DATA_PY_BODY,
  DISTRIBUTED_PY,
  MODEL_PY_BODY,
  SAFETENSORS_IO_PY,
  SEARCH_PY,
  TORCHRUN_PY,
  TRAIN_PY,
} from './python-sources.ts';

export const SUPERNET_WEIGHTS_FILE = 'supernet.safetensors';
export const DERIVED_WEIGHTS_FILE = 'derived.safetensors';
export const MASKED_WEIGHTS_FILE = 'masked_supernet.safetensors';
/** Faces in data.py's procedural smoke set. */
export const SMOKE_COUNT = 64;
/** Every file's modification time (local 2000-01-01 00:00, so the DOS date fields do not depend on the zone). */
const FIXED_MTIME = new Date(2000, 0, 1, 0, 0, 0);

export interface PytorchProjectInput {
  config: ExperimentConfig;
  /**
   * The searched space with candidate edits applied and the input size set (SearchNet.space), its
   * weights (browser names, BatchNorm statistics included), θ per searchable layer and the trainer's
   * resolved options (cost table, unit, optimizers). Absent: the project holds the derived network only.
   */
  search?: {
    space: SearchSpace;
    weights: WeightMap;
    theta: Float32Array[];
    options: ResolvedSearchOptions;
    /** Where the browser's schedule stood (informational: search.py starts its schedule at step 0). */
    step?: number;
  };
  /**
   * `subsample`: the input subsampling factor of an FBNetV2 network derived at a lower resolution (absent
   * or 1: full size); it then takes the config.inputSize image, every subsample-th pixel (derivedInput).
   */
  derived: { arch: Arch; weights: WeightMap; choices?: number[]; subsample?: number };
  /**
   * An FBNetV2 run's masked supernet (masked-spec.ts) at its current weights (browser names) and
   * architecture logits (`theta.<l>`, `width.<l>`, `expansion.<l>`, `resolution`); absent for FBNet V1.
   */
  masked?: { spec: MaskedTorchNetSpec; weights: WeightMap; logits: NamedTensor[] };
  /** The share link of the experiment, quoted in the README. */
  experimentUrl?: string;
  /** train.py's defaults (the Results area's finetune settings). */
  finetune?: { steps: number; lr: number };
}

/**
 * How the derived network takes its images: loaded at `loadSize` (the search's input size for a subsampled
 * network, else the network's own), every `subsample`-th pixel kept, giving `size` (arch.input.size).
 * Throws when the factor does not turn the search's input size into the network's.
 */
export function derivedInput(input: Pick<PytorchProjectInput, 'config' | 'derived'>): {
  size: number;
  subsample: number;
  loadSize: number;
} {
  const size = input.derived.arch.input.size;
  const subsample = input.derived.subsample ?? 1;
  if (subsample === 1) return { size, subsample, loadSize: size };
  const loadSize = input.config.inputSize;
  if (!Number.isInteger(subsample) || subsample < 1 || subsampledSize(loadSize, subsample) !== size) {
    throw new Error(
      `The derived network takes ${size}x${size} images; the search's ${loadSize}x${loadSize} subsampled by ${subsample} are not that`,
    );
  }
  return { size, subsample, loadSize };
}

/** File name of the zip: nas-playground-<title>-pytorch.zip (ASCII letters, digits and dashes). */
export function pytorchProjectName(config: ExperimentConfig): string {
  const slug = config.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `nas-playground-${slug || 'experiment'}-pytorch`;
}

/** A float literal Python reads back to the same double. */
const pyNumber = (v: number): string => (Number.isInteger(v) ? `${v}.0` : String(v));

/** JSON with one op per line, so model.py stays readable and diffs stay small. */
function specJson(spec: TorchNetSpec): string {
  return JSON.stringify(spec).replaceAll('{"op":', '\n {"op":');
}

function modelPy(input: PytorchProjectInput, space: TorchNetSpec | null, arch: TorchNetSpec): string {
  const din = derivedInput(input);
  const title = input.config.title.replace(/"""/g, "'''").replace(/\\/g, '/');
  const lines = [
    `"""${title}: the search space and the derived network as PyTorch modules (exported by NAS Playground).`,
    '',
    "Generated from the browser's one lowering of blocks to ops (src/nas/arch/lower.ts): SPACE and ARCH list",
    'every op of every block in forward order; Network builds one PyTorch layer per op and runs them, so',
    "this network is the browser's. NCHW float32 input in [0, 1]; landmark outputs are normalised x, y pairs.",
    '',
    space
      ? `SPACE: the supernet of "${input.search!.space.id}" (${space.body.filter((l) => l.kind === 'search').length} searchable layers).`
      : 'SPACE: None (this export holds the derived network only).',
    `ARCH: the derived network "${arch.name}".`,
    input.masked
      ? 'MASKED: the FBNetV2 masked supernet (channel masks, resolution subsampling; build_masked_supernet).'
      : 'MASKED: None (not an FBNetV2 run).',
    '"""',
    'import json',
    'import os',
    '',
    'import torch',
    'import torch.nn.functional as F',
    'from torch import nn',
    '',
    'from safetensors_io import load_file',
    '',
    'HERE = os.path.dirname(os.path.abspath(__file__))',
    `SUPERNET_WEIGHTS = ${space ? `"${SUPERNET_WEIGHTS_FILE}"` : 'None'}`,
    `DERIVED_WEIGHTS = "${DERIVED_WEIGHTS_FILE}"`,
    `MASKED_WEIGHTS = ${input.masked ? `"${MASKED_WEIGHTS_FILE}"` : 'None'}`,
    "# the experiment's Gumbel temperature schedule: tau(epoch) = TAU0 * TAU_DECAY^epoch",
    `TAU0 = ${pyNumber(input.config.gumbel.tau0)}`,
    `TAU_DECAY = ${pyNumber(input.config.gumbel.decay)}`,
    '# the derived network takes DERIVED_LOAD_SIZE images subsampled by DERIVED_SUBSAMPLE (derived_input)',
    `DERIVED_LOAD_SIZE = ${din.loadSize}`,
    `DERIVED_SUBSAMPLE = ${din.subsample}`,
    '',
    space ? `SPACE = json.loads(r"""${specJson(space)}""")` : 'SPACE = None',
    '',
    `ARCH = json.loads(r"""${specJson(arch)}""")`,
    '',
    '# the FBNetV2 masked supernet (build_masked_supernet), or None',
    input.masked ? `MASKED = json.loads(r"""${specJson(input.masked.spec)}""")` : 'MASKED = None',
    '',
    '',
  ];
  return lines.join('\n') + MODEL_PY_BODY;
}

export function dataPy(input: Pick<PytorchProjectInput, 'config'>): string {
  const ds = input.config.dataset;
  const synth =
    ds.kind === 'synthface'
      ? `# the browser searched SynthFace-106 with these parameters (src/nas/data/synthface.ts)\nSYNTHFACE = ${JSON.stringify(ds)}`
      : `# the browser searched an imported dataset: ${JSON.stringify(ds.name)}\nSYNTHFACE = None`;
  return (
    [
      '"""Data for search.py and train.py: the 106points list.txt layout (the browser\'s parsing rules), NME, and a',
      'procedural smoke set for runs without a dataset."""',
      'import math',
      'import os',
      'import re',
      '',
      'import numpy as np',
      'import torch',
      '',
      `NUM_POINTS = ${NUM_POINTS}`,
      `NUM_COORDS = ${NUM_COORDS}`,
      `EXTRA_VALUES = ${EXTRA_VALUES}`,
      `NORMALISED_LOW = ${NORMALISED_LOW}`,
      `NORMALISED_HIGH = ${NORMALISED_HIGH}`,
      `OUTLIER_SHARE = ${OUTLIER_SHARE}`,
      `RANGE_TOLERANCE = ${RANGE_TOLERANCE}`,
      '# outer eye corners: the NME normalising distance',
      `INTER_OCULAR = (${INTER_OCULAR[0]}, ${INTER_OCULAR[1]})`,
      `SMOKE_COUNT = ${SMOKE_COUNT}`,
      synth,
      '',
      '',
    ].join('\n') + DATA_PY_BODY
  );
}

/** The commands of the README; the acceptance test runs the smoke ones exactly as written here. */
export const README_COMMANDS = {
  check: 'python model.py',
  search1: 'python search.py --data smoke --max-steps 3 --checkpoint checkpoints/search.pt',
  ddpSearch:
    'torchrun --standalone --nproc_per_node=2 search.py --data smoke --max-steps 3 --checkpoint checkpoints/search.pt',
  ddpResume:
    'torchrun --standalone --nproc_per_node=2 search.py --data smoke --max-steps 3 --checkpoint checkpoints/search.pt --resume',
  train: 'python train.py --data smoke --steps 20 --checkpoint checkpoints/train.pt',
  fullSearch:
    'torchrun --standalone --nproc_per_node=8 search.py --data data/106points/train_data/list.txt --epochs 90 --steps-per-epoch 500 --checkpoint checkpoints/full.pt',
  fullTrain:
    'torchrun --standalone --nproc_per_node=8 train.py --data data/106points/train_data/list.txt --steps 20000 --checkpoint checkpoints/full-train.pt',
};

function readme(input: PytorchProjectInput, arch: TorchNetSpec): string {
  const c = input.config;
  const cost = countCost(input.derived.arch);
  const din = derivedInput(input);
  const sh = (...cmds: string[]) => ['```sh', ...cmds, '```'];
  const lines = [
    `# ${c.title} — PyTorch project`,
    '',
    'Exported by NAS Playground. The same search space, schedule and recipe as in the browser, for a GPU',
    'workstation or a cluster (`torchrun`, DistributedDataParallel: NCCL on GPUs, Gloo on the CPU).',
    input.experimentUrl ? `\nThe experiment in the browser: ${input.experimentUrl}\n` : '',
    '| file | what |',
    '| --- | --- |',
    "| `model.py` | the supernet (SPACE: every candidate block, θ, Gumbel-softmax choice) and the derived network (ARCH), from the browser's lowering of blocks |",
    `| \`${SUPERNET_WEIGHTS_FILE}\` | the supernet's weights and θ where the browser stopped |`,
    `| \`${DERIVED_WEIGHTS_FILE}\` | the derived network's weights |`,
    '| `safetensors_io.py` | reads / writes safetensors without the safetensors package |',
    '| `search.py` | the search: warm-up, weight steps (SGD) and θ steps (Adam) on task · α · log(COST)^β |',
    '| `train.py` | finetunes the derived network (or trains it from scratch) |',
    '| `data.py` | 106points `list.txt` loading, NME, a procedural smoke set (not SynthFace-106) |',
    '| `torchrun.py` | `python torchrun.py ARGS` = `torchrun ARGS`, for PyTorch < 2.0 on Python ≥ 3.11 (see below) |',
    '| `search_settings.json` | the resolved search settings: cost table, cost unit, optimizers |',
    '| `experiment.json` | the experiment as the share link encodes it |',
    '',
    `Derived network \`${arch.name}\`: ${cost.params} parameters, ${cost.macs} MACs at ${din.size}×${din.size}.`,
    ...(din.subsample > 1
      ? [
          '',
          `Its input is the search's ${din.loadSize}×${din.loadSize} image subsampled by ${din.subsample} (one pixel in`,
          `${din.subsample} along each axis, from the top-left one: the resolution FBNetV2 chose); train.py loads the`,
          'data that way (`model.derived_input`).',
        ]
      : []),
    '',
    '## Requirements',
    '',
    'Python 3 with PyTorch (≥ 1.13) and numpy; Pillow for image datasets. Nothing else.',
    '',
    ...(input.search
      ? [
          '## Smoke run (CPU is enough)',
          '',
          ...sh(README_COMMANDS.check, README_COMMANDS.search1),
          '',
          'Two processes under DistributedDataParallel, then a second invocation that resumes from the checkpoint:',
          '',
          ...sh(README_COMMANDS.ddpSearch, README_COMMANDS.ddpResume),
          '',
          "PyTorch before 2.0 on Python 3.11 or newer (e.g. Debian's python3-torch 1.13) has a torchrun that fails",
          "with `'NoneType' object has no attribute 'get'`; `python torchrun.py` takes the same arguments and works there.",
          '',
          'Finetune the derived network:',
          '',
          ...sh(README_COMMANDS.train),
          '',
        ]
      : [
          '## No search space in this export',
          '',
          ...(input.masked
            ? [
                `This run used the ${c.strategy} strategy. model.py holds its masked supernet (MASKED,`,
                `\`build_masked_supernet()\`, weights and architecture logits in ${MASKED_WEIGHTS_FILE}) for`,
                "inference and inspection; search.py runs FBNet V1's schedule only, so the project's search",
                'and train commands are those of the derived network (model.py ARCH, derived.safetensors).',
              ]
            : [
                `This run used the ${c.strategy} strategy, which has no PyTorch supernet: the project holds`,
                'the derived network (model.py ARCH, derived.safetensors) and train.py only.',
              ]),
          '',
          ...sh(README_COMMANDS.check, README_COMMANDS.train),
          '',
        ]),
    '## The full 106-point dataset',
    '',
    "Lay the data out as NNI's FBNet example does (`data/106points/{train_data,test_data}/list.txt`, one",
    '`<image> x0 y0 … x105 y105 [pitch yaw roll]` line per face) and scale the schedule up, e.g. on 8 GPUs:',
    '',
    ...sh(...(input.search ? [README_COMMANDS.fullSearch] : []), README_COMMANDS.fullTrain),
    '',
    '`--batch-size` is per process. Every process draws the same Gumbel sample per step and its own slice of',
    "the batch. search.py starts the schedule at step 0 from the browser's weights and θ (`--from-scratch`",
    'ignores them); it writes the argmax architecture to `search_result.json` next to the checkpoint.',
    '',
    '## Differences from the browser',
    '',
    '- random numbers come from PyTorch / numpy generators, so samples, splits and batches differ from the',
    "  browser's (the rules are the same);",
    '- no augmentation in search.py / train.py.',
    '',
  ];
  return lines.join('\n');
}

/** The project's files in order: name -> contents. */
export function pytorchProjectFiles(input: PytorchProjectInput): [string, Uint8Array][] {
  const space = input.search ? supernetSpec(input.search.space) : null;
  const arch = archSpec(input.derived.arch);
  const files: [string, Uint8Array | string][] = [
    ['README.md', readme(input, arch)],
    ['model.py', modelPy(input, space, arch)],
    ['safetensors_io.py', SAFETENSORS_IO_PY],
    ['data.py', dataPy(input)],
    ['distributed.py', DISTRIBUTED_PY],
    ['search.py', SEARCH_PY],
    ['train.py', TRAIN_PY],
    ['torchrun.py', TORCHRUN_PY],
    ['experiment.json', JSON.stringify(input.config, null, 2) + '\n'],
  ];
  const o = input.search?.options;
  const settings = {
    config: input.config,
    costTable: o?.costTable ?? [],
    fixedCost: o?.fixedCost ?? 0,
    costUnit: o?.costUnit ?? 1,
    costFloor: COST_FLOOR,
    momentum: o?.momentum ?? 0.9,
    lrSchedule: o?.lrSchedule ?? 'cosine',
    thetaWeightDecay: o?.thetaWeightDecay ?? 5e-4,
    skipUnsampled: o?.skipUnsampled ?? true,
    browserStep: input.search?.step ?? null,
    derivedChoices: input.derived.choices ?? null,
    derivedInput: derivedInput(input),
    finetune: {
      steps: input.finetune?.steps ?? 200,
      lr: input.finetune?.lr ?? input.config.train.lrWeights,
      weightDecay: 1e-4,
    },
  };
  files.push(['search_settings.json', JSON.stringify(settings, null, 1) + '\n']);
  if (space && input.search) {
    const t = torchTensors(space, input.search.weights, input.search.theta);
    files.push([SUPERNET_WEIGHTS_FILE, encodeSafetensors(t, { format: 'pt' })]);
  }
  if (input.masked) {
    const t = [...torchTensors(input.masked.spec, input.masked.weights), ...input.masked.logits];
    files.push([MASKED_WEIGHTS_FILE, encodeSafetensors(t, { format: 'pt' })]);
  }
  files.push([
    DERIVED_WEIGHTS_FILE,
    encodeSafetensors(torchTensors(arch, input.derived.weights), { format: 'pt' }),
  ]);
  return files.map(([n, c]) => [n, typeof c === 'string' ? strToU8(c) : c]);
}

/** The project as zip bytes, every file under `<name>/`, stored with a fixed time: same input, same bytes. */
export function pytorchProjectZip(input: PytorchProjectInput): Uint8Array {
  const root = pytorchProjectName(input.config);
  const tree: Zippable = {};
  for (const [name, bytes] of pytorchProjectFiles(input)) {
    tree[`${root}/${name}`] = [bytes, { mtime: FIXED_MTIME, level: name.endsWith('.safetensors') ? 1 : 6 }];
  }
  return zipSync(tree);
}
