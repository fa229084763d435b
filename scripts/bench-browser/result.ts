/** What the bench page reports to scripts/bench-browser.ts (on window.benchResult). */
import type { StepTiming } from '../../src/nas/index.ts';

export interface BrowserStepResult extends StepTiming {
  kind: string;
  label: string;
}

export interface BrowserBenchResult {
  backend: string;
  /** The adapter or renderer behind the backend, as the browser names it. */
  device: string;
  steps: BrowserStepResult[];
  /** Set when the backend could not run (the steps timed before it stay). */
  error?: string;
}
