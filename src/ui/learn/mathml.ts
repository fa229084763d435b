/**
 * A tiny MathML builder for the lessons' formulas: Chromium, Firefox and Safari render MathML Core
 * natively, so a handful of formulas need no typesetting library. Every leaf's text is escaped; the result
 * is markup for `{@html}` inside a `<math>` element (Formula.svelte).
 */
export type MathNode = string & { readonly __mathml: true };

const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const node = (markup: string): MathNode => markup as MathNode;
const wrap = (tag: string, kids: MathNode[]): MathNode => node(`<${tag}>${kids.join('')}</${tag}>`);

/** An identifier (italic when one letter, as MathML does). */
export const mi = (name: string): MathNode => node(`<mi>${escape(name)}</mi>`);
/** An upright name such as softmax or log. */
export const fn = (name: string): MathNode => node(`<mi mathvariant="normal">${escape(name)}</mi>`);
export const mn = (value: string | number): MathNode => node(`<mn>${escape(String(value))}</mn>`);
export const mo = (op: string): MathNode => node(`<mo>${escape(op)}</mo>`);
export const row = (...kids: MathNode[]): MathNode => wrap('mrow', kids);
export const frac = (num: MathNode, den: MathNode): MathNode => wrap('mfrac', [num, den]);
export const sup = (base: MathNode, exp: MathNode): MathNode => wrap('msup', [base, exp]);
export const sub = (base: MathNode, index: MathNode): MathNode => wrap('msub', [base, index]);
export const subsup = (base: MathNode, index: MathNode, exp: MathNode): MathNode =>
  wrap('msubsup', [base, index, exp]);
/** ( … ) that stretch with their content. */
export const paren = (...kids: MathNode[]): MathNode => row(mo('('), ...kids, mo(')'));
/** Σ with a lower index. */
export const sum = (index: MathNode): MathNode =>
  wrap('munder', [node('<mo largeop="true" movablelimits="false">∑</mo>'), index]);
/** Words inside a formula, with the spaces kept. */
export const text = (words: string): MathNode =>
  node(`<mtext>${escape(words).replace(/ /g, '&#160;')}</mtext>`);
/** Horizontal space between the parts of a formula. */
export const space = (): MathNode => node('<mspace width="1em"></mspace>');
/** A left brace over rows of [value, condition] (a piecewise definition). */
export const cases = (...rows: [MathNode, MathNode][]): MathNode =>
  row(
    mo('{'),
    node(
      `<mtable columnalign="left">${rows.map(([v, c]) => `<mtr><mtd>${v}</mtd><mtd>${c}</mtd></mtr>`).join('')}</mtable>`,
    ),
  );
