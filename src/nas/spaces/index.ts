/** The search spaces offered by the app, by id (ExperimentConfig.space). */
import type { SearchSpace } from '../arch/spec.ts';
import { CLASSROOM } from './classroom.ts';
import { FBNET_V1_IMAGENET } from './fbnetV1.ts';
import { PFLD_106 } from './pfld106.ts';

export const SPACES: Record<string, SearchSpace> = {
  [CLASSROOM.id]: CLASSROOM,
  [PFLD_106.id]: PFLD_106,
  [FBNET_V1_IMAGENET.id]: FBNET_V1_IMAGENET,
};

export { resolveSpace, archFromChoices, searchLayerIndices } from './derive.ts';
