/** Score-function architecture steps (gumbel.thetaGradient 'score'): the gradient, the trainer, planted tasks. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { softmaxArray } from './gumbel-host.ts';
import { fbnetLoss, taskLoss } from './loss.ts';
import { deriveArch } from './derive.ts';
import { SCORE_ENTROPY_WEIGHT, scoreStep } from './score-step.ts';
import { SearchTrainer } from './trainer.ts';
import { FbnetV1Net } from './v1-net.ts';
import { lineDistanceTask } from './toy-sources.ts';
import { RF_SPACE, THREE_LAYER_SPACE, toyConfig } from './toy-spaces.ts';
import { brighterHalfTask } from './toy-sources.ts';
import { scoreStepsApply } from '../strategies.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const score = { paths: 'single', thetaGradient: 'score', hard: true } as const;

describe('scoreStep', () => {
  it('returns (L(drawn) − L(argmax)) · (onehot(draw) − softmax(θ)) per layer, computed by hand', async () => {
    const net = new FbnetV1Net(THREE_LAYER_SPACE, { inputSize: 8, seed: 3 });
    const thetaValues = [
      [0.5, -0.2, 0.1],
      [0, 0.3, -0.4],
      [0.2, 0.2, 0.9],
    ];
    net.thetas().forEach((t, l) => t.assign(tf.tensor1d(thetaValues[l])));
    const source = brighterHalfTask(8, { weights: 16, arch: 16, val: 8 }, 5);
    const batch = source.batchAt('arch', [0, 1, 2, 3]);
    const cost = {
      source: 'macs' as const,
      unit: 1,
      scaled: {
        perLayer: [
          [1, 4, 9],
          [2, 2, 8],
          [3, 1, 5],
        ],
        fixed: 3,
      },
    };
    const drawn = { blocks: [1, 2, 0], noise: [0, 1, 2].map(() => new Float32Array(3)) };
    const best = net.scoreSteps.argmaxSample(drawn, (v) => v.dataSync() as Float32Array);
    expect(best.blocks).toEqual([0, 1, 2]);

    // by hand: each architecture's FBNet loss with its exact cost, then the advantage
    const lossOf = (blocks: number[]) =>
      tf.tidy(() => {
        const pred = net.forward(batch.x, true, blocks);
        const c = 3 + blocks.reduce((s, b, l) => s + cost.scaled.perLayer[l][b], 0);
        return fbnetLoss(taskLoss(net.task, pred, batch.y), tf.scalar(c), 1, 0.6).loss.dataSync()[0];
      });
    // BatchNorm running statistics move with each training-mode forward; outputs do not depend on them
    const advantage = lossOf(drawn.blocks) - lossOf(best.blocks);
    const { packed, grads } = scoreStep(net, batch, drawn, best, cost, { alpha: 1, beta: 0.6 });
    const values = packed.decode(packed.tensor.dataSync() as Float32Array);
    expect(values.cost).toBeCloseTo(3 + 4 + 8 + 3, 5);
    expect(values.blockWeights).toEqual([
      [0, 1, 0],
      [0, 0, 1],
      [1, 0, 0],
    ]);
    grads.forEach((g, l) => {
      const p = softmaxArray(thetaValues[l]);
      const expected = p.map((pj, j) => advantage * ((j === drawn.blocks[l] ? 1 : 0) - pj));
      Array.from(g.dataSync()).forEach((v, j) => expect(v).toBeCloseTo(expected[j], 5));
    });
    expect(Math.abs(advantage)).toBeGreaterThan(1e-4);
    tf.dispose([...grads, packed.tensor]);

    // at the end of the run the entropy pull adds SCORE_ENTROPY_WEIGHT · (−p_j (log p_j + H)) per entry
    const drawnLoss = lossOf(drawn.blocks);
    const advantageEnd = drawnLoss - lossOf(best.blocks);
    const end = scoreStep(net, batch, drawn, best, cost, { alpha: 1, beta: 0.6 }, 1);
    end.grads.forEach((g, l) => {
      const p = softmaxArray(thetaValues[l]);
      const H = -p.reduce((sum, pj) => sum + pj * Math.log(pj), 0);
      const expected = p.map(
        (pj, j) =>
          advantageEnd * ((j === drawn.blocks[l] ? 1 : 0) - pj) +
          SCORE_ENTROPY_WEIGHT * -pj * (Math.log(pj) + H),
      );
      Array.from(g.dataSync()).forEach((v, j) => expect(v).toBeCloseTo(expected[j], 5));
    });
    tf.dispose([...end.grads, end.packed.tensor, batch.x, batch.y]);
    net.dispose();
  });
});

describe('score steps in the trainer', () => {
  it('apply to FBNet V1 with single paths only, when asked', () => {
    const single = { paths: 'single', thetaGradient: 'score' } as const;
    expect(scoreStepsApply({ strategy: 'fbnet-v1', gumbel: single })).toBe(true);
    expect(scoreStepsApply({ strategy: 'fbnet-v1', gumbel: { paths: 'single' } })).toBe(false);
    expect(scoreStepsApply({ strategy: 'fbnet-v1', gumbel: { ...single, paths: 'all' } })).toBe(false);
    expect(scoreStepsApply({ strategy: 'fbnet-v1', gumbel: { thetaGradient: 'score' } })).toBe(false);
    expect(scoreStepsApply({ strategy: 'fbnet-v2', gumbel: single })).toBe(false);
    expect(scoreStepsApply({ strategy: 'spos', gumbel: single })).toBe(false);
  });

  it('keep the tensor count constant over steps and resume bit-exactly', async () => {
    const config = toyConfig(THREE_LAYER_SPACE, {
      train: { epochs: 6, stepsPerEpoch: 5, batchSize: 4, warmupEpochs: 1 },
      gumbel: score,
      loss: { beta: 0.6 },
    });
    const source = brighterHalfTask(8, { weights: 32, arch: 32, val: 8 }, 5);
    const options = {
      space: THREE_LAYER_SPACE,
      costTable: [
        [1, 30, 30],
        [30, 1, 30],
        [30, 30, 1],
      ],
      fixedCost: 2,
      costUnit: 1,
    };
    const a = new SearchTrainer(config, source, options);
    let at2 = -1;
    for (let i = 1; i <= 20; i++) {
      await a.step();
      if (i === 2) at2 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(at2);
    const state = await a.state();
    const b = await SearchTrainer.restore(state, source);
    for (let i = 0; i < 8; i++) {
      const [ma, mb] = [await a.step(), await b.step()];
      expect(mb.loss).toBe(ma.loss);
      expect(mb.probs).toEqual(ma.probs);
    }
    a.dispose();
    b.dispose();
  });
});

describe('planted searches with score steps', () => {
  const rfSource = () => lineDistanceTask(12, { weights: 256, arch: 128, val: 64 }, 11);
  async function searchRf(beta: number, epochs: number) {
    const config = toyConfig(RF_SPACE, {
      train: { epochs, stepsPerEpoch: 20, warmupEpochs: 1 },
      gumbel: score,
      loss: { beta },
    });
    const trainer = new SearchTrainer(config, rfSource(), {
      space: RF_SPACE,
      costTable: [[1, 50]],
      fixedCost: 2,
      costUnit: 1,
    });
    await trainer.run(() => {});
    const derived = await deriveArch(trainer);
    trainer.dispose();
    return derived;
  }

  it('finds the receptive field the task needs (k5) when cost is ignored, the cheap k3 when it dominates', async () => {
    const accuracyOnly = await searchRf(0, 5);
    expect(accuracyOnly.names).toEqual(['k5_e1']);
    expect(accuracyOnly.probs[0][1]).toBeGreaterThan(0.9);
    const costAware = await searchRf(2, 3);
    expect(costAware.names).toEqual(['k3_e1']);
  }, 60_000);
});
