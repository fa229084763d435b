/**
 * Links and checkpoints written by older code (captured by scripts/capture-compat-fixtures.ts before the
 * search-interface refactor) must still read the same: a link decodes to the same experiment, a checkpoint
 * restores and its next steps report what the older code reported.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeShare } from '../share/index.ts';
import type { ShareContext } from '../share/index.ts';
import { SearchTrainer, type TrainerState } from '../nas/index.ts';
import { blobLandmarkTask } from '../nas/testing.ts';
import { fromJsonState } from './state-json.ts';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8'));

const CTX: ShareContext = {
  spaces: ['classroom', 'fbnet-v1', 'pfld'],
  candidates: ['k3_e1', 'k3_e1_g2', 'k3_e3', 'k3_e6', 'k5_e1', 'k5_e1_g2', 'k5_e3', 'k5_e6', 'skip'],
  datasets: ['my-faces'],
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('share links captured before the refactor', () => {
  const links = fixture('share-links.json') as { name: string; token: string; decoded: unknown }[];
  it.each(links.map((l) => [l.name, l] as const))('%s decodes to the same experiment', (_, link) => {
    const { value, warnings } = decodeShare(link.token, CTX);
    expect(warnings).toEqual([]);
    expect(JSON.parse(JSON.stringify(value))).toEqual(link.decoded);
  });
});

describe('checkpoints captured before the refactor', () => {
  it.each(['fbnet-v1', 'fbnet-v2'])('%s restores and continues as the older code did', async (strategy) => {
    const f = fixture(`checkpoint-${strategy}.json`);
    const state = fromJsonState<TrainerState>(f.state);
    const source = blobLandmarkTask(8, { weights: 24, arch: 16, val: 6 }, 3);
    const t = await SearchTrainer.restore(state, source);
    try {
      for (const want of f.next) {
        const m = await t.step();
        expect(m.phase).toBe(want.phase);
        expect(m.sampled).toEqual(want.sampled);
        expect(m.taskLoss).toBeCloseTo(want.taskLoss, 5);
        expect(m.loss).toBeCloseTo(want.loss, 5);
        expect(m.expectedCost / want.expectedCost).toBeCloseTo(1, 5);
        m.probs.forEach((row, l) => row.forEach((p, i) => expect(p).toBeCloseTo(want.probs[l][i], 5)));
      }
    } finally {
      t.dispose();
      source.dispose();
    }
  });
});
