import { test, expect, type Page } from '@playwright/test';
import { expectNoSeriousAxeViolations } from './axe.ts';
import { fillTiny, openSearch } from './helpers.ts';

/** The check's table as text, row by row (network, blocks, costs and every NME). */
const tableRows = (page: Page) =>
  page
    .getByTestId('baseline-row')
    .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));

test('Better than random?: a finished search against random networks on the NME–MACs plane, shown again after a reload without retraining', async ({
  page,
}) => {
  test.setTimeout(600_000);
  await openSearch(page, 'cpu');
  await fillTiny(page);
  await page.locator('#exp-title').fill('baseline check');
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('finished', { timeout: 200_000 });

  await page.getByRole('link', { name: 'Results & Export' }).click();
  const panel = page.getByRole('region', { name: 'Better than random?' });
  await expect(panel).toBeVisible();
  for (const [id, value] of Object.entries({
    'bl-uniform': '2',
    'bl-matched': '2',
    'bl-steps': '3',
    'bl-seeds': '2',
  }))
    await page.locator(`#${id}`).fill(value);
  await expect(panel).toContainText('10 trainings of 3 steps');
  await panel.getByRole('button', { name: 'Start check' }).click();
  await expect(page.getByTestId('baseline-progress')).toBeVisible();
  await expect(panel.getByRole('progressbar')).toBeVisible();
  await expect(panel.getByText('Check finished.')).toBeVisible({ timeout: 240_000 });
  await expect(page.getByTestId('baseline-progress')).toHaveCount(0);

  // the plane: the searched network highlighted, the random networks with their front and the shaded band
  const verdict = page.getByTestId('baseline-verdict');
  await expect(verdict).toContainText(/^The searched network \(\d+\.\d\d % NME, .* MACs; init-seed spread ±/);
  const sentence = await verdict.innerText();
  await expect(page.getByTestId('baseline-plane')).toBeVisible();
  await expect(page.locator('[data-testid="baseline-point"][data-kind="searched"]')).toHaveCount(1);
  const random = await page.locator('[data-testid="baseline-point"]:not([data-kind="searched"])').count();
  expect(random).toBeGreaterThanOrEqual(2);
  expect(
    await page.locator('[data-testid="baseline-point"][data-front="true"]').count(),
  ).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId('baseline-front')).toHaveCount(1);
  await expect(page.getByTestId('baseline-band')).toHaveCount(1);
  // 1 searched + up to 2 uniform + up to 2 cost-matched networks, each with two NMEs and their mean
  const rows = await tableRows(page);
  expect(rows.length).toBe(1 + random);
  expect(rows[0]).toMatch(/^searched searched/);
  for (const row of rows) expect(row).toMatch(/(\d+\.\d\d|diverged) (\d+\.\d\d|diverged) (\d+\.\d\d|–)$/);
  await panel.screenshot({ path: 'test-results/screenshots/baseline-check.png' });

  // a β sweep of the same experiment: its derived networks on a plane with the run's random networks
  await page.getByRole('link', { name: 'Search', exact: true }).click();
  // the estimate check that follows every search must be done: the worker runs one sweep or check at a time
  await expect(page.getByTestId('estimate-standalone')).toHaveText(/^\d+\.\d\d %$/, { timeout: 120_000 });
  await page.locator('summary', { hasText: 'Cost-weight sweep' }).click();
  await page.locator('#sweep-betas').fill('0, 8');
  await page.locator('#sweep-ft').fill('2');
  await page.getByRole('button', { name: 'Run sweep' }).click();
  await expect(page.getByTestId('sweep-message')).toContainText('Sweep finished: 2 architectures', {
    timeout: 240_000,
  });
  await page.getByRole('link', { name: 'Results & Export' }).click();
  await expect(page.getByTestId('sweep-point')).toHaveCount(2);
  await expect(page.getByTestId('sweep-random-point')).toHaveCount(random);
  await expect(page.getByTestId('sweep-random-front')).toHaveCount(1);
  await expect(page.getByTestId('sweep-random-note')).toContainText('trained from scratch for 3 steps');
  await page
    .getByRole('region', { name: 'Cost-weight sweep' })
    .screenshot({ path: 'test-results/screenshots/baseline-sweep.png' });

  // after a reload the stored check comes back with the run, and nothing is trained again
  await page.reload();
  await page.goto('./?backend=cpu#/results');
  await expect(page.getByTestId('results-last-run')).toContainText('baseline check');
  await page.evaluate(() => {
    const w = window as unknown as { sawTraining: boolean };
    w.sawTraining = false;
    new MutationObserver(() => {
      if (document.querySelector('[data-testid="baseline-progress"]')) w.sawTraining = true;
    }).observe(document.body, { childList: true, subtree: true });
  });
  await page.getByRole('button', { name: 'Open “baseline check”' }).click();
  await expect(page.getByTestId('baseline-verdict')).toHaveText(sentence);
  expect(await tableRows(page)).toEqual(rows);
  await expect(page.locator('[data-testid="baseline-point"][data-kind="searched"]')).toHaveCount(1);
  await expect(panel.getByRole('button', { name: 'Start a new check' })).toBeEnabled();
  await expect(panel.getByRole('button', { name: /^Resume/ })).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { sawTraining: boolean }).sawTraining)).toBe(false);
  await expectNoSeriousAxeViolations(page, 'Results with a stored random-baseline check');
});

test('a check cut by a reload resumes with the run: the networks already trained are not trained again', async ({
  page,
}) => {
  test.setTimeout(420_000);
  await openSearch(page, 'cpu');
  await fillTiny(page);
  await page.locator('#exp-title').fill('cut check');
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('finished', { timeout: 200_000 });

  await page.getByRole('link', { name: 'Results & Export' }).click();
  const panel = page.getByRole('region', { name: 'Better than random?' });
  for (const [id, value] of Object.entries({
    'bl-uniform': '2',
    'bl-matched': '1',
    'bl-steps': '40',
    'bl-seeds': '1',
  }))
    await page.locator(`#${id}`).fill(value);
  await panel.getByRole('button', { name: 'Start check' }).click();
  // the verdict follows the stored state (the worker writes it after each network, then says so)
  await expect(page.getByTestId('baseline-verdict')).toContainText(/\([2-3] of 4 training runs\)/, {
    timeout: 200_000,
  });
  await page.reload();

  await page.goto('./?backend=cpu#/results');
  await page.getByRole('button', { name: 'Open “cut check”' }).click();
  // the stored part is shown at once: a partial verdict and the Resume offer
  const resume = panel.getByRole('button', { name: /^Resume \([2-3] of 4 trained\)$/ });
  await expect(resume).toBeEnabled({ timeout: 60_000 });
  const trained = Number(/\((\d) of 4/.exec((await resume.textContent())!)![1]);
  await expect(page.getByTestId('baseline-verdict')).toContainText(`So far (${trained} of 4 training runs)`);
  await page.evaluate(() => {
    const w = window as unknown as { firstProgress: string | null };
    w.firstProgress = null;
    new MutationObserver(() => {
      const p = document.querySelector('[data-testid="baseline-progress"]');
      if (p && w.firstProgress === null && /trainings done/.test(p.textContent ?? ''))
        w.firstProgress = (p.textContent ?? '').replace(/\s+/g, ' ');
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  await resume.click();
  await expect(panel.getByText('Check finished.')).toBeVisible({ timeout: 200_000 });
  // training went on from the stored units, not from the start
  const first = await page.evaluate(
    () => (window as unknown as { firstProgress: string | null }).firstProgress,
  );
  expect(first).toContain(`${trained} of 4 trainings done`);
  await expect(page.getByTestId('baseline-verdict')).toContainText(/^The searched network/);
  await expect(page.getByTestId('baseline-mean')).toHaveCount(4);
  for (const cell of await page.getByTestId('baseline-mean').allTextContents())
    expect(cell).toMatch(/^(\d+\.\d\d|diverged)$/);
});
