import { test, expect } from '@playwright/test';

test('start page shows the product, the areas and a WebGPU backend on SwiftShader', async ({ page }) => {
  await page.goto('./?backend=webgpu');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Neural architecture search');
  for (const area of ['Search', 'Data', 'Results & Export', 'Learn']) {
    await expect(page.getByRole('heading', { name: area, exact: true })).toBeVisible();
  }
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
  await expect(page.getByTestId('backend-adapter')).toContainText(/swiftshader/i);
  await page.screenshot({ path: test.info().outputPath('start-page.png'), fullPage: true });
  await page.screenshot({ path: 'test-results/screenshots/start-page.png', fullPage: true });
});

test('one real training step runs in the worker on WebGPU without leaking tensors', async ({ page }) => {
  await page.goto('./?backend=webgpu#/search');
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
  await page.getByText('Backend self-test', { exact: true }).click();
  await page.getByRole('button', { name: 'Run backend self-test' }).click();
  await expect(page.getByTestId('smoke-backend')).toHaveText('webgpu');
  const loss = Number(await page.getByTestId('smoke-loss').textContent());
  expect(Number.isFinite(loss)).toBe(true);
  const [before, after] = (await page.getByTestId('smoke-tensors').textContent())!.split('/').map(Number);
  expect(after).toBe(before);
});
