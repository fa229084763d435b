import { statSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import { fillTiny, openSearch } from './helpers.ts';

test('after a tiny search: derive, finetune, compare, export to ONNX with a parity check, download', async ({
  page,
}) => {
  test.setTimeout(480_000);

  // nothing searched yet: the area says so and leads to Search
  await page.goto('./?backend=webgpu#/results');
  await expect(page.getByRole('heading', { name: 'Run a search first' })).toBeVisible();
  await page.getByRole('button', { name: 'Go to Search' }).click();
  await expect(page).toHaveURL(/#\/search/);

  await openSearch(page);
  await fillTiny(page);
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('finished', { timeout: 240_000 });

  await page.getByRole('link', { name: 'Results & Export' }).click();
  // by hand: the fifth candidate (k5_e6) at the first searchable layer
  await page.getByText('Edit by hand').click();
  await page.getByLabel('Candidate for searchable layer 1').selectOption({ index: 4 });
  await page.getByRole('button', { name: 'Derive edited architecture' }).click();
  await expect(page.getByTestId('results-arch')).toContainText('Derived (manual)');
  await expect(page.getByTestId('results-arch')).toContainText('k5 e6');
  await page.getByRole('button', { name: 'Derive most likely (argmax)' }).click();
  await expect(page.getByTestId('results-arch')).toContainText('Derived (argmax)');
  await expect(page.getByTestId('results-arch')).toContainText('MACs');
  const params = Number((await page.getByTestId('param-count').textContent())!.replace(/[^0-9]/g, ''));
  expect(params).toBeGreaterThan(1000);

  await page.locator('#ft-steps').fill('4');
  await page.getByRole('button', { name: 'Finetune' }).click();
  await expect(page.getByTestId('finetune-done')).toContainText('4 steps', { timeout: 120_000 });
  // finetuning re-evaluates: the table compares the subnet, the baseline and the supernet estimate
  const table = page.getByTestId('comparison-table');
  await expect(table).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('nme-subnet')).toHaveText(/^\d+\.\d+$/);
  await expect(page.getByTestId('nme-baseline')).toHaveText('not trained');
  await expect(page.getByTestId('row-supernet')).toContainText('Supernet estimate');
  await expect(page.getByTestId('landmark-canvas')).toBeVisible();

  // the baseline, trained from scratch for the same (few) steps, gets an NME too
  await page.locator('#ft-steps').fill('2');
  await page.getByRole('button', { name: 'Train PFLD baseline too' }).click();
  await expect(page.getByTestId('nme-baseline')).toHaveText(/^\d+\.\d+$/, { timeout: 120_000 });
  await expect(page.getByTestId('row-baseline')).toContainText('trained from scratch, 2 steps');

  const download = page.getByRole('button', { name: 'Download ONNX' });
  await expect(download).toBeDisabled();
  await page.getByRole('button', { name: 'Export to ONNX and check' }).click();
  await expect(page.getByTestId('parity-diff')).toBeVisible({ timeout: 120_000 });
  const diff = Number(await page.getByTestId('parity-diff').textContent());
  expect(diff).toBeGreaterThanOrEqual(0);
  expect(diff).toBeLessThan(1e-4);
  await expect(download).toBeEnabled();

  const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
  expect(file.suggestedFilename()).toMatch(/\.onnx$/);
  const size = statSync(await file.path()).size;
  expect(size).toBeGreaterThan(0);
  expect(Math.abs(size - 4 * params) / (4 * params)).toBeLessThan(0.05);

  const [json] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download architecture JSON' }).click(),
  ]);
  expect(json.suggestedFilename()).toMatch(/\.json$/);

  await page.screenshot({ path: 'test-results/screenshots/results.png', fullPage: true });
});
