/**
 * Upgrades old payloads step by step to the current wire format: MIGRATIONS[n] turns a v(n) payload into a
 * v(n+1) payload. A migration only renames and restructures; validation happens once, on the result.
 *
 * v0 (first prototype) carried a complete flat object with long names and a single seed:
 *   { title, space, dataset: 'synth' | <user dataset name>, faces, difficulty, inputSize, batch, epochs,
 *     steps, warmup, lr, lrArch, temperature, temperatureDecay, alpha, beta, cost, seed,
 *     candidates?: { [layer]: 'k3_e1,skip' } }
 * It had no strategy (always FBNet V1), no weight decay / validation split / hard Gumbel settings (the
 * v1 defaults apply) and generated faces at the input size.
 */
import { K, SYNTH_FIELDS, FIELDS } from './wire-v1.ts';

type Payload = Record<string, unknown>;

const key = (path: string) => FIELDS.find((f) => f.path === path)!.key;
const synthKey = (path: string) => SYNTH_FIELDS.find((f) => f.path === path)!.key;

/** v1 seeds were derived from the v0 seed so a migrated run draws what it drew before for the split. */
const seedPlus = (seed: unknown, k: number) =>
  typeof seed === 'number' && Number.isInteger(seed) ? (seed + k) >>> 0 : seed;

function v0ToV1(p: Payload): Payload {
  const out: Payload = {};
  const copy = (from: string, to: string) => {
    if (from in p) out[to] = p[from];
  };
  copy('title', key('title'));
  copy('space', K.space);
  copy('inputSize', key('inputSize'));
  copy('inputSize', synthKey('size'));
  copy('faces', synthKey('count'));
  copy('difficulty', synthKey('difficulty'));
  copy('seed', synthKey('seed'));
  copy('batch', key('train.batchSize'));
  copy('epochs', key('train.epochs'));
  copy('steps', key('train.stepsPerEpoch'));
  copy('warmup', key('train.warmupEpochs'));
  copy('lr', key('train.lrWeights'));
  copy('lrArch', key('train.lrTheta'));
  copy('temperature', key('gumbel.tau0'));
  copy('temperatureDecay', key('gumbel.decay'));
  copy('alpha', key('loss.alpha'));
  copy('beta', key('loss.beta'));
  copy('cost', key('loss.cost'));
  out[key('strategy')] = 'fbnet-v1';
  if ('seed' in p) {
    out[key('seeds.split')] = seedPlus(p.seed, 0);
    out[key('seeds.init')] = seedPlus(p.seed, 1);
    out[key('seeds.gumbel')] = seedPlus(p.seed, 2);
    out[key('seeds.data')] = seedPlus(p.seed, 3);
  }
  if ('dataset' in p && p.dataset !== 'synth') {
    out[K.datasetKind] = 'user';
    out[K.datasetName] = p.dataset;
  }
  const cands = p.candidates;
  if (cands && typeof cands === 'object' && !Array.isArray(cands))
    out[K.candidateEdits] = Object.fromEntries(
      Object.entries(cands).map(([layer, list]) => [
        layer,
        typeof list === 'string' ? list.split(',') : list,
      ]),
    );
  else if ('candidates' in p) out[K.candidateEdits] = cands;
  return out;
}

export const MIGRATIONS: Record<number, (p: Payload) => Payload> = {
  0: v0ToV1,
};
