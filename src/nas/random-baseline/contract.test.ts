import { expect, it } from 'vitest';
import * as nas from '../index.ts';

it('exports the random-baseline contract names from the public engine API', () => {
  for (const name of [
    'DEFAULT_BASELINE_SETTINGS',
    'sampleUniform',
    'sampleCostMatched',
    'planBaseline',
    'baselineVerdict',
    'runBaselineCheck',
    'searchedChoices',
    'baselineSettingsProblem',
  ])
    expect(nas, name).toHaveProperty(name);
  const d = nas.DEFAULT_BASELINE_SETTINGS;
  expect([d.uniform, d.costMatched, d.band, d.initSeeds]).toEqual([4, 4, 0.25, 2]);
  expect(nas.baselineSettingsProblem(d)).toBeNull();
});
