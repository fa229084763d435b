/**
 * The one check that a data source feeds a plain network the images it was built for. A network runs on
 * any image size (its head pools), so a wrong size would not fail on its own: an FBNetV2 network derived at
 * a lower resolution would be trained, recalibrated or scored on full-size images and give numbers that
 * mean nothing. Every path that feeds a derived network (finetune, BatchNorm recalibration, evaluation, the
 * export's parity check) calls this; the network's arch.input decides.
 */
import type { Arch } from '../arch/spec.ts';
import type { BatchSource } from '../data/source.ts';

export function checkInputFits(arch: Arch, source: BatchSource): void {
  const { size, channels } = arch.input;
  if (source.inputSize === size && source.channels === channels) return;
  const hint =
    source.inputSize > size && source.channels === channels
      ? ' (a network derived at a lower FBNetV2 resolution takes the subsampled images: derivedSource)'
      : '';
  throw new Error(
    `The data is ${source.inputSize}x${source.inputSize}x${source.channels}, the model expects ` +
      `${size}x${size}x${channels}${hint}`,
  );
}
