import { FBNET_V1_CANDIDATES } from '../arch/candidates.ts';
import type { SearchLayerSpec, SearchSpace } from '../arch/spec.ts';

/** FBNet V1 Table 1: [output channels, searchable layers, stride of the first layer] per stage. */
const STAGES: [number, number, number][] = [
  [16, 1, 1],
  [24, 4, 2],
  [32, 4, 2],
  [64, 4, 2],
  [112, 4, 1],
  [184, 4, 2],
  [352, 1, 1],
];

const names = FBNET_V1_CANDIDATES.map((c) => c.name);

const layers: SearchLayerSpec[] = STAGES.flatMap(([out, n, s]) =>
  Array.from({ length: n }, (_, i) => ({
    kind: 'search' as const,
    out,
    stride: i === 0 ? s : 1,
    candidates: [...names],
  })),
);

export const FBNET_V1_IMAGENET: SearchSpace = {
  id: 'fbnet_v1_imagenet',
  title: 'FBNet V1 (ImageNet, 224×224)',
  description:
    'The macro-architecture searched in the original FBNet paper: a fixed 3×3 stride-2 convolution to 16 ' +
    'channels, then 22 layers whose block is chosen among nine options (inverted residuals with kernel 3 ' +
    'or 5, expansion 1, 3 or 6, two of them with grouped 1×1 convolutions, and a skip that lets the search ' +
    'drop a layer), and a fixed 1×1 convolution to 1984 channels feeding a 1000-way classifier. Far too ' +
    'large to train in a browser; it is here to study the search space and to check cost counts against ' +
    'the published FBNet-A/B/C numbers.',
  input: { size: 224, channels: 3 },
  body: [{ kind: 'conv', k: 3, out: 16, stride: 2, act: 'relu' }, ...layers],
  head: { kind: 'classifier', features: 1984, act: 'relu', classes: 1000 },
};
