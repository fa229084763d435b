/**
 * Turns an experiment's dataset reference into a BatchSource: SynthFace-106 generated on the spot (seeded,
 * so identical on every machine) or a dataset imported into IndexedDB.
 */
import {
  type ExperimentConfig,
  type BatchSource,
  generateDataset,
  LandmarkSource,
  type LandmarkData,
} from '../nas/index.ts';
import { WorkerRequestError } from './protocol.ts';

type Progress = (label: string, done: number, total: number) => void;

/** Generated sets are cached by their settings: Reset and re-configure reuse them. */
const synthCache = new Map<string, LandmarkData>();

async function loadUserDataset(name: string): Promise<LandmarkData> {
  const { loadDataset } = await import('../storage/datasets.ts');
  const { CorruptRecordError } = await import('../storage/integrity.ts');
  const data = await loadDataset(name).catch((err: unknown) => {
    // a damaged chunk is not "missing": say which, so the user re-imports that dataset
    if (err instanceof CorruptRecordError) throw new WorkerRequestError(err.message, 'damaged-dataset');
    return undefined;
  });
  if (!data) {
    throw new WorkerRequestError(
      `The dataset "${name}" is not in this browser's storage (or its import is incomplete). Import it in the Data area, or pick SynthFace-106.`,
      'no-dataset',
    );
  }
  return data;
}

export async function buildSource(
  config: ExperimentConfig,
  progress: Progress,
): Promise<{ source: BatchSource; summary: string }> {
  const ref = config.dataset;
  let data: LandmarkData;
  let summary: string;
  if (ref.kind === 'synthface') {
    const key = JSON.stringify(ref);
    let cached = synthCache.get(key);
    if (!cached) {
      cached = generateDataset({
        count: ref.count,
        size: ref.size,
        difficulty: ref.difficulty,
        seed: ref.seed,
        onProgress: (done, total) => done % 64 === 0 && progress('Generating synthetic faces', done, total),
      });
      synthCache.clear(); // keep one set in memory
      synthCache.set(key, cached);
    }
    progress('Generating synthetic faces', ref.count, ref.count);
    data = cached;
    summary = `SynthFace-106: ${ref.count} faces, ${ref.size}×${ref.size}, difficulty ${ref.difficulty}, seed ${ref.seed}`;
  } else {
    data = await loadUserDataset(ref.name);
    summary = `${ref.name}: ${data.count} faces, ${data.size}×${data.size}`;
  }
  const source = new LandmarkSource(data, {
    valFraction: config.train.valFraction,
    splitSeed: config.seeds.split,
    inputSize: config.inputSize,
  });
  return { source, summary };
}
