/** What the views need to draw a configured search: its layers, schedule and history so far. */
import { tauScheduleOf } from './schedule.ts';
import type { SearchNet } from './search-net.ts';
import type { StepMetrics } from './trainer-state.ts';
import type { SearchTrainer } from './trainer.ts';

export interface LayerLayout {
  /** Body index. */
  index: number;
  out: number;
  stride: number;
  candidates: string[];
}

export interface RunLayout {
  layers: LayerLayout[];
  totalSteps: number;
  stepsPerEpoch: number;
  /** τ at the start of every epoch and after the last one. */
  tauSchedule: number[];
  step: number;
  history: StepMetrics[];
  /** What the live validation NME measures (SearchNet.argmaxBasis). */
  estimateBasis: string;
}

/** What a strategy's live validation measures when it does not say. */
export const ARGMAX_BASIS_DEFAULT = 'the argmax architecture inside the supernet with its shared weights';

/** Every searchable layer of a search network as the views and the results list it. */
export function layerLayouts(net: SearchNet): LayerLayout[] {
  return net.layers.map((m) => {
    const spec = net.space.body[m.bodyIndex];
    return {
      index: m.bodyIndex,
      out: spec.kind === 'search' ? spec.out : 0,
      stride: spec.kind === 'search' ? spec.stride : 1,
      candidates: [...m.candidates],
    };
  });
}

export function runLayout(t: SearchTrainer): RunLayout {
  const { net, config } = t;
  return {
    layers: layerLayouts(net),
    totalSteps: t.totalSteps,
    stepsPerEpoch: config.train.stepsPerEpoch,
    tauSchedule: tauScheduleOf(config),
    step: t.stepsDone,
    history: [...t.history],
    estimateBasis: net.argmaxBasis ?? ARGMAX_BASIS_DEFAULT,
  };
}
