import { test, expect, type Page } from '@playwright/test';
import { fillTiny, openSearch } from './helpers.ts';

/** [β, MACs] of every point drawn on the sweep plot. */
async function plotted(page: Page): Promise<[number, number][]> {
  return page
    .getByTestId('sweep-point')
    .evaluateAll((els) =>
      els.map(
        (e) => [Number(e.getAttribute('data-beta')), Number(e.getAttribute('data-macs'))] as [number, number],
      ),
    );
}

test('a 3-point β sweep plots 3 derived nets whose MACs strictly fall as β rises; each opens its architecture', async ({
  page,
}) => {
  test.setTimeout(360_000);
  await openSearch(page, 'cpu');
  await fillTiny(page);
  // FBNet's all-paths soft mixture: every candidate's θ moves in the few architecture steps of TINY
  await page.locator('#gs-paths').selectOption('all');
  await page.locator('#gs-hard').uncheck();
  await page.locator('summary', { hasText: 'Cost-weight sweep' }).click();
  await expect(page.locator('#sweep-betas')).toHaveValue('0, 2, 8');
  await page.locator('#sweep-ft').fill('5');
  await page.getByRole('button', { name: 'Run sweep' }).click();
  await expect(page.getByTestId('sweep-progress')).toBeVisible();
  await expect(page.getByTestId('sweep-message')).toContainText('Sweep finished: 3 architectures', {
    timeout: 300_000,
  });
  await page.screenshot({ path: 'test-results/screenshots/sweep-search.png', fullPage: true });

  await page.getByRole('link', { name: 'Results & Export' }).click();
  await expect(page.getByTestId('sweep-plot')).toBeVisible();
  await expect(page.getByTestId('sweep-point')).toHaveCount(3);
  await expect(page.getByTestId('sweep-baseline')).toHaveCount(1);
  const points = (await plotted(page)).sort((a, b) => a[0] - b[0]);
  expect(points.map(([beta]) => beta)).toEqual([0, 2, 8]);
  const macs = points.map(([, m]) => m);
  expect(macs[0]).toBeGreaterThan(macs[1]);
  expect(macs[1]).toBeGreaterThan(macs[2]);
  // every point has its NME in the table, both the supernet's estimate and after the finetune
  const rows = page.getByTestId('sweep-row');
  await expect(rows).toHaveCount(3);
  for (let i = 0; i < 3; i++) {
    await expect(rows.nth(i).getByTestId('sweep-estimate')).toHaveText(/^\d+\.\d\d$/);
    await expect(rows.nth(i).getByTestId('sweep-nme')).toHaveText(/^\d+\.\d\d$/);
  }

  await page.getByRole('button', { name: 'Show the architecture of β = 8' }).click();
  await expect(page.getByTestId('sweep-arch')).toContainText('Architecture at β = 8');
  await page.getByTestId('sweep-point').first().click();
  await expect(page.getByTestId('sweep-arch')).toContainText(/Architecture at β = \d/);
  await page.screenshot({ path: 'test-results/screenshots/sweep-results.png', fullPage: true });
});

test('after a tiny search the live chart and the Results comparison show the supernet estimate and the standalone NME', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await openSearch(page, 'cpu');
  await fillTiny(page);
  await expect(page.getByRole('button', { name: 'Start search' })).toBeEnabled();
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('finished', { timeout: 200_000 });
  await expect(page.getByTestId('estimate-basis')).toContainText('BatchNorm statistics recalibrated');
  await expect(page.getByTestId('estimate-supernet')).toHaveText(/^\d+\.\d\d %$/, { timeout: 120_000 });
  await expect(page.getByTestId('estimate-standalone')).toHaveText(/^\d+\.\d\d %$/);
  await expect(page.getByTestId('estimate-gap')).toContainText('finetune steps');
  await expect(page.getByTestId('chart-nme')).toContainText('derived + 400 finetune steps');
  await page.screenshot({ path: 'test-results/screenshots/estimate-check.png', fullPage: true });

  await page.getByRole('link', { name: 'Results & Export' }).click();
  await page.getByRole('button', { name: 'Derive most likely (argmax)' }).click();
  await page.locator('#ft-steps').fill('4');
  await page.getByRole('button', { name: 'Finetune' }).click();
  await expect(page.getByTestId('comparison-table')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('nme-supernet')).toHaveText(/^\d+\.\d+$/);
  await expect(page.getByTestId('nme-subnet')).toHaveText(/^\d+\.\d+$/);
  await expect(page.getByTestId('comparison-gap')).toContainText("The supernet's estimate");
  await expect(page.getByTestId('comparison-gap')).toContainText('4 finetune steps');
});
