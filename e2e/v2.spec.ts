import { statSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import { fillTiny, openSearch, stepCount } from './helpers.ts';

/** Channel counts of the classroom space's body (stem, then the five searchable layers). */
const DEFAULT_WIDTHS = [8, 8, 16, 16, 32, 32];

test('an FBNetV2 search shows channel masks updating, derives narrower layers under a high cost weight, finetunes and exports them', async ({
  page,
}) => {
  test.setTimeout(480_000);
  await openSearch(page);
  await fillTiny(page, { 'ls-beta': '2', 'tr-lrt': '0.3' });
  await page.locator('#exp-strategy').selectOption('fbnet-v2');
  await expect(page.locator('#v2-widths')).toHaveValue('0.25, 0.5, 0.75, 1');
  // half or a quarter of the 32 px input, never full size: Results must feed the derived network its
  // searched resolution (finetune, evaluation and the export's parity check)
  await page.locator('#v2-res').fill('2, 4');
  await page.locator('#v2-res').dispatchEvent('change');
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
  // the live "most likely" diagram shows the argmax widths too, not the layers' default widths
  const liveWidths = [
    ...(
      await page
        .locator('figure', { hasText: 'Most likely architecture' })
        .getByTestId('arch-diagram')
        .innerText()
    ).matchAll(/(\d+)ch/g),
  ].map((m) => Number(m[1]));
  expect(liveWidths).toEqual(widths);
  await page.getByTestId('v2-views').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/v2.png', fullPage: true });

  // Results: the same architecture with weights cut from the shared tensors, finetuned and exported
  await page.getByRole('link', { name: 'Results & Export' }).click();
  await page.getByRole('button', { name: 'Derive most likely (argmax)' }).click();
  const arch = page.getByTestId('results-arch');
  await expect(arch).toContainText('Derived (argmax)');
  const resultWidths = [...(await arch.getByTestId('arch-diagram').innerText()).matchAll(/(\d+)ch/g)].map(
    (m) => Number(m[1]),
  );
  expect(resultWidths).toEqual(widths);
  await expect(arch).toContainText(/input (16×16|8×8)/);
  await expect(page.getByTestId('derived-subsample')).toContainText(/the 32×32 image subsampled ×(2|4)/);
  const params = Number((await page.getByTestId('param-count').textContent())!.replace(/[^0-9]/g, ''));
  expect(params).toBeGreaterThan(1000);

  await page.locator('#ft-steps').fill('2');
  await page.getByRole('button', { name: 'Finetune' }).click();
  await expect(page.getByTestId('finetune-done')).toContainText('2 steps', { timeout: 120_000 });
  await expect(page.getByTestId('nme-subnet')).toHaveText(/^\d+\.\d+$/, { timeout: 120_000 });

  await page.getByRole('button', { name: 'Export to ONNX and check' }).click();
  await expect(page.getByTestId('parity-diff')).toBeVisible({ timeout: 120_000 });
  const diff = Number(await page.getByTestId('parity-diff').textContent());
  expect(diff).toBeGreaterThanOrEqual(0);
  expect(diff).toBeLessThan(1e-4);
  const download = page.getByRole('button', { name: 'Download ONNX' });
  await expect(download).toBeEnabled();
  const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
  expect(file.suggestedFilename()).toMatch(/\.onnx$/);
  const size = statSync(await file.path()).size;
  expect(Math.abs(size - 4 * params) / (4 * params)).toBeLessThan(0.05);
  await page.screenshot({ path: 'test-results/screenshots/v2-results.png', fullPage: true });
});
