import { test, expect } from '@playwright/test';

test('without WebGPU the app falls back, says so, and still trains', async ({ page }) => {
  await page.goto('./#/search');
  const name = page.getByTestId('backend-name');
  await expect(name).toHaveText(/webgl|cpu/);
  await expect(page.getByTestId('fallback-notice')).toBeVisible();
  await expect(page.getByTestId('fallback-notice')).toContainText('WebGPU');
  await page.getByText('Backend self-test', { exact: true }).click();
  await page.getByRole('button', { name: 'Run backend self-test' }).click();
  await expect(page.getByTestId('smoke-backend')).toHaveText(/webgl|cpu/);
  const loss = Number(await page.getByTestId('smoke-loss').textContent());
  expect(Number.isFinite(loss)).toBe(true);
  const [before, after] = (await page.getByTestId('smoke-tensors').textContent())!.split('/').map(Number);
  expect(after).toBe(before);
  await page.screenshot({ path: 'test-results/screenshots/fallback.png', fullPage: true });
});
