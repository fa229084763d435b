import { test, expect } from '@playwright/test';
import { fillTiny, openSearch, stepCount } from './helpers.ts';

/** Channel counts of the classroom space's body (stem, then the five searchable layers). */
const DEFAULT_WIDTHS = [8, 8, 16, 16, 32, 32];

test('an FBNetV2 search shows channel masks updating and derives narrower layers under a high cost weight', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await openSearch(page);
  await fillTiny(page, { 'ls-beta': '2', 'tr-lrt': '0.3' });
  await page.locator('#exp-strategy').selectOption('fbnet-v2');
  await expect(page.locator('#v2-widths')).toHaveValue('0.25, 0.5, 0.75, 1');
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect.poll(() => stepCount(page), { timeout: 150_000 }).toBeGreaterThan(0);

  const strip = page.getByTestId('v2-mask-strip');
  await expect(strip).toBeVisible();
  const first = await strip.getAttribute('data-mask');
  expect(first).toMatch(/\d/);
  // a later step draws new Gumbel weights g, so M changes
  await expect.poll(() => strip.getAttribute('data-mask'), { timeout: 150_000 }).not.toBe(first);
  await expect(page.getByTestId('chart-v2-macs')).toBeVisible();
  await expect(page.getByTestId('v2-explainer')).toBeVisible();

  await expect(page.getByTestId('run-status')).toHaveText('finished', { timeout: 200_000 });
  const derived = page.getByTestId('derived-arch');
  await expect(derived).toBeVisible();
  const labels = await derived.getByTestId('arch-diagram').innerText();
  const widths = [...labels.matchAll(/(\d+)ch/g)].map((m) => Number(m[1]));
  expect(widths.length).toBe(DEFAULT_WIDTHS.length);
  expect(widths.some((w, i) => w < DEFAULT_WIDTHS[i])).toBe(true);
  await page.getByTestId('v2-views').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/v2.png', fullPage: true });
});
