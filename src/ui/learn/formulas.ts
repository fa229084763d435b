/** The lessons' formulas as MathML (mathml.ts), one named entry per formula a section shows. */
import { cases, fn, frac, mi, mn, mo, paren, row, space, sub, sum, sup, text } from './mathml.ts';

const theta = (i: string) => sub(mi('θ'), mi(i));
const g = (i: string) => sub(mi('g'), mi(i));

export const FORMULAS = {
  /** FBNet eq. 8: m_i = exp((θ_i + g_i)/τ) / Σ_j exp((θ_j + g_j)/τ). */
  gumbelSoftmax: row(
    sub(mi('m'), mi('i')),
    mo('='),
    frac(
      sup(fn('e'), row(paren(theta('i'), mo('+'), g('i')), mo('/'), mi('τ'))),
      row(sum(mi('j')), sup(fn('e'), row(paren(theta('j'), mo('+'), g('j')), mo('/'), mi('τ')))),
    ),
    mo(','),
    space(),
    g('i'),
    mo('='),
    mo('−'),
    fn('log'),
    paren(mo('−'), fn('log'), sub(mi('u'), mi('i'))),
    mo(','),
    space(),
    sub(mi('u'), mi('i')),
    mo('∼'),
    fn('U'),
    paren(mn(0), mo(','), mn(1)),
  ),
  /** Gumbel-max: P(argmax_i(θ_i + g_i) = k) = softmax(θ)_k. */
  gumbelMax: row(
    fn('P'),
    paren(sub(fn('argmax'), mi('i')), paren(theta('i'), mo('+'), g('i')), mo('='), mi('k')),
    mo('='),
    frac(sup(fn('e'), theta('k')), row(sum(mi('j')), sup(fn('e'), theta('j')))),
  ),
  /** FBNet's temperature schedule. */
  schedule: row(
    mi('τ'),
    paren(mi('epoch')),
    mo('='),
    sub(mi('τ'), mn(0)),
    mo('·'),
    sup(mi('decay'), mi('epoch')),
  ),
  /** FBNet eq. 2 with eq. 9's expected cost. */
  loss: row(
    mi('L'),
    paren(mi('a'), mo(','), mi('w')),
    mo('='),
    fn('CE'),
    paren(mi('a'), mo(','), mi('w')),
    mo('·'),
    mi('α'),
    mo('·'),
    fn('log'),
    sup(paren(fn('COST'), paren(mi('a'))), mi('β')),
  ),
  /** Eq. 9: the expected cost of the sampled mixture. */
  expectedCost: row(
    fn('COST'),
    paren(mi('a')),
    mo('='),
    sum(mi('l')),
    sum(mi('i')),
    sub(mi('m'), row(mi('l'), mo(','), mi('i'))),
    mo('·'),
    sub(fn('cost'), row(mi('l'), mo(','), mi('i'))),
  ),
  /**
   * Forward MACs of one image in a step: all paths (FBNet) run every candidate of every searchable layer;
   * a single path (GDAS) runs the one candidate s_l drawn at each layer.
   */
  stepCost: row(
    sub(fn('MACs'), fn('all')),
    mo('='),
    fn('fixed'),
    mo('+'),
    sum(mi('l')),
    sum(mi('i')),
    sub(fn('cost'), row(mi('l'), mo(','), mi('i'))),
    mo(','),
    space(),
    sub(fn('MACs'), fn('single')),
    mo('='),
    fn('fixed'),
    mo('+'),
    sum(mi('l')),
    sub(fn('cost'), row(mi('l'), mo(','), sub(mi('s'), mi('l')))),
  ),
  /** FBNet eq. 3: a network's latency from the lookup table, fixed part plus one entry per layer. */
  latTable: row(
    fn('LAT'),
    paren(mi('a')),
    mo('='),
    sub(fn('LAT'), fn('fixed')),
    mo('+'),
    sum(mi('l')),
    sub(fn('LUT'), mi('l')),
    paren(sub(mi('a'), mi('l'))),
    mo(','),
    space(),
    mi('L'),
    paren(mi('a')),
    mo('='),
    fn('CE'),
    mo('·'),
    mi('α'),
    mo('·'),
    fn('log'),
    sup(paren(fn('LAT'), paren(mi('a'))), mi('β')),
  ),
  /** Kendall's τ over the pairs of n candidates: concordant minus discordant pairs over all pairs. */
  kendall: row(
    mi('τ'),
    mo('='),
    frac(row(mi('C'), mo('−'), mi('D')), row(mi('n'), paren(mi('n'), mo('−'), mn(1)), mo('/'), mn(2))),
  ),
  /** FBNetV3's early stop: the first checkpoint whose ranking agrees with the final one by at least a threshold. */
  earlyStop: row(
    sup(mi('s'), mo('*')),
    mo('='),
    fn('min'),
    space(),
    mo('{'),
    mi('s'),
    mo(':'),
    mi('τ'),
    paren(sub(fn('rank'), mi('s')), mo(','), sub(fn('rank'), fn('final'))),
    mo('≥'),
    sub(mi('τ'), fn('stop')),
    mo('}'),
  ),
  /** The fine stage: for each budget, the predicted-best (architecture, recipe) that fits it. */
  pareto: row(
    sup(paren(mi('a'), mo(','), mi('h')), mo('*')),
    paren(mi('B')),
    mo('='),
    sub(fn('argmin'), row(fn('MACs'), paren(mi('a')), mo('≤'), mi('B'))),
    space(),
    sub(fn('NME'), fn('pred')),
    paren(mi('a'), mo(','), mi('h')),
  ),
  /** DMaskingNAS: the mask over channels, one shared weight. */
  channelMask: row(
    mi('M'),
    mo('='),
    sum(mi('i')),
    g('i'),
    mo('·'),
    sub(mi('l'), mi('i')),
    mo(','),
    space(),
    sub(mi('l'), mi('i')),
    mo('='),
    row(
      mo('['),
      sup(mn(1), sub(mi('c'), mi('i'))),
      mo(','),
      sup(mn(0), row(sub(mi('c'), mi('k')), mo('−'), sub(mi('c'), mi('i')))),
      mo(']'),
    ),
    mo(','),
    space(),
    mi('y'),
    mo('='),
    mi('b'),
    paren(mi('x')),
    mo('∘'),
    mi('M'),
  ),
  /** Effective width: differentiable in g. */
  effectiveWidth: row(sub(mi('c'), fn('eff')), mo('='), sum(mi('i')), g('i'), mo('·'), sub(mi('c'), mi('i'))),
  /** A 3×3 convolution's MACs at the effective width. */
  effectiveMacs: row(
    sub(fn('MACs'), fn('eff')),
    mo('='),
    mi('H'),
    mo('·'),
    mi('W'),
    mo('·'),
    sup(mi('k'), mn(2)),
    mo('·'),
    sub(mi('c'), fn('in')),
    mo('·'),
    sub(mi('c'), fn('eff')),
  ),
  /** Subsampling with interspersed zeros at factor f. */
  subsample: row(
    sub(mi('x'), mi('f')),
    paren(mi('i'), mo(','), mi('j')),
    mo('='),
    cases(
      [
        row(mi('x'), paren(mi('i'), mo(','), mi('j'))),
        row(mi('f'), mo('∣'), mi('i'), text(' and '), mi('f'), mo('∣'), mi('j')),
      ],
      [mn(0), text(' otherwise')],
    ),
  ),
} as const;

export type FormulaId = keyof typeof FORMULAS;

/** Plain-text reading of each formula, for the `<math alttext>` and screen readers that skip MathML. */
export const FORMULA_TEXT: Record<FormulaId, string> = {
  gumbelSoftmax:
    'm i equals exp of (theta i plus g i) over tau, divided by the sum over j of the same; g i is minus log of minus log of a uniform draw',
  gumbelMax: 'the probability that the argmax of theta plus g is k equals softmax of theta at k',
  schedule: 'tau at an epoch equals tau zero times decay to the power of the epoch',
  loss: 'the loss equals cross-entropy times alpha times log of the cost, to the power beta',
  stepCost:
    'MACs with all paths equal the fixed cost plus the sum over layers and candidates of the candidate cost; with a single path, the fixed cost plus the sum over layers of the cost of the drawn candidate s l',
  expectedCost:
    'the cost equals the sum over layers and candidates of the sample weight times the candidate cost',
  channelMask:
    'the mask M is the sum over options of g i times the mask l i, which keeps the first c i channels; the output is b of x times M channel by channel',
  effectiveWidth: 'the effective width is the sum over options of g i times c i',
  effectiveMacs:
    'effective MACs equal H times W times k squared times input channels times the effective width',
  latTable:
    'the latency of architecture a equals the fixed part plus, for each layer, the table entry of the block chosen there; the loss is cross-entropy times alpha times log of that latency, to the power beta',
  kendall: 'Kendall tau equals concordant pairs minus discordant pairs, over n times n minus 1 over 2 pairs',
  earlyStop:
    'the early-stop step s star is the first step s whose ranking of the candidates has a Kendall tau with the final ranking of at least the threshold',
  pareto:
    'for a budget B, the chosen architecture and recipe minimise the predicted NME among those whose MACs are at most B',
  subsample: 'x at factor f keeps pixel i, j when f divides both i and j, and is zero elsewhere',
};
