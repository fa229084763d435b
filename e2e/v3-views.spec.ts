import { test, expect, type Page } from '@playwright/test';
import { openSearch } from './helpers.ts';
import { expectNoSeriousAxeViolations } from './axe.ts';

const roundTaus = async (page: Page) => {
  const text = (await page.getByTestId('v3-rounds').textContent()) ?? '';
  return [...text.matchAll(/round (\d+) τ (–|-?\d+\.\d\d)/g)].map((m) => [m[1], m[2]]);
};

test('FBNetV3 views after a tiny joint search: pre-training ablation per round, Pareto fronts, recipe sensitivity with rank crossing, Sobol vs random coverage', async ({
  page,
}) => {
  test.setTimeout(420_000);
  await openSearch(page, 'cpu');
  await page.getByRole('link', { name: 'Results & Export' }).click();
  const panel = page.getByRole('region', { name: 'FBNetV3 joint search' });
  // tiny: the form's defaults (40 faces at 32 px, pool 12, round 0 of 4, two rounds of 2, two budgets),
  // plus two architectures under both recipes
  await expect(panel.getByLabel('Pool size')).toHaveValue('12');
  await panel.getByLabel('Recipe sensitivity architectures').fill('2');
  await panel.getByRole('button', { name: 'Start joint search' }).click();
  await expect(page.getByTestId('v3-progress')).toContainText(/of 16 candidates trained/, {
    timeout: 60_000,
  });

  // coverage needs nothing trained: 12 Sobol and 12 seeded points, and both discrepancies
  const coverage = page.getByTestId('v3-coverage');
  await expect(coverage.locator('[data-testid="v3-coverage-point"][data-set="sobol"]')).toHaveCount(12);
  await expect(coverage.locator('[data-testid="v3-coverage-point"][data-set="random"]')).toHaveCount(12);
  const covRows = page.getByTestId('v3-coverage-table').locator('tbody tr');
  await expect(covRows).toHaveCount(2);
  for (const i of [0, 1]) {
    const full = Number(await covRows.nth(i).locator('td').first().textContent());
    expect(full).toBeGreaterThan(0);
  }
  // another projection redraws the same number of points
  await coverage.getByLabel('Vertical knob').selectOption({ label: 'learning rate' });
  await expect(coverage.locator('[data-testid="v3-coverage-point"]')).toHaveCount(24);

  await expect(page.getByTestId('v3-progress')).toContainText('16 of 16 candidates trained · done', {
    timeout: 360_000,
  });

  // Pareto: every trained candidate a point, the measured front, a predicted front per budget
  const pareto = page.getByTestId('v3-pareto');
  await expect(pareto.getByTestId('v3-pareto-point')).toHaveCount(16);
  expect(await pareto.getByTestId('v3-pareto-front').count()).toBeGreaterThanOrEqual(1);
  expect(await pareto.getByTestId('v3-pareto-predicted').count()).toBeGreaterThanOrEqual(2);
  await expect(pareto).toContainText('predicted, ≤ 1.50 M');
  await expect(pareto).toContainText('predicted, ≤ 3.00 M');

  // recipe sensitivity: bars for 2 architectures under 2 recipes, and the rank-crossing slopes
  const sens = page.getByTestId('v3-sensitivity');
  await expect(sens.locator('[data-testid="v3-sensitivity-bar"][data-recipe="default"]')).toHaveCount(2);
  await expect(sens.locator('[data-testid="v3-sensitivity-bar"][data-recipe="searched"]')).toHaveCount(2);
  await expect(sens.getByTestId('v3-rank-slope')).toHaveCount(2);
  const said = ((await page.getByTestId('v3-sensitivity-summary').textContent()) ?? '').replace(/\s+/g, ' ');
  const m = /Kendall τ between the two rankings (–|-?\d\.\d\d); (\d+) pairs? changes? order/.exec(said);
  expect(m, said).not.toBeNull();
  // two architectures: the orders agree (τ 1, no crossing), flip (τ −1, one crossing) or tie (τ undefined)
  const [tau, flips] = [m![1], Number(m![2])];
  expect({ '1.00': 0, '-1.00': 1, '–': 0 }[tau]).toBe(flips);
  await expect(sens.locator('[data-testid="v3-rank-slope"][data-crossing="yes"]')).toHaveCount(2 * flips);
  // its values on demand, from the keyboard
  const summary = sens.getByText('Recipe sensitivity: values as a table');
  await summary.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('v3-sensitivity-values').locator('tbody tr')).toHaveCount(2);
  // the charts are reachable by keyboard
  const chart = pareto.locator('svg[role="img"]');
  await chart.focus();
  await expect(chart).toBeFocused();

  // the ablation: one row per predictor round; with pre-training it is the search's own τ per round
  await panel.getByRole('button', { name: 'Run the ablation' }).click();
  const ablation = page.getByTestId('v3-ablation-table').locator('tbody tr');
  await expect(ablation).toHaveCount(2, { timeout: 120_000 });
  const search = await roundTaus(page);
  expect(search.map((r) => r[0])).toEqual(['1', '2']);
  for (const [i, [round, tau]] of search.entries()) {
    const cells = ablation.nth(i).locator('th, td');
    await expect(cells.nth(0)).toHaveText(round);
    await expect(cells.nth(3)).toHaveText(tau);
    await expect(cells.nth(4)).toHaveText(/^(-?\d\.\d\d|–)$/);
  }
  await expect(page.getByTestId('v3-ablation-chart')).toBeVisible();

  await expectNoSeriousAxeViolations(page, 'Results with the FBNetV3 views');
  await page.screenshot({ path: 'test-results/screenshots/v3-views.png', fullPage: true });
});
