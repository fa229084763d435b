/**
 * The choices of the training-data picker: SynthFace-106 and every complete imported dataset. Unfinished
 * imports are listed (so the user sees why a dataset is missing) but disabled: they are never selectable.
 */
import type { DatasetRef, SynthDatasetRef } from '../../nas/index.ts';
import type { DatasetManifest } from '../../storage/datasets.ts';

export const SYNTH_VALUE = 'synthface';
const USER = 'user:';

export interface PickerOption {
  value: string;
  label: string;
  disabled: boolean;
}

export function pickerOptions(datasets: readonly DatasetManifest[]): PickerOption[] {
  const out: PickerOption[] = [
    { value: SYNTH_VALUE, label: 'SynthFace-106 (generated, built in)', disabled: false },
  ];
  for (const m of datasets) {
    out.push(
      m.status === 'complete'
        ? { value: USER + m.name, label: `${m.name} — ${m.count} faces, ${m.size} px`, disabled: false }
        : {
            value: USER + m.name,
            label: `${m.name} — incomplete import (${m.nextIndex} of ${m.total ?? '?'}), finish it in the Data area`,
            disabled: true,
          },
    );
  }
  return out;
}

export function refValue(ref: DatasetRef): string {
  return ref.kind === 'synthface' ? SYNTH_VALUE : USER + ref.name;
}

/** The reference a picked option stands for; null when it is not a complete dataset. */
export function refFromValue(
  value: string,
  datasets: readonly DatasetManifest[],
  synth: SynthDatasetRef,
): DatasetRef | null {
  if (value === SYNTH_VALUE) return synth;
  if (!value.startsWith(USER)) return null;
  const name = value.slice(USER.length);
  const m = datasets.find((d) => d.name === name);
  return m && m.status === 'complete' ? { kind: 'user', name } : null;
}

/** Whether `ref` can be trained on now (SynthFace always; an imported dataset only when complete). */
export function isUsable(ref: DatasetRef, datasets: readonly DatasetManifest[]): boolean {
  return ref.kind === 'synthface' || datasets.some((d) => d.name === ref.name && d.status === 'complete');
}
