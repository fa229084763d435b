import { test, expect, type Page } from '@playwright/test';
import { fillTiny, openSearch } from './helpers.ts';
import { logFault } from '../scripts/fault-log.ts';

interface Violation {
  directive: string;
  blocked: string;
  source: string;
}

/** Collects `securitypolicyviolation` events of the page, and the console's CSP reports (workers too). */
async function watchViolations(page: Page): Promise<{ console: string[] }> {
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: Violation[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      w.__csp.push({ directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile }),
    );
  });
  const seen = { console: [] as string[] };
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) seen.console.push(m.text());
  });
  return seen;
}
const violations = (page: Page) => page.evaluate(() => (window as unknown as { __csp: Violation[] }).__csp);

test('fault: content-security-policy — a tiny search and an ONNX export run with no violation', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const seen = await watchViolations(page);
  const response = await page.goto('./?backend=cpu#/search');
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
  await expect(page.locator('meta[http-equiv="Content-Security-Policy"]')).toHaveAttribute(
    'content',
    /worker-src 'self'/,
  );

  await page.waitForTimeout(500);
  expect(await violations(page)).toEqual([]);
  // the policy is live: an inline script is refused and reported (then the slate is cleaned)
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    document.head.append(s);
  });
  // (reported once per policy in force: the header's and the meta's)
  await expect
    .poll(async () => (await violations(page)).map((v) => v.directive))
    .toContain('script-src-elem');
  expect(await page.evaluate(() => 'inlineRan' in window || '__inlineRan' in window)).toBe(false);
  await page.evaluate(() => ((window as unknown as { __csp: Violation[] }).__csp = []));
  seen.console.length = 0;

  await openSearch(page, 'cpu');
  await fillTiny(page, { 'tr-epochs': '1', 'tr-steps': '2' });
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('finished', { timeout: 180_000 });
  await page.getByRole('link', { name: 'Results & Export' }).click();
  await page.getByRole('button', { name: 'Derive most likely (argmax)' }).click();
  await expect(page.getByTestId('results-arch')).toContainText('Derived (argmax)');
  // the export's parity check runs onnxruntime-web's wasm in the worker, under the worker's own policy
  await page.getByRole('button', { name: 'Export to ONNX and check' }).click();
  await expect(page.getByTestId('parity-diff')).toBeVisible({ timeout: 120_000 });
  expect(Number(await page.getByTestId('parity-diff').textContent())).toBeLessThan(1e-4);
  // the data area too: thumbnails, the SynthFace grid (canvases and inline styles)
  await page.getByRole('link', { name: 'Data', exact: true }).click();
  await expect(page.getByTestId('synth-grid').locator('canvas').first()).toBeVisible();

  const found = await violations(page);
  logFault('content-security-policy violation', 1, found.length === 0 && seen.console.length === 0 ? 1 : 0);
  expect(found).toEqual([]);
  expect(seen.console).toEqual([]);
});
