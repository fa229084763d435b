import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchFeed } from './batch-feed.ts';
import { brighterHalfTask } from './toy-sources.ts';
import type { Phase } from './trainer-state.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const source = () => brighterHalfTask(8, { weights: 10, arch: 6, val: 4 }, 5);

async function takeAll(feed: BatchFeed, plan: (Phase | `ahead:${Phase}` | 'state')[]) {
  const out: number[][] = [];
  for (const p of plan) {
    if (p === 'state') {
      out.push([JSON.stringify(feed.state()).length]);
      continue;
    }
    if (p.startsWith('ahead:')) {
      feed.prefetch(p.slice(6) as Phase);
      continue;
    }
    const b = feed.take(p as Phase);
    out.push(Array.from(await b.x.data()));
    tf.dispose([b.x, b.y]);
  }
  return out;
}

describe('BatchFeed', () => {
  it('gives the same batches with or without prefetching, also when a prefetch is for the other phase', async () => {
    const plain = new BatchFeed(source(), 4, true, 9);
    const ahead = new BatchFeed(source(), 4, true, 9);
    const want = await takeAll(plain, ['weights', 'arch', 'weights', 'weights', 'arch', 'weights']);
    const got = await takeAll(ahead, [
      'ahead:weights',
      'weights',
      'ahead:arch',
      'arch',
      'ahead:arch', // a manual weight step comes instead: the prefetch is undone
      'weights',
      'ahead:weights',
      'weights',
      'ahead:arch',
      'arch',
      'ahead:weights',
      'weights',
    ]);
    expect(got).toEqual(want);
    plain.dispose();
    ahead.dispose();
  });

  it('reports the state from before a pending prefetch, so a checkpoint resumes on the same batches', async () => {
    const feed = new BatchFeed(source(), 4, true, 3);
    await takeAll(feed, ['weights', 'arch']);
    const before = feed.state();
    feed.prefetch('weights');
    expect(feed.state()).toEqual(before);
    const next = await takeAll(feed, ['weights', 'arch']);
    const resumed = new BatchFeed(source(), 4, true, 99);
    resumed.setState(before);
    expect(await takeAll(resumed, ['weights', 'arch'])).toEqual(next);
    const tensors = tf.memory().numTensors;
    feed.prefetch('arch');
    feed.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    resumed.dispose();
  });
});
