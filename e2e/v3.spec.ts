import { test, expect, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { openSearch } from './helpers.ts';
import { expectNoSeriousAxeViolations } from './axe.ts';

const trainedCount = async (page: Page) => {
  const text = (await page.getByTestId('v3-progress').textContent()) ?? '';
  return Number(/(\d+) of \d+ candidates trained/.exec(text)?.[1] ?? 0);
};

test('FBNetV3 joint search at tiny size: pool → round 0 → early stop → two predictor rounds → fine stage for two budgets; pause, reload mid-run and resume without retraining', async ({
  page,
}) => {
  test.setTimeout(420_000);
  await openSearch(page, 'cpu');
  await page.getByRole('link', { name: 'Results & Export' }).click();
  const panel = page.getByRole('region', { name: 'FBNetV3 joint search' });
  // tiny: 40 faces at 32 px, pool 12, round 0 of 4, two rounds of 2, runs of up to 9 steps, two budgets
  // bad settings: a clear message, nothing starts
  await panel.getByLabel('Fine-stage budgets (M MACs)').fill('1.5, lots');
  await panel.getByRole('button', { name: 'Start joint search' }).click();
  await expect(page.getByTestId('v3-error')).toContainText('Fine-stage budgets');
  await panel.getByLabel('Fine-stage budgets (M MACs)').fill('1.5, 3');
  await panel.getByLabel('Pool size').fill('5');
  await panel.getByRole('button', { name: 'Start joint search' }).click();
  await expect(page.getByTestId('v3-error')).toContainText(
    'The pool (5) is smaller than round 0 plus the rounds (8)',
  );
  await expect(panel.getByRole('button', { name: 'Start joint search' })).toBeEnabled();
  await panel.getByLabel('Pool size').fill('12');
  await panel.getByLabel('Longest training (steps)').fill('9');
  await expect(panel.getByLabel('Predictor rounds')).toHaveValue('2');
  await expect(panel.getByLabel('Fine-stage budgets (M MACs)')).toHaveValue('1.5, 3');
  await panel.getByRole('button', { name: 'Start joint search' }).click();
  await expect(page.getByTestId('v3-progress')).toContainText('round 0', { timeout: 60_000 });
  await expect(page.getByTestId('v3-progress')).toContainText(/of 12 candidates trained/);
  await expect.poll(() => trainedCount(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(1);
  // the pace of the first candidates gives the time left
  await expect(page.getByTestId('v3-progress')).toContainText(/about \d+ s left/);

  // pause: the candidate in flight is dropped, the finished ones are kept and offered for resuming
  await panel.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('v3-resumable')).toBeVisible({ timeout: 60_000 });
  const paused = await trainedCount(page);
  expect(paused).toBeGreaterThanOrEqual(1);
  await panel.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(() => trainedCount(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(paused + 2);

  // reload mid-run: the IndexedDB checkpoint survives with every finished candidate
  const before = await trainedCount(page);
  await page.reload();
  await expect(page.getByTestId('v3-resumable')).toBeVisible({ timeout: 60_000 });
  const kept = Number(
    /(\d+) candidates trained kept/.exec((await page.getByTestId('v3-resumable').textContent()) ?? '')?.[1],
  );
  expect(kept).toBeGreaterThanOrEqual(before);
  expect(kept).toBeLessThan(12);
  await expect(page.getByTestId('v3-table').locator('tbody tr')).toHaveCount(kept);
  await expect(panel.getByLabel('Longest training (steps)')).toHaveValue('9');
  await panel.getByRole('button', { name: 'Resume' }).click();
  // the count goes on from what was kept: nothing finished is trained again
  const seen: number[] = [];
  await expect
    .poll(
      async () => {
        seen.push(await trainedCount(page));
        return (await page.getByTestId('v3-progress').textContent()) ?? '';
      },
      { timeout: 300_000, intervals: [250] },
    )
    .toContain('· done');
  expect(Math.min(...seen)).toBeGreaterThanOrEqual(kept);

  // the whole method is on the page
  await expect(page.getByTestId('v3-early-stop')).toContainText(
    /Early stop at \d+ % of each candidate’s steps/,
  );
  await expect(page.getByTestId('v3-early-stop-chart')).toBeVisible();
  await expect(page.getByTestId('v3-rounds')).toContainText('round 1 τ');
  await expect(page.getByTestId('v3-rounds')).toContainText('round 2 τ');
  await expect(page.getByTestId('v3-scatter')).toBeVisible();
  const fine = page.getByTestId('v3-fine').locator('tbody tr');
  await expect(fine).toHaveCount(2);
  await expect(fine.nth(0)).toContainText('≤ 1.50 M');
  await expect(fine.nth(1)).toContainText('≤ 3.00 M');
  const total = await trainedCount(page);
  const rows = page.getByTestId('v3-table').locator('tbody tr');
  await expect(rows).toHaveCount(total);
  // round 0 (4) and two rounds of 2 (8), then per budget a verification and the default recipe
  expect(total).toBeGreaterThanOrEqual(10);
  const stages = page.getByTestId('v3-table').locator('tbody td:nth-child(2)');
  await expect(stages.filter({ hasText: /^round0$/ })).toHaveCount(4);
  await expect(stages.filter({ hasText: /^round [12]$/ })).toHaveCount(4);
  await expect(stages.filter({ hasText: /^verify/ })).not.toHaveCount(0);

  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByRole('button', { name: 'Export table as CSV' }).click(),
  ]);
  const text = await readFile((await csv.path())!, 'utf8');
  const lines = text.trim().split('\n');
  expect(lines[0]).toBe('index,stage,round,budget,arch,recipe,macs,measured_nme,predicted_nme');
  expect(lines).toHaveLength(total + 1);
  const [json] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByRole('button', { name: 'Export table as JSON' }).click(),
  ]);
  const parsed = JSON.parse(await readFile((await json.path())!, 'utf8'));
  expect(parsed.rows).toHaveLength(total);
  expect(parsed.state.phase).toBe('done');
  await expectNoSeriousAxeViolations(page, 'Results with the FBNetV3 joint search');
  // a finished search is shown again after a reload, not offered for resuming
  await page.reload();
  await expect(page.getByTestId('v3-table').locator('tbody tr')).toHaveCount(total);
  await expect(page.getByTestId('v3-progress')).toContainText(
    `${total} of ${total} candidates trained · done`,
  );
  await expect(page.getByTestId('v3-resumable')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screenshots/v3.png', fullPage: true });
});
