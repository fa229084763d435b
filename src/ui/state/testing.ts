/** Stand-ins for the state classes' unit tests: a built supernet's layout without a worker. */
import type { SearchLayout } from '../../worker/protocol.ts';

/** A layout with `layers` searchable layers of three candidates each. */
export const fakeLayout = (runId = 'run-1', layers = 1): SearchLayout => ({
  runId,
  layers: Array.from({ length: layers }, (_, l) => ({
    index: l + 1,
    out: 8,
    stride: l === 0 ? 2 : 1,
    candidates: ['k3_e1', 'k3_e3', 'skip'],
  })),
  totalSteps: 10,
  stepsPerEpoch: 5,
  tauSchedule: [5, 4.8],
  step: 0,
  datasetSummary: '',
  meanShapeNme: null,
  history: [],
});
