import { test, expect, type Page } from '@playwright/test';
import { openSearch } from './helpers.ts';
import { expectNoSeriousAxeViolations } from './axe.ts';

const trainedCount = async (page: Page) => {
  const text = (await page.getByTestId('v3-progress').textContent()) ?? '';
  return Number(/(\d+) of \d+ candidates trained/.exec(text)?.[1] ?? 0);
};

test('FBNetV3 re-budgeting: after a tiny joint search, new MACs budgets are searched on the predictor in seconds, nothing trained', async ({
  page,
}) => {
  test.setTimeout(420_000);
  await openSearch(page, 'cpu');
  await page.getByRole('link', { name: 'Results & Export' }).click();
  const panel = page.getByRole('region', { name: 'FBNetV3 joint search' });
  // tiny (the form's defaults, as in v3.spec.ts): 40 faces at 32 px, pool 12, round 0 of 4, two rounds of 2,
  // runs of up to 9 steps, budgets 1.5 and 3 M MACs
  await panel.getByLabel('Longest training (steps)').fill('9');
  await expect(panel.getByLabel('Fine-stage budgets (M MACs)')).toHaveValue('1.5, 3');
  // nothing to re-budget before the search has a predictor
  await expect(page.getByTestId('v3-rebudget')).toHaveCount(0);
  await panel.getByRole('button', { name: 'Start joint search' }).click();
  await expect(page.getByTestId('v3-progress')).toContainText('· done', { timeout: 360_000 });
  const total = await trainedCount(page);
  const progressText = await page.getByTestId('v3-progress').textContent();
  const rows = page.getByTestId('v3-table').locator('tbody tr');
  await expect(rows).toHaveCount(total);
  const firstBudgetPredicted = (
    (await page.getByTestId('v3-fine').locator('tbody tr').nth(0).locator('td').nth(0).textContent()) ?? ''
  ).trim();

  const section = page.getByTestId('v3-rebudget');
  await expect(section).toBeVisible();
  await expect(page.getByTestId('v3-latency-note')).toContainText('Latency budgets are unavailable');
  const input = section.getByLabel('New MACs budget (M MACs)');
  const button = section.getByRole('button', { name: 'Search this budget (no training)' });

  // bad input: a clear message, nothing searched
  await input.fill('lots');
  await button.click();
  await expect(page.getByTestId('v3-rebudget-error')).toContainText('is not a budget');
  await expect(page.getByTestId('v3-rebudget-result')).toHaveCount(0);
  // a budget below the smallest network: the worker says so
  await input.fill('0.0001');
  await button.click();
  await expect(page.getByTestId('v3-rebudget-error')).toContainText('meets the constraint');
  await expect(page.getByTestId('v3-rebudget-result')).toHaveCount(0);

  // a new budget, by keyboard: type it and press Enter
  await input.fill('');
  await input.focus();
  await page.keyboard.type('2.2');
  await page.keyboard.press('Enter');
  const results = page.getByTestId('v3-rebudget-result');
  await expect(results).toHaveCount(1, { timeout: 60_000 });
  await expect(page.getByTestId('v3-rebudget-error')).toHaveCount(0);
  const check = async (table: ReturnType<typeof results.nth>, budgetM: number) => {
    const caption = (await table.locator('caption').textContent()) ?? '';
    expect(caption).toContain(`≤ ${budgetM.toFixed(2)} M MACs`);
    const seconds = Number(/found in ([\d.]+) s/.exec(caption)?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(0);
    expect(seconds).toBeLessThan(30);
    const picks = table.locator('tbody tr');
    expect(await picks.count()).toBeGreaterThanOrEqual(1);
    const predicted: number[] = [];
    for (const row of await picks.all()) {
      const cells = row.locator('td');
      const nme = /^([\d.]+) %$/.exec(((await cells.nth(1).textContent()) ?? '').trim());
      expect(nme).not.toBeNull();
      predicted.push(Number(nme![1]));
      const macs = Number(/^([\d.]+) M$/.exec(((await cells.nth(2).textContent()) ?? '').trim())?.[1]);
      expect(macs).toBeGreaterThan(0);
      expect(macs).toBeLessThanOrEqual(budgetM);
      await expect(cells.nth(3)).toContainText(/\d+ px, \d+ blocks/);
      await expect(cells.nth(4)).toContainText(/steps/);
    }
    // best first
    expect([...predicted].sort((a, b) => a - b)).toEqual(predicted);
    return predicted;
  };
  await check(results.nth(0), 2.2);

  // the search's own first budget again: the same predicted NME as its fine stage (same predictor, same seed);
  // the answers add up, newest first
  await input.fill('1.5');
  await button.click();
  await expect(results).toHaveCount(2, { timeout: 60_000 });
  const again = await check(results.nth(0), 1.5);
  expect(`${again[0].toFixed(2)} %`).toBe(firstBudgetPredicted);
  await expect(results.nth(1).locator('caption')).toContainText('≤ 2.20 M MACs');

  // nothing was trained: the trained table and the progress line are as the search left them
  await expect(rows).toHaveCount(total);
  expect(await page.getByTestId('v3-progress').textContent()).toBe(progressText);
  await expectNoSeriousAxeViolations(page, 'Results with the FBNetV3 re-budgeting');
  await page.screenshot({ path: 'test-results/screenshots/v3-rebudget.png', fullPage: true });
});
