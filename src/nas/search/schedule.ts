/**
 * The DNAS schedule (FBNet): an epoch is `train.stepsPerEpoch` iterations. During the first
 * `train.warmupEpochs` epochs an iteration is one weight step (θ frozen); afterwards it is a weight step
 * followed by an architecture step. The Gumbel temperature decays per epoch, the weights' learning rate
 * follows a cosine over the run's iterations (or stays constant).
 */
import type { ExperimentConfig } from '../experiment.ts';
import { temperatureAt } from './gumbel.ts';
import type { Phase } from './trainer-state.ts';

export interface ScheduleCounters {
  step: number;
  epoch: number;
  iter: number;
  next: Phase;
}

/** Optimizer steps (weights and arch) of a whole run. */
export function totalStepsOf(train: ExperimentConfig['train']): number {
  const { epochs, warmupEpochs, stepsPerEpoch } = train;
  const warm = Math.min(warmupEpochs, epochs);
  return (warm + 2 * (epochs - warm)) * stepsPerEpoch;
}

export class Schedule {
  /** Optimizer steps done so far. */
  step = 0;
  epoch = 0;
  iter = 0;
  next: Phase = 'weights';

  constructor(
    private readonly config: ExperimentConfig,
    private readonly lrSchedule: 'cosine' | 'constant',
  ) {}

  get done(): boolean {
    return this.epoch >= this.config.train.epochs;
  }

  get totalSteps(): number {
    return totalStepsOf(this.config.train);
  }

  tau(): number {
    return temperatureAt(this.epoch, this.config.gumbel.tau0, this.config.gumbel.decay);
  }

  /** Current learning rate of the weights. */
  weightLr(): number {
    const { lrWeights, epochs, stepsPerEpoch } = this.config.train;
    if (this.lrSchedule === 'constant') return lrWeights;
    const total = Math.max(1, epochs * stepsPerEpoch);
    const progress = Math.min(1, (this.epoch * stepsPerEpoch + this.iter) / total);
    return 0.5 * lrWeights * (1 + Math.cos(Math.PI * progress));
  }

  /** Share of the run's architecture iterations done (0 at the first, → 1 at the last). */
  archProgress(): number {
    const { epochs, warmupEpochs, stepsPerEpoch } = this.config.train;
    const total = Math.max(1, (epochs - warmupEpochs) * stepsPerEpoch);
    return Math.min(1, Math.max(0, ((this.epoch - warmupEpochs) * stepsPerEpoch + this.iter) / total));
  }

  /** The phase that follows a step of `phase` taken now (what advance(phase) will set `next` to). */
  nextAfter(phase: Phase): Phase {
    return phase === 'weights' && this.epoch >= this.config.train.warmupEpochs ? 'arch' : 'weights';
  }

  /** Moves past a step of `phase` taken in the schedule. */
  advance(phase: Phase): void {
    if (phase === 'weights' && this.epoch >= this.config.train.warmupEpochs) {
      this.next = 'arch';
      return;
    }
    this.next = 'weights';
    this.iter += 1;
    if (this.iter >= this.config.train.stepsPerEpoch) {
      this.iter = 0;
      this.epoch += 1;
    }
  }

  counters(): ScheduleCounters {
    return { step: this.step, epoch: this.epoch, iter: this.iter, next: this.next };
  }

  setCounters(c: ScheduleCounters): void {
    this.step = c.step;
    this.epoch = c.epoch;
    this.iter = c.iter;
    this.next = c.next;
  }
}

/** τ at the start of every epoch and after the last one (the views' temperature curve). */
export function tauScheduleOf(config: ExperimentConfig): number[] {
  return Array.from({ length: config.train.epochs + 1 }, (_, e) =>
    temperatureAt(e, config.gumbel.tau0, config.gumbel.decay),
  );
}
