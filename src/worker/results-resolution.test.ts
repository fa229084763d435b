/**
 * The Results area's worker path with a network derived at a lower FBNetV2 resolution (factor 2 and 4):
 * derive, finetune (inherited and from scratch), evaluate (NME, latency, worst-first viewer), the ONNX
 * export's parity check and the PyTorch project all run the network at its searched resolution.
 */
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PARITY_TOLERANCE, type SearchTrainer } from '../nas/index.ts';
import { searchAtFactor, TINY_FACE_SPACE } from '../nas/testing.ts';
import { ResultsSession } from './results-session.ts';

// the worker points onnxruntime-web at its bundled wasm through self.location; in Node it finds its own
vi.mock('./onnx-runtime.ts', () => ({ prepareOrt: async () => {} }));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIZE = TINY_FACE_SPACE.input.size;

describe.each([2, 4])('Results of a search whose argmax resolution is factor %i', (factor) => {
  const side = SIZE / factor;
  let t: SearchTrainer;
  let session: ResultsSession;

  beforeAll(async () => {
    t = await searchAtFactor(factor);
    session = new ResultsSession(
      () => {},
      () => t,
    );
  });
  afterAll(() => {
    session?.dispose();
    t?.dispose();
  });

  it('derives, finetunes (inherited, then from scratch) and evaluates at the searched resolution', async () => {
    const s = await session.derive({ mode: 'argmax' });
    expect(s.v2?.factor).toBe(factor);
    expect(s.inputSize).toBe(side);
    const f = await session.finetune({ steps: 2, lr: 0.01, fromScratch: false });
    expect(f.outcome).toBe('finished');
    expect(f.losses.every(Number.isFinite)).toBe(true);
    const g = await session.finetune({ steps: 1, lr: 0.01, fromScratch: true });
    expect(g.fromScratch).toBe(true);
    const e = await session.evaluate();
    expect(e.valCount).toBe(4);
    expect(Number.isFinite(e.nme)).toBe(true);
    expect(e.rows[0].nme).not.toBeNull();
    expect(e.rows[0].latencyMs).toBeGreaterThan(0);
    // the viewer shows the stored full-size faces with the network's predictions (fractions of the side)
    expect(e.worst.length).toBe(4);
    expect(e.worst.every((w) => w.size === SIZE && w.image.length === SIZE * SIZE * 3)).toBe(true);
  });

  it('exports ONNX checked against onnxruntime-web on the subsampled images, and a PyTorch project at that resolution', async () => {
    const x = await session.export({});
    expect(x.checkedImages).toBe(4);
    expect(x.maxAbsDiff).toBeLessThan(PARITY_TOLERANCE);
    expect(JSON.parse(x.archJson).input.size).toBe(side);
    const p = await session.exportPytorch({});
    const files = unzipSync(p.bytes);
    const name = (f: string) => Object.keys(files).find((k) => k.endsWith(`/${f}`))!;
    const settings = JSON.parse(new TextDecoder().decode(files[name('search_settings.json')]));
    expect(settings.derivedInput).toEqual({ size: side, subsample: factor, loadSize: SIZE });
    expect(settings.finetune.steps).toBe(1);
  });
});
