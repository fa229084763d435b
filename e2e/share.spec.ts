import { test, expect } from '@playwright/test';
import { encodeShare } from '../src/share/index.ts';
import { DEFAULT_EXPERIMENT } from '../src/nas/index.ts';
import { openSearch } from './helpers.ts';

const CONTROLS = [
  'exp-title',
  'exp-space',
  'ds-count',
  'ds-size',
  'ds-difficulty',
  'ds-seed',
  'exp-input',
  'tr-batch',
  'tr-epochs',
  'tr-steps',
  'tr-warmup',
  'tr-lrw',
  'tr-lrt',
  'tr-wd',
  'gs-tau0',
  'gs-decay',
  'ls-alpha',
  'ls-beta',
  'ls-cost',
  'sd-split',
  'sd-init',
  'sd-gumbel',
  'sd-data',
];

async function readControls(page: import('@playwright/test').Page) {
  const values: Record<string, string> = {};
  for (const id of CONTROLS) values[id] = await page.locator(`#${id}`).inputValue();
  values['gs-hard'] = String(await page.locator('#gs-hard').isChecked());
  return values;
}

test('a copied link restores every control in a fresh browser context', async ({ page, browser }) => {
  await openSearch(page);
  const edits: Record<string, string> = {
    'exp-title': 'Wide kernels, strong latency weight',
    'ds-count': '300',
    'ds-difficulty': '0.8',
    'tr-epochs': '7',
    'tr-lrw': '0.05',
    'gs-tau0': '3.5',
    'ls-beta': '1.2',
    'sd-init': '42',
    'sd-gumbel': '99',
  };
  for (const [id, v] of Object.entries(edits)) {
    await page.locator(`#${id}`).fill(v);
    await page.locator(`#${id}`).dispatchEvent('change');
  }
  await page.locator('#gs-hard').check();
  await page.locator('#ls-cost').selectOption('params');
  const before = await readControls(page);
  for (const [id, v] of Object.entries(edits)) expect(before[id]).toBe(v);

  await page.getByText('Share this experiment').click();
  await page.getByRole('button', { name: 'Copy link' }).click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toContain('#');
  // the address bar followed the setup without adding history entries
  expect(page.url()).toContain('x=');
  expect(await page.evaluate(() => history.length)).toBeLessThanOrEqual(2);

  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(link);
  await expect(other.getByTestId('backend-name')).toHaveText(/webgpu|webgl|cpu/);
  expect(await readControls(other)).toEqual(before);
  await fresh.close();
});

test('a link carrying a derived architecture shows it and its metrics without training', async ({ page }) => {
  const token = encodeShare({
    config: DEFAULT_EXPERIMENT,
    result: {
      arch: {
        name: 'classroom-found',
        input: { size: 64, channels: 3 },
        body: [
          { kind: 'conv', k: 3, out: 8, stride: 2, act: 'relu' },
          { kind: 'ir', k: 5, e: 3, out: 16, stride: 2, groups: 1, act: 'relu' },
          { kind: 'skip', out: 16, stride: 1 },
        ],
        head: { kind: 'landmarks', points: 106, features: 64, act: 'relu' },
      },
      metrics: { macs: 1_234_000, params: 56_700, nme: 7.25, steps: 480 },
    },
  });
  await page.goto(`./#/search&x=${token}`);
  await expect(page.getByTestId('shared-result')).toBeVisible();
  await expect(page.getByTestId('shared-result')).toContainText('k5 e3');
  await expect(page.getByTestId('shared-metrics')).toContainText('1.23 M multiply-adds');
  await expect(page.getByTestId('shared-metrics')).toContainText('56.7 k parameters');
  await expect(page.getByTestId('shared-metrics')).toContainText('7.25 %');
  await expect(page.getByTestId('step-counter')).toHaveText('0');
});

test('markup in a link is shown as text and never runs', async ({ page }) => {
  const evil = '<img src=x onerror=alert(1)>';
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  const token = encodeShare({ config: { ...DEFAULT_EXPERIMENT, title: evil } });
  await page.goto(`./#/search&x=${token}`);
  await expect(page.getByTestId('experiment-title')).toHaveText(evil);
  await expect(page.locator('#exp-title')).toHaveValue(evil);
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  await page.waitForTimeout(500);
  expect(dialogs).toBe(0);
});

test('a broken link says what was wrong and opens the default experiment', async ({ page }) => {
  await page.goto('./#/search&x=1.AAAAtampered');
  await expect(page.getByTestId('share-error')).toContainText('could not be read');
  await expect(page.locator('#exp-title')).toHaveValue(DEFAULT_EXPERIMENT.title);
});

test('the default experiment link is under 300 characters', async ({ page }) => {
  await openSearch(page);
  await page.getByText('Share this experiment').click();
  await page.getByRole('button', { name: 'Copy link' }).click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link.length).toBeLessThan(300);
});
