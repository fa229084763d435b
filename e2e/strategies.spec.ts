import { test, expect, type Page } from '@playwright/test';
import { fillTiny, openSearch } from './helpers.ts';

const evaluationsDone = async (page: Page) => {
  const text = (await page.getByTestId('strategies-progress').textContent()) ?? '';
  return Number(/(\d+) of \d+ evaluations/.exec(text)?.[1] ?? 0);
};

test('SPOS supernet, SANAS and random search side by side, reload mid-run and resume, derive the best, export', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await openSearch(page, 'cpu');
  await fillTiny(page);
  await page.locator('#exp-strategy').selectOption('spos');
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('finished', { timeout: 120_000 });

  await page.getByRole('link', { name: 'Results & Export' }).click();
  const panel = page.getByRole('region', { name: 'Search strategies side by side' });
  await expect(panel.getByLabel('SANAS (simulated annealing)')).toBeChecked();
  await expect(panel.getByLabel('Random search')).toBeChecked();
  await panel.getByLabel('Evaluations per run').fill('15');
  // settings that travel in the share link (the address follows the form)
  await panel.getByLabel('SANAS r').fill('0.7');
  await panel.getByLabel('Evolution population P').fill('8');
  await expect.poll(() => page.url()).toMatch(/x=1/);
  await expect(page.getByTestId('reward-formula')).toHaveText('reward = 1 − NME');
  await panel.getByRole('button', { name: 'Run strategies' }).click();
  await expect(page.getByTestId('best-so-far')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('pareto-plot')).toBeVisible();
  await expect(page.getByTestId('pareto-plot')).toContainText('sanas');
  await expect(page.getByTestId('pareto-plot')).toContainText('random');
  await expect(page.getByTestId('strategies-progress')).toContainText('of 60 evaluations');
  await expect.poll(() => evaluationsDone(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(8);

  // reload mid-run: the checkpoint survives, the supernet is restored, the runs continue where they were
  await page.reload();
  await expect(page.getByTestId('strategies-resumable')).toBeVisible({ timeout: 60_000 });
  // the checkpoint lives in IndexedDB now, not in localStorage
  expect(await page.evaluate(() => localStorage.getItem('nas-playground:strategies'))).toBeNull();
  // the link restored the form before the checkpoint was resumed
  await expect(panel.getByLabel('Evaluations per run')).toHaveValue('15');
  await expect(panel.getByLabel('SANAS r')).toHaveValue('0.7');
  await expect(panel.getByLabel('Evolution population P')).toHaveValue('8');
  const kept = (await page.getByTestId('strategies-resumable').textContent()) ?? '';
  expect(Number(/(\d+) evaluations\s+kept/.exec(kept)?.[1])).toBeGreaterThanOrEqual(8);
  await page.getByRole('button', { name: 'Resume strategies' }).click();
  await expect(page.getByTestId('strategies-best')).toBeVisible({ timeout: 150_000 });
  await expect(page.getByTestId('strategies-progress')).toContainText('60 of 60 evaluations');
  await expect(page.getByTestId('best-so-far-chart')).toBeVisible();
  await expect(page.getByTestId('sanas-chart')).toBeVisible();

  await page.getByRole('button', { name: 'Derive best into Results' }).click();
  await expect(page.getByTestId('results-arch')).toContainText('Derived (manual)', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Export to ONNX and check' }).click();
  await expect(page.getByTestId('parity-diff')).toBeVisible({ timeout: 120_000 });
  expect(Number(await page.getByTestId('parity-diff').textContent())).toBeLessThan(1e-4);

  // the weight-sharing caveat: six candidates trained standalone (a few steps), Kendall τ reported
  const ws = page.getByRole('region', { name: 'Weight-sharing caveat' });
  await ws.getByLabel('Standalone steps each').fill('2');
  await ws.getByRole('button', { name: 'Train candidates standalone' }).click();
  await expect(page.getByTestId('kendall-tau')).toContainText('over 6 candidates', { timeout: 120_000 });
  await expect(page.getByTestId('weight-sharing-table').locator('tbody tr')).toHaveCount(6);
  await page.screenshot({ path: 'test-results/screenshots/strategies.png', fullPage: true });
});
