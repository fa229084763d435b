import { test, expect, type Page } from '@playwright/test';
import { fillTiny, openSearch } from './helpers.ts';

/** The ms/step of each backend as the badge's probe panel lists them. */
async function probeRows(page: Page): Promise<Record<string, string>> {
  const rows: Record<string, string> = {};
  for (const li of await page.getByTestId('backend-probe').locator('li').all()) {
    const name = (await li.locator('strong').textContent())!.trim();
    rows[name] = (await li.textContent())!.replace(/\s+/g, ' ').trim();
  }
  return rows;
}

const msOf = (row: string) => {
  const m = /(≥ )?([\d.]+) ms\/step/.exec(row);
  return m ? Number(m[2]) : Infinity;
};

test('auto mode times a step on each backend, shows ms/step, picks the fastest and caches it', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await page.goto('./#/search');
  await expect(page.getByTestId('backend-badge')).toContainText('timing a step on each backend');
  await expect(page.getByTestId('backend-name')).toHaveText(/webgpu|webgl|cpu/, { timeout: 150_000 });
  const chosen = (await page.getByTestId('backend-name').textContent())!.trim();
  await page.getByTestId('backend-probe-summary').click();
  const rows = await probeRows(page);
  console.log(`measured: ${Object.values(rows).join(' | ')}`);
  expect(Object.keys(rows).length).toBeGreaterThanOrEqual(2);
  for (const row of Object.values(rows)) expect(row).toMatch(/ms\/step|failed/);
  // the chosen backend is the fastest measured one and says so
  const fastest = Object.entries(rows).sort((a, b) => msOf(a[1]) - msOf(b[1]))[0][0];
  expect(chosen).toBe(fastest);
  expect(rows[chosen]).toContain('chosen');
  // SwiftShader behind WebGPU is marked as a software renderer
  if (rows.webgpu) expect(rows.webgpu).toMatch(/software renderer/);
  await page.screenshot({ path: 'test-results/screenshots/backend-pick.png', fullPage: true });

  // before Start: the run's duration on this device, and a smaller preset when it is long
  await expect(page.getByTestId('estimate-total')).toBeVisible({ timeout: 150_000 });
  await expect(page.getByTestId('run-estimate')).toContainText(/Estimated duration on this device/);
  console.log(`estimate: ${(await page.getByTestId('run-estimate').textContent())!.replace(/\s+/g, ' ')}`);
  if (await page.getByTestId('estimate-warning').isVisible()) {
    const before = (await page.getByTestId('estimate-total').textContent())!;
    await page.getByRole('button', { name: 'Use the smaller preset' }).click();
    await expect(page.locator('#gs-paths')).toHaveValue('single');
    await expect(page.getByTestId('estimate-total')).toBeVisible({ timeout: 120_000 });
    console.log(
      `after the smaller preset: ${await page.getByTestId('estimate-total').textContent()} (was ${before})`,
    );
  }
  await page.screenshot({ path: 'test-results/screenshots/run-estimate.png', fullPage: true });

  // a reload reads this device's measurement from IndexedDB instead of timing again
  await page.reload();
  await expect(page.getByTestId('backend-name')).toHaveText(chosen, { timeout: 30_000 });
  await expect(page.getByTestId('backend-probe-summary')).toContainText('cached');
});

test('a search says what it is doing: kernel warm-up with elapsed time, then steps/s and time left', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await openSearch(page); // WebGPU on SwiftShader: the warm-up is long enough to watch
  await fillTiny(page);
  await expect(page.getByRole('button', { name: 'Estimate duration' })).toBeVisible();
  await page.getByRole('button', { name: 'Start search' }).click();
  const warmup = page.getByTestId('warmup-status');
  await expect(warmup).toHaveText(/Preparing GPU kernels… \d+ s/, { timeout: 120_000 });
  // the elapsed time counts up while the first step has not arrived
  await expect(warmup).toHaveText(/Preparing GPU kernels… [1-9]\d* s/, { timeout: 30_000 });
  await expect(page.getByTestId('steps-per-second')).toHaveText(/\d+\.\d\d steps\/s/, { timeout: 170_000 });
  await expect(page.getByTestId('time-left')).toHaveText(/\d+ (s|min \d\d s) left/);
  await page.screenshot({ path: 'test-results/screenshots/search-pace.png', fullPage: true });
});
