/**
 * A small ensemble of FBNetV3 predictors (predictor.ts): the encoder is pre-trained once and shared as the
 * starting point, each member fits its own seeded head (and, end to end, its own copy of the encoder), and
 * the ensemble predicts the geometric mean of the members' NMEs with their spread as an uncertainty. With
 * a few dozen samples a single fitted MLP varies a lot with its initialisation; averaging a few removes
 * much of that variance.
 */
import { Predictor, type PredictorOptions } from './predictor.ts';

export interface EnsemblePrediction {
  /** Geometric mean of the members' predicted NMEs. */
  nme: number[];
  /** Standard deviation of the members' log NME (0 with one member). */
  spread: number[];
}

export class PredictorEnsemble {
  readonly members: Predictor[];

  constructor(archDim: number, recipeDim: number, options: PredictorOptions & { members?: number }) {
    const { members = 3, ...rest } = options;
    if (!Number.isInteger(members) || members < 1)
      throw new Error(`An ensemble needs ≥ 1 member, got ${members}`);
    this.members = Array.from(
      { length: members },
      (_, i) => new Predictor(archDim, recipeDim, { ...rest, seed: (rest.seed + 7919 * i) >>> 0 }),
    );
  }

  get weightCount(): number {
    return this.members[0].weightCount;
  }

  get pretrained(): boolean {
    return this.members[0].pretrained;
  }

  /** Pre-trains the first member's encoder; the others start their fits from it. */
  async pretrain(...args: Parameters<Predictor['pretrain']>): Promise<number> {
    const loss = await this.members[0].pretrain(...args);
    for (const m of this.members.slice(1)) m.adoptPretraining(this.members[0]);
    return loss;
  }

  async fit(...args: Parameters<Predictor['fit']>): Promise<void> {
    for (const m of this.members) await m.fit(...args);
  }

  async predict(archRows: readonly number[][], recipeRows: readonly number[][]): Promise<EnsemblePrediction> {
    const all = [];
    for (const m of this.members) all.push((await m.predict(archRows, recipeRows)).map(Math.log));
    const k = all.length;
    const nme: number[] = [];
    const spread: number[] = [];
    for (let i = 0; i < archRows.length; i++) {
      const mean = all.reduce((a, p) => a + p[i], 0) / k;
      nme.push(Math.exp(mean));
      spread.push(Math.sqrt(all.reduce((a, p) => a + (p[i] - mean) ** 2, 0) / k));
    }
    return { nme, spread };
  }

  dispose(): void {
    for (const m of this.members) m.dispose();
  }
}
