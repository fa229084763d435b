import { test, expect, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { fillTiny, openSearch, stepCount } from './helpers.ts';

/** Runs a tiny search with cost weight `alpha` under `title` to the end (CPU backend). */
async function tinySearch(page: Page, title: string, alpha: string, first: boolean): Promise<void> {
  if (first) await fillTiny(page, { 'ls-alpha': alpha, 'tr-steps': '2' });
  else {
    await page.locator('#ls-alpha').fill(alpha);
    await page.locator('#ls-alpha').dispatchEvent('change');
  }
  await page.locator('#exp-title').fill(title);
  // a finished search is followed by a fresh supernet for the edited experiment
  if (!first) await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('finished', { timeout: 120_000 });
  await expect(page.getByTestId('derived-arch')).toBeVisible();
}

const row = (page: Page, name: string) => page.locator(`[data-testid="run-row"][data-run-name="${name}"]`);

const bytes = (text: string) => {
  const m = /([\d.]+) (B|KB|MB|GB)/.exec(text)!;
  return Number(m[1]) * { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[m[2] as 'B'];
};

test('two searches are kept, reopened in Results after a reload, compared, carried to another browser and deleted', async ({
  page,
  browser,
}) => {
  test.setTimeout(300_000);
  await openSearch(page, 'cpu');
  await tinySearch(page, 'alpha low', '0.1', true);
  await tinySearch(page, 'alpha high', '0.9', false);

  // after a reload Results no longer has a search in the tab, but offers the stored run
  await page.reload();
  await page.goto('./?backend=cpu#/results');
  await expect(page.getByTestId('results-last-run')).toContainText('alpha high');
  await page.goto('./?backend=cpu#/runs');
  await expect(page.getByTestId('backend-name')).toHaveText('cpu');
  await expect(page.getByTestId('run-row')).toHaveCount(2);
  for (const name of ['alpha low', 'alpha high'])
    await expect(row(page, name).getByTestId('run-status-cell')).toHaveText('finished');

  // each opens in Results without training again: its record and restored supernet are there
  for (const name of ['alpha low', 'alpha high']) {
    await row(page, name).getByRole('button', { name: 'Open in Results' }).click();
    await expect(page.getByTestId('opened-run')).toContainText(name);
    await expect(page.getByTestId('results-empty')).toHaveCount(0);
    await expect(page.getByTestId('opened-arch')).toHaveCount(1);
    await expect(page.getByRole('button', { name: /Derive/ }).first()).toBeEnabled({ timeout: 60_000 });
    await expect(page.getByTestId('opened-run')).toContainText('step 6 of 6');
    await page.getByRole('link', { name: 'Runs' }).click();
  }

  // compare: two curves, two architectures, two points on the plane, α listed as the difference
  await page.getByRole('checkbox', { name: 'Compare alpha low' }).check();
  await page.getByRole('checkbox', { name: 'Compare alpha high' }).check();
  const compare = page.getByTestId('run-compare');
  await expect(compare.getByTestId('compare-loss').locator('.key')).toHaveCount(2);
  await expect(compare.getByTestId('compare-entropy').locator('.key')).toHaveCount(2);
  await expect(compare.getByTestId('compare-arch')).toHaveCount(2);
  await expect(compare.getByTestId('arch-diagram')).toHaveCount(2);
  await expect(compare.getByTestId('plane-point')).toHaveCount(2);
  await expect(compare.getByTestId('compare-diff')).toContainText('loss.alpha');
  await page.screenshot({ path: 'test-results/screenshots/runs-compare.png', fullPage: true });

  // export "alpha low" with its weights, import it into a fresh browser profile
  const nme = await row(page, 'alpha low').getByTestId('run-nme').textContent();
  const archLabel = await compare.locator('figure[aria-label]').first().getAttribute('aria-label');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    row(page, 'alpha low').getByRole('button', { name: 'Export' }).click(),
  ]);
  const file = await readFile((await download.path())!);

  const other = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const page2 = await other.newPage();
  await page2.goto('./?backend=cpu#/runs');
  await expect(page2.getByTestId('backend-name')).toHaveText('cpu');
  await expect(page2.getByTestId('runs-empty')).toBeVisible();
  await page2.getByTestId('run-import').setInputFiles({
    name: 'broken.nasrun.json',
    mimeType: 'application/json',
    buffer: file.subarray(0, file.length - 40),
  });
  await expect(page2.getByTestId('runs-error')).toContainText('broken.nasrun.json');
  await expect(page2.getByTestId('run-row')).toHaveCount(0);
  await page2.getByTestId('run-import').setInputFiles({
    name: 'alpha-low.nasrun.json',
    mimeType: 'application/json',
    buffer: file,
  });
  await expect(page2.getByTestId('run-row')).toHaveCount(1);
  await expect(row(page2, 'alpha low').getByTestId('run-nme')).toHaveText(nme!);
  await row(page2, 'alpha low').getByRole('button', { name: 'Open in Results' }).click();
  await expect(page2.getByTestId('opened-run')).toContainText('alpha low');
  await expect(page2.getByTestId('opened-arch').locator('figure[aria-label]')).toHaveAttribute(
    'aria-label',
    archLabel!.replace(/^[^:]*:/, 'Derived (argmax):'),
  );

  // its share link opens the result read-only, with a re-run offered
  await page2.getByRole('link', { name: 'Runs' }).click();
  await row(page2, 'alpha low').getByRole('button', { name: 'Share link' }).click();
  await expect(row(page2, 'alpha low').getByRole('button', { name: 'Link copied' })).toBeVisible();
  const link = await page2.evaluate(() => navigator.clipboard.readText());
  const page3 = await other.newPage();
  await page3.goto(link);
  await expect(page3.getByTestId('shared-run')).toBeVisible();
  await expect(page3.getByTestId('shared-run')).toContainText(/multiply-adds/);
  await expect(page3.getByRole('button', { name: 'Re-run this experiment' })).toBeEnabled();
  await other.close();

  // delete one: the runs' storage falls
  const before = bytes((await page.getByTestId('runs-total-bytes').textContent())!);
  await row(page, 'alpha high').getByRole('button', { name: 'Delete' }).click();
  await row(page, 'alpha high').getByRole('button', { name: 'Confirm delete' }).click();
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  const after = bytes((await page.getByTestId('runs-total-bytes').textContent())!);
  expect(after).toBeLessThan(before);
  await expect(page.getByTestId('storage-estimate')).toContainText('This site uses');
});

test('a run interrupted by a reload shows as interrupted with Resume; a diverged run shows its last good checkpoint', async ({
  page,
}) => {
  await page.goto('./?backend=cpu&ckptEvery=2#/search');
  await expect(page.getByTestId('backend-name')).toHaveText('cpu');
  await fillTiny(page, { 'tr-lrw': '1e12', 'tr-warmup': '2', 'tr-epochs': '3' });
  await page.locator('#exp-title').fill('diverging');
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('diverged', { timeout: 120_000 });

  await page.locator('#tr-lrw').fill('0.01');
  await page.locator('#tr-lrw').dispatchEvent('change');
  await page.locator('#tr-epochs').fill('8');
  await page.locator('#tr-epochs').dispatchEvent('change');
  await page.locator('#exp-title').fill('cut short');
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect.poll(() => stepCount(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(3);
  await page.reload();

  await page.goto('./?backend=cpu#/runs');
  await expect(page.getByTestId('run-row')).toHaveCount(2);
  const diverged = row(page, 'diverging');
  await expect(diverged.getByTestId('run-status-cell')).toHaveText('diverged');
  await expect(diverged.getByTestId('last-good')).toHaveText(/last good checkpoint: step \d+/);
  const cut = row(page, 'cut short');
  await expect(cut.getByTestId('run-status-cell')).toHaveText('interrupted');
  await cut.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('paused', { timeout: 60_000 });
  expect(await stepCount(page)).toBeGreaterThanOrEqual(2);
});
