/** What a share link carries: the experiment, optionally its found architecture, and classroom view hints. */
import type { Arch, ExperimentConfig } from '../nas/index.ts';
import type { SharedStrategies } from './strategies-settings.ts';
import type { SharedV3 } from './v3-settings.ts';

export interface ShareMetrics {
  nme?: number;
  macs?: number;
  params?: number;
  latencyMs?: number;
  steps?: number;
}

export type ShareArea = 'learn' | 'search' | 'data' | 'results';

export interface SharedExperiment {
  config: ExperimentConfig;
  result?: { arch: Arch; metrics: ShareMetrics };
  /** The sample strategies' settings (SANAS, aging evolution, random search); absent: the defaults. */
  strategies?: SharedStrategies;
  /** The FBNetV3 joint search's settings; absent: the defaults. */
  v3?: SharedV3;
  view?: {
    /** Control ids hidden in classroom mode. */
    hide?: string[];
    lesson?: string;
    area?: ShareArea;
  };
}

/** What this app knows locally, to check names in a link against. */
export interface ShareContext {
  spaces: string[];
  candidates: string[];
  /** Names of user datasets in IndexedDB; when omitted, user dataset names are not checked. */
  datasets?: string[];
}
