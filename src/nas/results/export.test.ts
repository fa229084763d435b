import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Arch } from '../arch/spec.ts';
import { LandmarkSource } from '../data/landmark-source.ts';
import { ARCH_METADATA_KEY } from '../export/onnx-export.ts';
import { decodeModel } from '../export/testing/onnx-reader.ts';
import { tinyFaces } from '../finetune/testing.ts';
import { createModel } from '../model/model.ts';
import { CLASSROOM } from '../spaces/classroom.ts';
import { archFromChoices } from '../spaces/derive.ts';
import {
  EXPERIMENT_URL_KEY,
  exportDerived,
  exportMetadata,
  onnxFileName,
  PARITY_TOLERANCE,
  parityCheck,
} from './export.ts';
import type { ResultsArchSummary } from './types.ts';

let faces: LandmarkSource;
beforeAll(async () => {
  await tf.setBackend('cpu');
  faces = tinyFaces(12, 16, 3); // 3 val faces
});

const arch = (): Arch =>
  archFromChoices({ ...CLASSROOM, input: { size: 16, channels: 3 } }, [0, 1, 0, 5, 0], 'tiny/run #1');

const v1Summary = { choices: [0, 1, 0, 5, 0] } as ResultsArchSummary;
const v2Summary = {
  choices: [1, 0],
  v2: {
    choices: { blocks: [1, 0], widths: [0, 1], expansions: [undefined, undefined], resolution: 1 },
    widths: [2, 4],
    factor: 2,
    searchInputSize: 8,
  },
} as ResultsArchSummary;

describe('exportMetadata', () => {
  it('records the choices and how the network was trained', () => {
    expect(exportMetadata(v1Summary, { fromScratch: false, steps: 0 })).toEqual({
      'nas_playground.choices': '[0,1,0,5,0]',
      'nas_playground.training': 'inherited+finetune:0',
    });
    expect(exportMetadata(v1Summary, { fromScratch: true, steps: 12 }, 'https://x.test/#e')).toEqual({
      'nas_playground.choices': '[0,1,0,5,0]',
      'nas_playground.training': 'scratch:12',
      [EXPERIMENT_URL_KEY]: 'https://x.test/#e',
    });
  });

  it('adds the FBNetV2 choices and the input subsampling factor', () => {
    const m = exportMetadata(v2Summary, { fromScratch: false, steps: 3 });
    expect(JSON.parse(m['nas_playground.fbnet_v2_choices'])).toEqual({
      blocks: [1, 0],
      widths: [0, 1],
      expansions: [null, null],
      resolution: 1,
    });
    expect(m['nas_playground.input_subsample']).toBe('2');
  });
});

describe('onnxFileName', () => {
  it('keeps letters, digits, dots, underscores and dashes; runs of anything else become one _', () => {
    expect(onnxFileName({ name: 'PFLD-106 baseline (48×48)' } as Arch)).toBe('PFLD-106_baseline_48_48_.onnx');
    expect(onnxFileName({ name: 'classroom-argmax-step12' } as Arch)).toBe('classroom-argmax-step12.onnx');
  });
});

describe('export with parity check', () => {
  it('tfjs and onnxruntime agree on the validation images, and the metadata round-trips', async () => {
    const model = createModel(arch(), { seed: 3 });
    const before = tf.memory().numTensors;
    const r = await exportDerived(model, v1Summary, { fromScratch: true, steps: 4 }, faces, {
      experimentUrl: 'https://x.test/#e',
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.checkedImages).toBe(3);
    expect(r.maxAbsDiff).toBeLessThan(PARITY_TOLERANCE);
    expect(r.tolerance).toBe(PARITY_TOLERANCE);
    expect(r.fileName).toBe('tiny_run_1.onnx');
    expect(r.params).toBe(model.paramCount());
    expect(JSON.parse(r.archJson)).toEqual(model.arch);
    const meta = decodeModel(r.bytes).metadata;
    expect(JSON.parse(meta[ARCH_METADATA_KEY])).toEqual(model.arch);
    expect(meta['nas_playground.training']).toBe('scratch:4');
    expect(meta[EXPERIMENT_URL_KEY]).toBe('https://x.test/#e');
    model.dispose();
  });

  it('the parity check sees a changed model (negative control) and caps the images', async () => {
    const model = createModel(arch(), { seed: 3 });
    const { bytes } = await exportDerived(model, v1Summary, { fromScratch: true, steps: 0 }, faces);
    // change a bias after export: the exported graph no longer matches tfjs
    const bias = model.params().find((p) => p.name.endsWith('/bias'))!.variable;
    tf.tidy(() => bias.assign(tf.add(bias, 0.5)));
    const check = await parityCheck(model, bytes, faces, 2);
    expect(check.checkedImages).toBe(2);
    expect(check.maxAbsDiff).toBeGreaterThan(1e-3);
    model.dispose();
  });
});
