import { test, expect } from '@playwright/test';
import { fillTiny, openSearch, stepCount } from './helpers.ts';

test('a tiny search starts, updates live, pauses, resumes, finishes and derives an architecture', async ({
  page,
}) => {
  await openSearch(page);
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
  await fillTiny(page);
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('running', { timeout: 120_000 });
  await expect.poll(() => stepCount(page), { timeout: 120_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('tau-value')).not.toHaveText('–');
  await expect(page.getByTestId('loss-value')).not.toHaveText('–');
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('paused');
  const paused = await stepCount(page);
  await page.waitForTimeout(500);
  expect(await stepCount(page)).toBe(paused);
  await page.screenshot({ path: 'test-results/screenshots/search-running.png', fullPage: true });
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('finished', { timeout: 170_000 });
  expect(await stepCount(page)).toBe(9); // 1 warm-up epoch × 3 + 1 search epoch × 3 × 2
  await expect(page.getByTestId('derived-arch')).toBeVisible();
  await expect(page.getByTestId('derived-arch')).toContainText('multiply-adds');
  await page.screenshot({ path: 'test-results/screenshots/search-finished.png', fullPage: true });
});
