import { test, expect, type Page } from '@playwright/test';
import { fillTiny, openSearch, stepCount } from './helpers.ts';

/** Few runs per candidate: enough to exercise the whole path on SwiftShader in CI time. */
async function fastTiming(page: Page, samples?: number): Promise<void> {
  await page.locator('#lat-warmup').fill('1');
  await page.locator('#lat-repeats').fill('3');
  if (samples !== undefined) await page.locator('#lat-samples').fill(String(samples));
}

test('a latency table is measured, stored, drives a search in ms, and is checked against the device', async ({
  page,
}) => {
  const panel = page.getByTestId('latency-panel');
  await openSearch(page);
  await fillTiny(page);
  await fastTiming(page);
  await panel.getByRole('button', { name: 'Measure latency table' }).click();
  await expect(panel.getByTestId('latency-progress')).toBeVisible();
  await expect(panel.getByTestId('latency-table-row')).toHaveCount(1, { timeout: 120_000 });
  await expect(panel.getByTestId('latency-table-row')).toContainText('classroom');
  await expect(panel.getByTestId('latency-table-row')).toContainText('32px');
  await expect(panel.getByTestId('latency-heatmap')).toBeVisible();
  await expect(panel.getByTestId('latency-error')).toHaveCount(0);

  // stored in IndexedDB: listed again after a reload
  await page.reload();
  await openSearch(page);
  await expect(panel.getByTestId('latency-table-row')).toHaveCount(1);
  await expect(panel.getByTestId('latency-table-row')).toContainText('classroom');

  await fillTiny(page);
  await panel.getByRole('button', { name: 'Use for search' }).click();
  await expect(page.locator('#ls-cost')).toHaveValue('latency');
  await expect(panel.getByTestId('latency-table-row')).toContainText('used by the search');
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/running|finished/, { timeout: 120_000 });
  // past the warm-up epoch (3 steps): architecture steps use the latency cost
  await expect.poll(() => stepCount(page), { timeout: 150_000 }).toBeGreaterThan(4);
  await expect(page.getByTestId('run-status')).not.toHaveText(/diverged|error/);
  await expect(page.getByTestId('chart-cost').locator('.title')).toContainText('ms');
  if ((await page.getByTestId('run-status').textContent()) === 'running') {
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect(page.getByTestId('run-status')).toHaveText(/paused|finished/);
  }

  await fastTiming(page, 5);
  await panel.getByRole('button', { name: 'Check' }).click();
  await expect(panel.getByTestId('latency-spearman')).toBeVisible({ timeout: 120_000 });
  await expect(panel.getByTestId('latency-scatter').locator('circle')).toHaveCount(5);
  const rho = await panel.getByTestId('latency-spearman').textContent();
  console.log(`latency rank correlation (spearman): ${rho}`);
  const means = (await panel.getByTestId('latency-means').textContent())!.replace(/\s+/g, ' ').trim();
  console.log(`latency additive model: ${means}`);
  await panel.getByRole('button', { name: 'View' }).click();
  await expect(panel.getByTestId('latency-heatmap')).toBeVisible();
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/latency.png', fullPage: true });
});
