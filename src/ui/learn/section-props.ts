/** What every lesson section component receives: its settings and the way to change them. */
import type { SectionSpec } from './lessons.ts';
import type { ParamValue, WidgetState } from './params.ts';

export interface SectionProps {
  section: SectionSpec;
  values: WidgetState;
  set: (key: string, value: ParamValue) => void;
}
