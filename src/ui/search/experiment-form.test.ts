/**
 * The experiment form and share links accept the same numbers: the rendered form's inputs carry the codec's
 * bounds, every number a link carries has an input, and what the form keeps is what a link decodes to.
 */
import fc from 'fast-check';
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EXPERIMENT,
  DEFAULT_V2,
  readNumber,
  sposConfig,
  writeNumber,
  type NumberPath,
} from '../../nas/index.ts';
import { decodeShare, encodeShare, type ShareContext } from '../../share/index.ts';
import { MAX_UINT32, type Rule } from '../../share/rules.ts';
import { FIELDS, SYNTH_FIELDS } from '../../share/wire-v1.ts';
import { search, SearchSession } from '../state/search.svelte.ts';
import ExperimentForm from './ExperimentForm.svelte';
import { accepts, NUMBER_INPUTS, OPTION_INPUTS } from './number-inputs.ts';

const CTX: ShareContext = { spaces: ['classroom'], candidates: ['k3_e1', 'skip'] };

/** The codec's rule for every number a link carries, by config path. */
const codecRules = new Map<string, Rule>(
  [
    ...FIELDS.map((f) => [f.path, f.rule] as const),
    ...SYNTH_FIELDS.map((f) => [`dataset.${f.path}`, f.rule] as const),
  ].filter(([, r]) => r.t === 'int' || r.t === 'num' || r.t === 'seed'),
);

/** min, max and step an `<input>` must have to accept exactly what the rule accepts. */
function inputBounds(r: Rule): { min: string; max: string; step: string } {
  if (r.t === 'seed') return { min: '0', max: String(MAX_UINT32), step: '1' };
  if (r.t === 'int') return { min: String(r.min), max: String(r.max), step: '1' };
  if (r.t === 'num') return { min: String(r.min), max: String(r.max), step: 'any' };
  throw new Error(`not a number rule: ${r.t}`);
}

/** The number inputs of the server-rendered form, by id, with their attributes. */
function renderedNumberInputs(): Map<string, Record<string, string>> {
  const { body } = render(ExperimentForm, { props: {} });
  const out = new Map<string, Record<string, string>>();
  for (const tag of body.match(/<input\b[^>]*>/g) ?? []) {
    const attrs = Object.fromEntries([...tag.matchAll(/([a-z-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (attrs.type !== 'number') continue;
    expect(out.has(attrs.id), `duplicate id ${attrs.id}`).toBe(false);
    out.set(attrs.id, attrs);
  }
  return out;
}

const pathOf = (id: string): NumberPath => {
  const f = NUMBER_INPUTS.find((x) => x.id === id);
  if (!f) throw new Error(`input #${id} is not in the form's table`);
  return f.path;
};

describe('experiment form and share codec share one field table', () => {
  const inputs = renderedNumberInputs();

  it('the form renders exactly the table, one input per number a link carries', () => {
    expect([...inputs.keys()]).toEqual(NUMBER_INPUTS.map((f) => f.id));
    expect(NUMBER_INPUTS.map((f) => f.path).sort()).toEqual([...codecRules.keys()].sort());
  });

  it("every form field's min, max and step equal the codec's", () => {
    expect(inputs.size).toBe(22);
    for (const [id, attrs] of inputs) {
      const rule = codecRules.get(pathOf(id))!;
      expect({ min: attrs.min, max: attrs.max, step: attrs.step }, id).toEqual(inputBounds(rule));
    }
  });

  it('keeps the ids, labels and defaults the e2e tests and classroom links use', () => {
    for (const id of ['ds-count', 'ds-size', 'ds-difficulty', 'ds-seed', 'exp-input', 'tr-batch'])
      expect(inputs.has(id)).toBe(true);
    for (const id of ['tr-epochs', 'tr-steps', 'tr-warmup', 'tr-lrw', 'tr-lrt', 'tr-wd', 'gs-tau0'])
      expect(inputs.has(id)).toBe(true);
    for (const id of [
      'gs-decay',
      'gs-greedy',
      'ls-alpha',
      'ls-beta',
      'sd-split',
      'sd-init',
      'sd-gumbel',
      'sd-data',
    ])
      expect(inputs.has(id)).toBe(true);
    for (const [id, attrs] of inputs)
      expect(Number(attrs.value), id).toBe(readNumber(DEFAULT_EXPERIMENT, pathOf(id)));
  });
});

describe('what the form keeps is what a link carries', () => {
  it('says in words what an input accepts', () => {
    const byId = (id: string) => NUMBER_INPUTS.find((f) => f.id === id)!;
    expect(accepts(byId('tr-warmup'))).toBe('whole numbers from 0 to 1000, at most the epochs');
    expect(accepts(byId('tr-lrw'))).toBe('numbers above 0 to 10');
    expect(accepts(byId('tr-val'))).toBe('numbers above 0 and below 0.9');
    expect(accepts(byId('ds-difficulty'))).toBe('numbers from 0 to 1');
    expect(accepts(byId('sd-init'))).toBe('whole numbers from 0 to 4294967295');
  });

  /** Any number, often near a field's bounds. */
  const raw = fc.oneof(
    fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
    fc.double({ noNaN: true, min: -2, max: 2 }),
    fc.integer({ min: -10, max: 1100 }),
    fc.constantFrom(0, 1, 0.9, 16, 256, 512, 100_000, MAX_UINT32, MAX_UINT32 + 1, NaN),
  );

  it('a value the form keeps decodes from a link without a warning, and is what the link repairs to', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NUMBER_INPUTS), raw, (f, v) => {
        const form = new SearchSession();
        const kept = form.setNumber(f.path, v);
        expect(readNumber(form.config, f.path)).toBe(kept);
        // the kept config travels in a link unchanged
        const config = form.snapshot();
        const back = decodeShare(encodeShare({ config }), CTX);
        expect(back.warnings).toEqual([]);
        expect(back.value.config).toStrictEqual(config);
        // the same raw number in a link decodes to what the form kept
        const linked = structuredClone(DEFAULT_EXPERIMENT);
        writeNumber(linked, f.path, v);
        const fromLink = decodeShare(encodeShare({ config: linked }), CTX).value.config;
        // (+ 0: the codec may round a tiny negative to -0, the same number)
        expect(readNumber(fromLink, f.path)! + 0, `${f.path} ← ${v}`).toBe(kept);
      }),
      { numRuns: 400 },
    );
  });
});

describe('a field added after v1 (gumbel.greedy) on a config from before it', () => {
  it('reads as what its absence means, and the form can set it', () => {
    const form = new SearchSession();
    form.edit((c) => {
      delete c.gumbel.greedy;
    });
    expect(readNumber(form.config, 'gumbel.greedy')).toBe(0);
    expect(form.setNumber('gumbel.greedy', 0.4)).toBe(0.4);
    expect(form.snapshot().gumbel.greedy).toBe(0.4);
    // a user dataset has no synthetic fields: nothing to read, nothing written
    form.edit((c) => (c.dataset = { kind: 'user', name: 'mine' }));
    expect(readNumber(form.config, 'dataset.count')).toBeUndefined();
    expect(form.setNumber('dataset.count', 5)).toBeUndefined();
  });
});

describe('greedy weight steps are offered only where they act', () => {
  const greedyInput = () =>
    render(ExperimentForm, { props: {} }).body.match(/<input id="gs-greedy"[^>]*>/)![0];

  it('enabled for FBNet V1 with a single path; disabled, saying why, for all paths, FBNetV2 and SPOS', () => {
    expect(greedyInput()).not.toContain('disabled');
    try {
      search.setPaths('all');
      expect(greedyInput()).toContain('disabled');
      expect(greedyInput()).toContain('all candidates train on every step');
      search.setPaths('single');
      search.edit((c) => (c.strategy = 'fbnet-v2'));
      expect(greedyInput()).toContain('this strategy draws its own paths');
      search.edit((c) => Object.assign(c, sposConfig(structuredClone(DEFAULT_EXPERIMENT))));
      expect(search.config.gumbel.greedy).toBeUndefined(); // SPOS samples uniformly: no coin drawn
      expect(greedyInput()).toContain('disabled');
    } finally {
      search.config = structuredClone(DEFAULT_EXPERIMENT);
    }
  });
});

describe("FBNetV2's option lists: the form keeps what a link carries", () => {
  it('a list the form keeps decodes from a link unchanged, one it refuses would warn', () => {
    const option = fc.oneof(
      fc.constantFrom(0, 0.25, 0.5, 1, 2, 3, 8, 9, -1),
      fc.double({ noNaN: true, min: -2, max: 10 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...OPTION_INPUTS), fc.array(option, { maxLength: 10 }), (o, list) => {
        const form = new SearchSession();
        form.edit((c) => (c.strategy = 'fbnet-v2'));
        const kept = form.setOptions(o.kind, list);
        const sorted = [...new Set(list)].sort((a, b) => a - b);
        const config = structuredClone(DEFAULT_EXPERIMENT);
        config.v2 = { ...structuredClone(DEFAULT_V2), [o.kind]: sorted };
        const back = decodeShare(encodeShare({ config }), CTX);
        expect(back.warnings.length === 0, `${o.kind} ${JSON.stringify(sorted)}`).toBe(kept);
        if (kept) expect(form.snapshot().v2).toStrictEqual(back.value.config.v2);
      }),
      { numRuns: 300 },
    );
  });

  it('the form renders the option lists from the table', () => {
    expect(render(ExperimentForm, { props: {} }).body).not.toContain('id="v2-'); // FBNet V1 by default
    search.edit((c) => (c.strategy = 'fbnet-v2'));
    try {
      const { body } = render(ExperimentForm, { props: {} });
      const ids = [...body.matchAll(/<input id="(v2-[^"]+)" type="text" value="([^"]*)"/g)];
      expect(ids.map((m) => [m[1], m[2]])).toEqual(
        OPTION_INPUTS.map((o) => [o.id, DEFAULT_V2[o.kind].join(', ')]),
      );
    } finally {
      search.config = structuredClone(DEFAULT_EXPERIMENT);
    }
  });
});

describe('paths per step (gumbel.paths)', () => {
  const pathsControl = (body: string) => ({
    select: body.match(/<select id="gs-paths"[\s\S]*?<\/select>/)?.[0] ?? '',
    hard: body.match(/<input id="gs-hard"[^>]*>/)?.[0] ?? '',
  });

  it("offers FBNet's all-paths mixture and GDAS's single path (the default), labelled", () => {
    const { select, hard } = pathsControl(render(ExperimentForm, { props: {} }).body);
    expect(select).toMatch(/<option value="all"[^>]*>all candidates \(FBNet\)<\/option>/);
    expect(select).toMatch(/<option value="single"[^>]*>single sampled path \(GDAS\)<\/option>/);
    expect(hard).toContain('disabled');
    search.setPaths('all');
    try {
      expect(pathsControl(render(ExperimentForm, { props: {} }).body).hard).not.toContain('disabled');
    } finally {
      search.config = structuredClone(DEFAULT_EXPERIMENT);
    }
  });

  it("'single' shows hard sampling on and fixed; 'all' is stored as no field", () => {
    const form = new SearchSession();
    form.setPaths('all');
    expect(form.snapshot().gumbel).toStrictEqual({
      tau0: 5,
      decay: 0.956,
      hard: true,
      greedy: 0.7,
      thetaGradient: 'score',
    });
    form.setPaths('single');
    expect(form.snapshot().gumbel).toStrictEqual(DEFAULT_EXPERIMENT.gumbel);
    search.setPaths('single');
    try {
      const { body } = render(ExperimentForm, { props: {} });
      const { hard } = pathsControl(body);
      expect(hard).toContain('checked');
      expect(hard).toContain('disabled');
      expect(body).toContain('Single path (GDAS)');
    } finally {
      search.config = structuredClone(DEFAULT_EXPERIMENT);
    }
  });
});
