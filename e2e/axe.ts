import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** The WCAG levels the developers' guide holds every area to. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs axe on the page as it is now and fails listing every serious or critical violation (rule, impact,
 * help and the offending elements), so one run shows all there is to fix. Minor and moderate findings are
 * printed but do not fail: the acceptance bar is "no serious or critical violation".
 */
export async function expectNoSeriousAxeViolations(page: Page, label: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const describe = (v: (typeof result.violations)[number]) =>
    `${v.id} [${v.impact}] ${v.help}\n` +
    v.nodes
      .slice(0, 8)
      .map(
        (n) =>
          `    ${n.target.join(' ')}${n.failureSummary ? ` — ${n.failureSummary.split('\n')[1]?.trim() ?? ''}` : ''}`,
      )
      .join('\n') +
    (v.nodes.length > 8 ? `\n    … and ${v.nodes.length - 8} more` : '');
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const other = result.violations.filter((v) => !serious.includes(v));
  if (other.length) console.log(`axe (${label}), minor/moderate:\n  ${other.map(describe).join('\n  ')}`);
  expect(serious.map(describe), `serious or critical axe violations on ${label}`).toEqual([]);
}
