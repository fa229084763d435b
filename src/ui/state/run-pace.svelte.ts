/**
 * What a running search is doing, in time: while the first step of a run has not arrived (kernels compile,
 * buffers are allocated: tens of seconds on a software GPU) it counts the seconds of the warm-up; once steps
 * flow it gives steps per second and the time left, measured from the first step on so the warm-up does
 * not skew the rate.
 */
export class RunPace {
  /** The clock, ticking while a run is running, so the texts update. */
  now = $state(0);
  private startedAt = $state<number | null>(null);
  private stepAtStart = 0;
  private first = $state<{ at: number; step: number } | null>(null);
  private last = $state<{ at: number; step: number } | null>(null);
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private clock: () => number = () => performance.now()) {}

  /** Waiting for the run's first step. */
  warmingUp = $derived(this.startedAt !== null && this.first === null);

  /** Seconds since Start while warming up. */
  warmupSeconds = $derived(this.startedAt === null ? 0 : Math.max(0, (this.now - this.startedAt) / 1000));

  /** Steps per second since the first step (null until a second step arrived). */
  stepsPerSecond = $derived.by(() => {
    const f = this.first;
    const l = this.last;
    if (!f || !l || l.step <= f.step || l.at <= f.at) return null;
    return ((l.step - f.step) * 1000) / (l.at - f.at);
  });

  /** A run started (or resumed) at `step`. */
  begin(step: number): void {
    this.stopTicking();
    this.now = this.clock();
    this.startedAt = this.now;
    this.stepAtStart = step;
    this.first = null;
    this.last = null;
    this.timer = setInterval(() => (this.now = this.clock()), 500);
  }

  /** Steps up to `step` (exclusive) are done. */
  stepped(step: number): void {
    if (this.startedAt === null || step <= this.stepAtStart) return;
    const mark = { at: this.clock(), step };
    this.now = mark.at;
    if (!this.first) this.first = mark;
    this.last = mark;
  }

  /** The run stopped (paused, finished, failed). */
  end(): void {
    this.stopTicking();
    this.startedAt = null;
    this.first = null;
    this.last = null;
  }

  secondsLeft(totalSteps: number, step: number): number | null {
    const r = this.stepsPerSecond;
    return r ? Math.max(0, (totalSteps - step) / r) : null;
  }

  private stopTicking(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** "42 s", "3 min 05 s", "1 h 12 min". */
export function formatDuration(sec: number): string {
  const s = Math.round(sec);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.round((s % 3600) / 60)).padStart(2, '0')} min`;
}
