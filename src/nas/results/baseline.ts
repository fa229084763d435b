/** The hand-designed reference the searched network is compared with: PFLD-106 at the search's input size. */
import { ARCHS } from '../arch/registry.ts';
import type { Arch } from '../arch/spec.ts';

export function baselineArch(inputSize: number): Arch {
  const pfld = ARCHS.pfld_106;
  return {
    ...structuredClone(pfld),
    name: `PFLD-106 baseline (${inputSize}×${inputSize})`,
    input: { ...pfld.input, size: inputSize },
  };
}
