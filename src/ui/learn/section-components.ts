/** The widget of every lesson section, by `lesson/section` (lessons.ts holds the sections' data). */
import type { Component } from 'svelte';
import GumbelSection from './GumbelSection.svelte';
import LatencySection from './LatencySection.svelte';
import LossSection from './LossSection.svelte';
import MaskSection from './MaskSection.svelte';
import MiniSearchSection from './MiniSearchSection.svelte';
import PathsSection from './PathsSection.svelte';
import RandomBaselineSection from './RandomBaselineSection.svelte';
import ResolutionSection from './ResolutionSection.svelte';
import ScheduleSection from './ScheduleSection.svelte';
import SupernetSection from './SupernetSection.svelte';
import type { SectionProps } from './section-props.ts';
import V3EarlyStopSection from './V3EarlyStopSection.svelte';
import V3ParetoSection from './V3ParetoSection.svelte';
import V3PredictorSection from './V3PredictorSection.svelte';
import V3RecipesSection from './V3RecipesSection.svelte';
import WeightSharingSection from './WeightSharingSection.svelte';

export const SECTION_COMPONENTS: Record<string, Component<SectionProps>> = {
  'v1/supernet': SupernetSection,
  'v1/gumbel': GumbelSection,
  'v1/paths': PathsSection,
  'v1/schedule': ScheduleSection,
  'v1/loss': LossSection,
  'v1/latency': LatencySection,
  'v1/mini': MiniSearchSection,
  'v1/random': RandomBaselineSection,
  'v2/mask': MaskSection,
  'v2/resolution': ResolutionSection,
  'ws/ranking': WeightSharingSection,
  'v3/recipes': V3RecipesSection,
  'v3/predictor': V3PredictorSection,
  'v3/earlystop': V3EarlyStopSection,
  'v3/pareto': V3ParetoSection,
};
