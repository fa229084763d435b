import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Arch,
  type BlockSpec,
  type HeadSpec,
  DEFAULT_EXPERIMENT,
  type ExperimentConfig,
} from '../nas/index.ts';
import { toBase64Url } from './base64url.ts';
import { decodeShare, encodeShare } from './codec.ts';
import { pack } from './envelope.ts';
import { ShareError } from './errors.ts';
import type { ShareContext, SharedExperiment } from './types.ts';
import { FIELDS, K, SYNTH_FIELDS, V1_DEFAULTS } from './wire-v1.ts';

const CANDS = ['k3_e1', 'k3_e1_g2', 'k3_e3', 'k3_e6', 'k5_e1', 'k5_e1_g2', 'k5_e3', 'k5_e6', 'skip'];
const CTX: ShareContext = {
  spaces: ['classroom', 'fbnet-v1', 'pfld'],
  candidates: CANDS,
  datasets: ['my-faces'],
};
const PREFIX = 'https://example.org/nas-playground/#x=';

const clone = <T>(v: T): T => structuredClone(v);
function withConfig(edit: (c: ExperimentConfig) => void): SharedExperiment {
  const config = clone(DEFAULT_EXPERIMENT);
  edit(config);
  return { config };
}
/** A link that differs from the wire defaults in one field: short enough to travel uncompressed. */
function smallLink(): SharedExperiment {
  const config = clone(V1_DEFAULTS);
  config.train.epochs = 40;
  return { config };
}
function shareError(f: () => unknown): ShareError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ShareError);
    return e as ShareError;
  }
  throw new Error('expected a ShareError');
}
const warningAt = (ws: { path: string; message: string }[], path: string) => ws.find((w) => w.path === path);

// ---------- arbitraries for valid values ----------
const dbl = (min: number, max: number) => fc.double({ min, max, noNaN: true }).map((x) => x + 0); // no -0
const uint32 = fc.tuple(fc.nat(0xffff), fc.nat(0xffff)).map(([hi, lo]) => hi * 0x10000 + lo);
const orDefault = <T>(def: T, arb: fc.Arbitrary<T>) => fc.oneof(fc.constant(def), arb);
const D = DEFAULT_EXPERIMENT;

const datasetArb = fc.oneof(
  fc.record({
    kind: fc.constant('synthface' as const),
    count: orDefault(512, fc.integer({ min: 1, max: 100_000 })),
    size: orDefault(64, fc.integer({ min: 16, max: 256 })),
    difficulty: orDefault(0.5, dbl(0, 1)),
    seed: orDefault(1, uint32),
  }),
  fc.record({ kind: fc.constant('user' as const), name: fc.constant('my-faces') }),
);

const configArb: fc.Arbitrary<ExperimentConfig> = fc
  .record({
    title: orDefault(D.title, fc.string({ unit: 'binary', maxLength: 120 })),
    space: fc.constantFrom(...CTX.spaces),
    candidateEdits: fc.dictionary(
      fc.integer({ min: 0, max: 40 }).map(String),
      fc.uniqueArray(fc.constantFrom(...CANDS), { minLength: 1, maxLength: 5 }),
      { maxKeys: 4 },
    ),
    dataset: datasetArb,
    inputSize: orDefault(64, fc.integer({ min: 16, max: 256 })),
    strategy: fc.constantFrom('fbnet-v1' as const, 'fbnet-v2' as const),
    train: fc.record({
      batchSize: orDefault(16, fc.integer({ min: 1, max: 512 })),
      epochs: orDefault(12, fc.integer({ min: 1, max: 1000 })),
      stepsPerEpoch: orDefault(20, fc.integer({ min: 1, max: 10_000 })),
      warmupEpochs: fc.integer({ min: 0, max: 1000 }),
      lrWeights: orDefault(0.01, dbl(1e-9, 10)),
      lrTheta: orDefault(0.01, dbl(1e-9, 10)),
      weightDecay: orDefault(1e-4, dbl(0, 1)),
      valFraction: orDefault(0.2, dbl(1e-6, 0.899)),
    }),
    gumbel: fc.record(
      {
        tau0: orDefault(5, dbl(1e-6, 100)),
        decay: orDefault(0.956, dbl(1e-6, 1)),
        hard: fc.boolean(),
        paths: fc.constantFrom('all' as const, 'single' as const),
      },
      { requiredKeys: ['tau0', 'decay', 'hard'] },
    ),
    loss: fc.record(
      {
        alpha: orDefault(0.2, dbl(1e-6, 10)),
        beta: orDefault(0.6, dbl(0, 2)),
        cost: fc.constantFrom('latency' as const, 'macs' as const, 'params' as const),
        latencyTable: fc.string({ maxLength: 64 }),
      },
      { requiredKeys: ['alpha', 'beta', 'cost'] },
    ),
    seeds: fc.record({ split: uint32, init: uint32, gumbel: uint32, data: uint32 }),
  })
  .map((c) => {
    c.train.warmupEpochs = Math.min(c.train.warmupEpochs, c.train.epochs);
    return { version: 1 as const, ...c } as ExperimentConfig;
  });

const act = fc.constantFrom('relu', 'relu6', 'hswish', 'swish', 'none') as fc.Arbitrary<'relu'>;
const blockArb: fc.Arbitrary<BlockSpec> = fc.oneof(
  fc.record(
    {
      kind: fc.constant('conv' as const),
      k: fc.constantFrom(1, 3, 5),
      out: fc.integer({ min: 1, max: 256 }),
      stride: fc.constantFrom(1, 2),
      act,
      groups: fc.constantFrom(1, 2),
      noBn: fc.boolean(),
    },
    { requiredKeys: ['kind', 'k', 'out', 'stride', 'act'] },
  ),
  fc.record(
    {
      kind: fc.constant('ir' as const),
      k: fc.constantFrom(3, 5),
      e: fc.constantFrom(1, 3, 6, 0.5),
      out: fc.integer({ min: 1, max: 256 }),
      stride: fc.constantFrom(1, 2),
      groups: fc.constantFrom(1, 2),
      attention: fc.constantFrom('none', 'se', 'ese') as fc.Arbitrary<'se'>,
      act,
      dwPad: fc.constantFrom(0, 1, 2),
      seReduce: fc.constantFrom('hidden', 'input') as fc.Arbitrary<'input'>,
      seAct: act,
    },
    { requiredKeys: ['kind', 'k', 'e', 'out', 'stride'] },
  ),
  fc.record({
    kind: fc.constant('skip' as const),
    out: fc.integer({ min: 1, max: 256 }),
    stride: fc.constantFrom(1, 2),
  }),
);
const archArb: fc.Arbitrary<Arch> = fc
  .record({
    name: fc.string({ unit: 'binary', maxLength: 80 }),
    size: fc.integer({ min: 16, max: 256 }),
    body: fc.array(blockArb, { minLength: 1, maxLength: 12 }),
    head: fc.oneof(
      fc.record({ kind: fc.constant('classifier' as const), classes: fc.integer({ min: 1, max: 1000 }) }),
      fc.record(
        {
          kind: fc.constant('landmarks' as const),
          points: fc.integer({ min: 1, max: 106 }),
          features: fc.integer({ min: 1, max: 128 }),
          act,
          grid: fc.integer({ min: 1, max: 16 }),
        },
        { requiredKeys: ['kind', 'points'] },
      ),
    ),
  })
  .map(({ name, size, body, head }) => ({
    name,
    input: { size, channels: 3 },
    body,
    head: head.kind === 'landmarks' ? { ...head, taps: [0, body.length - 1] } : (head as HeadSpec),
  }));

// structuredClone gives plain prototypes (fc.record builds null-prototype objects) for toStrictEqual
const sharedArb: fc.Arbitrary<SharedExperiment> = fc
  .record(
    {
      config: configArb,
      result: fc.record({
        arch: archArb,
        metrics: fc.record(
          {
            nme: dbl(0, 1),
            macs: fc.integer({ min: 0, max: 1e9 }),
            params: fc.integer({ min: 0, max: 1e8 }),
            latencyMs: dbl(0, 1000),
            steps: fc.nat(),
          },
          { requiredKeys: [] },
        ),
      }),
      view: fc.record(
        {
          hide: fc.array(fc.stringMatching(/^[a-z][a-z0-9.-]{0,20}$/), { maxLength: 5 }),
          lesson: fc.stringMatching(/^[a-z0-9-]{1,20}$/),
          area: fc.constantFrom('learn' as const, 'search' as const, 'data' as const, 'results' as const),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['config'] },
  )
  .map((s) => structuredClone(s));

/** Every bound a decoded config must satisfy, whatever the link said. */
function assertValid(c: ExperimentConfig) {
  const inRange = (v: number, lo: number, hi: number, int = false) =>
    typeof v === 'number' && v >= lo && v <= hi && (!int || Number.isInteger(v));
  expect(typeof c.title === 'string' && Array.from(c.title).length <= 120).toBe(true);
  expect(CTX.spaces).toContain(c.space);
  expect(inRange(c.inputSize, 16, 256, true)).toBe(true);
  expect(['fbnet-v1', 'fbnet-v2']).toContain(c.strategy);
  const t = c.train;
  expect(inRange(t.batchSize, 1, 512, true) && inRange(t.epochs, 1, 1000, true)).toBe(true);
  expect(inRange(t.stepsPerEpoch, 1, 10_000, true) && inRange(t.warmupEpochs, 0, t.epochs, true)).toBe(true);
  expect(t.lrWeights > 0 && t.lrWeights <= 10 && t.lrTheta > 0 && t.lrTheta <= 10).toBe(true);
  expect(inRange(t.weightDecay, 0, 1) && t.valFraction > 0 && t.valFraction < 0.9).toBe(true);
  expect(c.gumbel.tau0 > 0 && c.gumbel.tau0 <= 100 && c.gumbel.decay > 0 && c.gumbel.decay <= 1).toBe(true);
  expect(typeof c.gumbel.hard).toBe('boolean');
  if ('paths' in c.gumbel) expect(['all', 'single']).toContain(c.gumbel.paths);
  expect(c.loss.alpha > 0 && c.loss.alpha <= 10 && inRange(c.loss.beta, 0, 2)).toBe(true);
  expect(['latency', 'macs', 'params']).toContain(c.loss.cost);
  for (const s of Object.values(c.seeds)) expect(inRange(s, 0, 0xffffffff, true)).toBe(true);
  if (c.dataset.kind === 'user') expect(CTX.datasets).toContain(c.dataset.name);
  else {
    const d = c.dataset;
    expect(inRange(d.count, 1, 100_000, true) && inRange(d.size, 16, 256, true)).toBe(true);
    expect(inRange(d.difficulty, 0, 1) && inRange(d.seed, 0, 0xffffffff, true)).toBe(true);
  }
  for (const [layer, names] of Object.entries(c.candidateEdits)) {
    expect(/^\d+$/.test(layer)).toBe(true);
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(CANDS).toContain(n);
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('share codec: round trips', () => {
  it('the default experiment makes a short link that decodes to itself', () => {
    const token = encodeShare({ config: DEFAULT_EXPERIMENT });
    expect((PREFIX + token).length).toBeLessThan(300);
    const { value, warnings } = decodeShare(token, CTX);
    expect(value).toStrictEqual({ config: DEFAULT_EXPERIMENT });
    expect(warnings).toEqual([]);
  });

  it('encode -> decode is the identity for random valid experiments', () => {
    fc.assert(
      fc.property(sharedArb, (s) => {
        const token = encodeShare(s);
        expect(token).toMatch(/^1z?\.[A-Za-z0-9_-]+$/);
        const { value, warnings } = decodeShare(token, CTX);
        expect(warnings).toEqual([]);
        expect(value).toStrictEqual(s);
      }),
      { numRuns: 300 },
    );
  });

  it('a title with markup round-trips literally, as text', () => {
    const title = '<img src=x onerror=alert(1)> & "quotes" \u{1f431}';
    const { value, warnings } = decodeShare(encodeShare(withConfig((c) => (c.title = title))), CTX);
    expect(value.config.title).toBe(title);
    expect(warnings).toEqual([]);
  });

  it('compresses large payloads and keeps them much shorter than their JSON', () => {
    const arch: Arch = {
      name: 'found',
      input: { size: 64, channels: 3 },
      body: Array.from(
        { length: 22 },
        (_, i) => ({ kind: 'ir', k: 3 + 2 * (i % 2), e: 6, out: 32, stride: 1 }) as const,
      ),
      head: { kind: 'landmarks', points: 106 },
    };
    const s: SharedExperiment = {
      config: DEFAULT_EXPERIMENT,
      result: { arch, metrics: { nme: 0.07, macs: 1.2e7 } },
    };
    const token = encodeShare(s);
    expect(token.startsWith('1z.')).toBe(true);
    expect(token.length).toBeLessThan(JSON.stringify(s.result).length / 3);
    expect(decodeShare(token, CTX).value).toStrictEqual(s);
  });

  it('only fields that differ from the defaults travel', () => {
    // the wire's defaults are v1's frozen ones (wire-v1.ts)
    const fromV1 = (edit: (c: ExperimentConfig) => void) => {
      const config = clone(V1_DEFAULTS as ExperimentConfig);
      edit(config);
      return { config };
    };
    const small = encodeShare(fromV1((c) => (c.train.epochs = 30)));
    const big = encodeShare(fromV1((c) => ((c.train.epochs = 30), (c.title = 'x'.repeat(60)))));
    expect(small.length).toBeLessThan(30);
    expect(big.length).toBeGreaterThan(small.length);
  });

  it('wire keys are unique', () => {
    const keys = [...FIELDS.map((f) => f.key), ...SYNTH_FIELDS.map((f) => f.key), ...Object.values(K)];
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('share codec: robustness', () => {
  const noThrowExceptShareError = (text: string) => {
    try {
      const { value } = decodeShare(text, CTX);
      assertValid(value.config);
    } catch (e) {
      if (!(e instanceof ShareError)) throw e;
    }
  };

  it('random strings only ever throw ShareError', () => {
    const tokenish = fc
      .tuple(
        fc.constantFrom('0.', '1.', '1z.', '0z.', '2.', ''),
        fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 80 }),
      )
      .map(([a, b]) => a + b);
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), tokenish), noThrowExceptShareError), {
      numRuns: 1000,
    });
  });

  it('mutated and truncated valid links only ever throw ShareError', () => {
    const mutated = fc
      .tuple(sharedArb, fc.nat(), fc.constantFrom(...ALPHABET), fc.boolean())
      .map(([s, pos, ch, cut]) => {
        const t = encodeShare(s);
        const i = pos % t.length;
        return cut ? t.slice(0, i) : t.slice(0, i) + ch + t.slice(i + 1);
      });
    fc.assert(fc.property(mutated, noThrowExceptShareError), { numRuns: 300 });
  });

  it('intact links with random payloads decode to a valid experiment (or throw ShareError)', () => {
    const keys = [...FIELDS.map((f) => f.key), ...SYNTH_FIELDS.map((f) => f.key), ...Object.values(K)];
    const payload = fc.oneof(
      fc.dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 3 })),
      fc.record({ ce: fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })) }),
      fc.record({ r: fc.record({ a: fc.jsonValue({ maxDepth: 3 }), m: fc.jsonValue({ maxDepth: 2 }) }) }),
      fc.jsonValue({ maxDepth: 3 }),
    );
    fc.assert(
      fc.property(payload, (p) => noThrowExceptShareError(pack(p))),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (p) =>
        noThrowExceptShareError('0.' + toBase64Url(new TextEncoder().encode(JSON.stringify(p)))),
      ),
      { numRuns: 200 },
    );
  });
});

describe('share codec: bad links', () => {
  it('clamps closed bounds and says what it used', () => {
    const s = withConfig((c) => {
      c.train.lrWeights = 20;
      c.train.batchSize = 1000;
      c.train.epochs = 2.6;
      c.inputSize = 8;
      c.gumbel.decay = 1.5;
      c.loss.beta = 3;
    });
    const { value, warnings } = decodeShare(encodeShare(s), CTX);
    expect(value.config.train.lrWeights).toBe(10);
    expect(warningAt(warnings, 'train.lrWeights')?.message).toBe('20 is above the maximum 10; using 10.');
    expect(value.config.train.batchSize).toBe(512);
    expect(warningAt(warnings, 'train.batchSize')?.message).toBe('1000 is above the maximum 512; using 512.');
    expect(value.config.train.epochs).toBe(3);
    expect(warningAt(warnings, 'train.epochs')?.message).toBe('2.6 is not a whole number; using 3.');
    expect(value.config.inputSize).toBe(16);
    expect(warningAt(warnings, 'inputSize')?.message).toBe('8 is below the minimum 16; using 16.');
    expect(value.config.gumbel.decay).toBe(1);
    expect(value.config.loss.beta).toBe(2);
    expect(warnings).toHaveLength(6);
  });

  it('replaces values outside open bounds or of the wrong type by the default', () => {
    const s = withConfig((c) => {
      c.train.lrTheta = -1;
      c.train.valFraction = 0.95;
      c.gumbel.tau0 = 0;
      c.seeds.data = -5;
      (c.gumbel as { hard: unknown }).hard = 'yes';
      (c.train as { stepsPerEpoch: unknown }).stepsPerEpoch = NaN; // JSON carries it as null
      (c as { strategy: string }).strategy = 'darts';
    });
    const { value, warnings } = decodeShare(encodeShare(s), CTX);
    expect(value.config).toStrictEqual(DEFAULT_EXPERIMENT);
    expect(warningAt(warnings, 'train.lrTheta')?.message).toBe(
      `-1 must be greater than 0; using the default ${DEFAULT_EXPERIMENT.train.lrTheta}.`,
    );
    expect(warningAt(warnings, 'train.valFraction')?.message).toBe(
      '0.95 must be less than 0.9; using the default 0.2.',
    );
    expect(warningAt(warnings, 'gumbel.tau0')?.message).toBe(
      '0 must be greater than 0; using the default 5.',
    );
    expect(warningAt(warnings, 'seeds.data')?.message).toBe(
      '-5 is not a whole number from 0 to 4294967295; using the default 4.',
    );
    expect(warningAt(warnings, 'gumbel.hard')?.message).toBe(
      'expected true or false, got "yes"; using the default true.',
    );
    expect(warningAt(warnings, 'train.stepsPerEpoch')?.message).toBe(
      'expected a number, got null; using the default 60.',
    );
    expect(warningAt(warnings, 'strategy')?.message).toBe(
      '"darts" is not one of "fbnet-v1", "fbnet-v2", "spos"; using the default "fbnet-v1".',
    );
    expect(warnings).toHaveLength(7);
  });

  it('keeps warm-up within the epochs and cuts over-long text', () => {
    const s = withConfig((c) => {
      c.train.epochs = 5;
      c.train.warmupEpochs = 9;
      c.title = 'a'.repeat(130);
    });
    const { value, warnings } = decodeShare(encodeShare(s), CTX);
    expect(value.config.train.warmupEpochs).toBe(5);
    expect(warningAt(warnings, 'train.warmupEpochs')?.message).toBe(
      '9 warm-up epochs exceed the 5 epochs; using 5.',
    );
    expect(value.config.title).toBe('a'.repeat(120));
    expect(warningAt(warnings, 'title')?.message).toBe(
      'text longer than 120 characters; using the first 120.',
    );
  });

  it('an unknown user dataset falls back to the default synthetic dataset and names the missing one', () => {
    const s = withConfig((c) => (c.dataset = { kind: 'user', name: 'grandmas-photos' }));
    const { value, warnings } = decodeShare(encodeShare(s), CTX);
    expect(value.config.dataset).toStrictEqual(V1_DEFAULTS.dataset);
    expect(warnings).toEqual([
      {
        path: 'dataset',
        message:
          'dataset "grandmas-photos" is not on this device (import it on the Data page first); ' +
          'using the default synthetic dataset (512 faces, 64 px) instead.',
      },
    ]);
    // without a list of local datasets the name is kept unchecked
    expect(decodeShare(encodeShare(s), { ...CTX, datasets: undefined }).value.config.dataset).toStrictEqual({
      kind: 'user',
      name: 'grandmas-photos',
    });
  });

  it('an unknown space falls back to the default space, or the first known one', () => {
    const s = withConfig((c) => (c.space = 'mystery'));
    const a = decodeShare(encodeShare(s), CTX);
    expect(a.value.config.space).toBe('classroom');
    expect(a.warnings).toEqual([
      { path: 'space', message: 'unknown search space "mystery"; using "classroom".' },
    ]);
    const b = decodeShare(encodeShare(s), { ...CTX, spaces: ['pfld', 'fbnet-v1'] });
    expect(b.value.config.space).toBe('pfld');
  });

  it('unknown candidates are removed; a layer left with none keeps its own candidates', () => {
    const s = withConfig(
      (c) => (c.candidateEdits = { 3: ['k3_e1', 'k9_e9', 'skip'], 5: ['nope'], 7: ['skip', 'skip'] }),
    );
    const { value, warnings } = decodeShare(encodeShare(s), CTX);
    expect(value.config.candidateEdits).toStrictEqual({ 3: ['k3_e1', 'skip'], 7: ['skip'] });
    expect(warningAt(warnings, 'candidateEdits.7')?.message).toBe(
      'repeated candidate names; each is used once.',
    );
    expect(warningAt(warnings, 'candidateEdits.3')?.message).toBe(
      'unknown candidate block "k9_e9" removed; using k3_e1, skip.',
    );
    expect(warningAt(warnings, 'candidateEdits.5')?.message).toBe(
      'unknown candidate block "nope" removed; the layer keeps its own candidates.',
    );
  });

  it('an invalid result architecture is dropped, the experiment still opens', () => {
    const arch = {
      name: 'bad',
      input: { size: 64, channels: 3 },
      body: [{ kind: 'ir', k: 3, e: 6, out: 0, stride: 1 }],
      head: { kind: 'classifier', classes: 2 },
    } as Arch;
    const { value, warnings } = decodeShare(
      encodeShare({ config: DEFAULT_EXPERIMENT, result: { arch, metrics: { nme: -1 } } }),
      CTX,
    );
    expect(value).toStrictEqual({ config: DEFAULT_EXPERIMENT });
    expect(warnings).toEqual([
      {
        path: 'result.arch',
        message:
          'the result architecture is invalid (block 0 (ir) has an invalid "out": 0); the link opens without a result.',
      },
    ]);
  });

  it('drops invalid metrics and an invalid optional field, and reports unknown fields', () => {
    const token = pack({
      lk: 42,
      zz: 1,
      r: { a: { n: 'a', i: [64, 3], b: [['s', 8, 2]], h: ['c', 2] }, m: { n: 'x', s: 5 } },
    });
    const { value, warnings } = decodeShare(token, CTX);
    // fields absent from a link mean the wire defaults, whatever the app's defaults are now
    expect(value.config.loss).toStrictEqual(V1_DEFAULTS.loss);
    expect('latencyTable' in value.config.loss).toBe(false);
    expect(value.result?.metrics).toStrictEqual({ steps: 5 });
    expect(value.result?.arch.body).toStrictEqual([{ kind: 'skip', out: 8, stride: 2 }]);
    expect(warnings.map((w) => w.message)).toEqual([
      'unknown field "zz" in the link; it was ignored.',
      'expected text, got 42; the field was left out.',
      '"x" is not a valid nme; it is not shown.',
    ]);
  });

  it('a link from a newer app asks for a newer app', () => {
    for (const t of ['2.AAAAAAAA', '17z.AAAA']) {
      const e = shareError(() => decodeShare(t, CTX));
      expect(e.code).toBe('newer-version');
      expect(e.message).toMatch(/newer version of NAS Playground.*Reload the page/);
    }
  });

  it('a truncated link is reported as incomplete', () => {
    const big = encodeShare({ config: { ...DEFAULT_EXPERIMENT, title: 'truncate me '.repeat(20) } });
    expect(big.startsWith('1z.')).toBe(true);
    const small = encodeShare(smallLink());
    expect(small.startsWith('1.')).toBe(true);
    for (const t of [big, small]) {
      for (const cut of [1, 2, 3, 5, Math.floor(t.length / 2)]) {
        const e = shareError(() => decodeShare(t.slice(0, t.length - cut), CTX));
        expect(e.code).toBe('corrupt');
        expect(e.message).toMatch(/^This link is incomplete or has been altered/);
      }
    }
  });

  it('a tampered link fails its checksum', () => {
    const t = encodeShare(smallLink());
    const i = 10; // a character whose 6 bits all land in the payload
    const tampered = t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1);
    const e = shareError(() => decodeShare(tampered, CTX));
    expect(e.code).toBe('corrupt');
    expect(e.message).toContain('its checksum does not match');
    // switching the compression marker is tampering too
    expect(shareError(() => decodeShare(t.replace('1.', '1z.'), CTX)).code).toBe('corrupt');
  });

  it('rejects empty, foreign, oversized and non-experiment links', () => {
    expect(shareError(() => decodeShare('  ', CTX)).code).toBe('empty');
    expect(shareError(() => decodeShare('hello world', CTX)).code).toBe('not-a-share-link');
    expect(shareError(() => decodeShare('1.' + 'A'.repeat(20_000), CTX)).code).toBe('too-long');
    const e = shareError(() => decodeShare(pack([1, 2, 3]), CTX));
    expect(e.code).toBe('invalid');
    expect(e.message).toBe('This link is intact but does not describe an experiment.');
  });

  it('a decompression bomb is refused', () => {
    const e = shareError(() => decodeShare(pack({ t: 'x'.repeat(200_000) }), CTX));
    expect(e.code).toBe('corrupt');
  });
});

describe('share codec: migrations', () => {
  const v0Link = (p: object) => '0.' + toBase64Url(new TextEncoder().encode(JSON.stringify(p)));

  it('reads a v0 link (flat keys, single seed) into a v1 experiment', () => {
    const { value, warnings } = decodeShare(
      v0Link({
        title: 'Old link',
        space: 'pfld',
        dataset: 'synth',
        faces: 256,
        difficulty: 0.25,
        inputSize: 96,
        batch: 32,
        epochs: 20,
        steps: 10,
        warmup: 3,
        lr: 0.05,
        lrArch: 0.001,
        temperature: 4,
        temperatureDecay: 0.9,
        alpha: 0.3,
        beta: 0.5,
        cost: 'params',
        seed: 7,
        candidates: { 2: 'k3_e1,k5_e6' },
      }),
      CTX,
    );
    expect(warnings).toEqual([]);
    expect(value.config).toStrictEqual({
      ...DEFAULT_EXPERIMENT,
      title: 'Old link',
      space: 'pfld',
      candidateEdits: { 2: ['k3_e1', 'k5_e6'] },
      dataset: { kind: 'synthface', count: 256, size: 96, difficulty: 0.25, seed: 7 },
      inputSize: 96,
      strategy: 'fbnet-v1',
      train: {
        ...DEFAULT_EXPERIMENT.train,
        batchSize: 32,
        epochs: 20,
        stepsPerEpoch: 10,
        warmupEpochs: 3,
        lrWeights: 0.05,
        lrTheta: 0.001,
      },
      gumbel: { tau0: 4, decay: 0.9, hard: false },
      loss: { alpha: 0.3, beta: 0.5, cost: 'params' },
      seeds: { split: 7, init: 8, gumbel: 9, data: 10 },
    });
  });

  it('migrated values are validated like any other', () => {
    const { value, warnings } = decodeShare(v0Link({ dataset: 'class-photos', lr: 99 }), CTX);
    expect(value.config.dataset).toStrictEqual(V1_DEFAULTS.dataset);
    expect(value.config.train.lrWeights).toBe(10);
    expect(warnings.map((w) => w.path).sort()).toEqual(['dataset', 'train.lrWeights']);
    expect(warningAt(warnings, 'dataset')?.message).toContain('"class-photos" is not on this device');
  });
});
