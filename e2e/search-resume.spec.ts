import { test, expect } from '@playwright/test';
import { fillTiny, stepCount } from './helpers.ts';

/** Reads the newest checkpoint of the newest run straight from IndexedDB (what "saved" means). */
async function savedCheckpoint(page: import('@playwright/test').Page) {
  return page.evaluate(
    () =>
      new Promise<{ step: number; theta: string[] }>((resolve, reject) => {
        const open = indexedDB.open('nas-playground');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const store = db.transaction('runs').objectStore('runs');
          const all = store.getAll();
          const keys = store.getAllKeys();
          all.onsuccess = () =>
            (keys.onsuccess = () => {
              const entries = (keys.result as string[]).map((k, i) => [k, all.result[i]] as const);
              const manifests = entries.filter(([k]) => /^run:[^:]+$/.test(k)).map(([, v]) => v);
              manifests.sort((a, b) => b.updatedAt - a.updatedAt);
              const run = manifests[0];
              const info = run.checkpoints[run.checkpoints.length - 1];
              const state = entries.find(([k]) => k === `run:${run.runId}:ckpt:${info.seq}`)![1];
              resolve({
                step: info.step,
                theta: state.theta.map((row: Float32Array) => Array.from(row, (v) => v.toFixed(6)).join(' ')),
              });
            });
        };
      }),
  );
}

test('a reload mid-run offers to resume; the run continues from the checkpoint with the saved θ', async ({
  page,
}) => {
  await page.goto('./?backend=webgpu&ckptEvery=3#/search');
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
  await fillTiny(page, { 'tr-epochs': '4' });
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect.poll(() => stepCount(page), { timeout: 150_000 }).toBeGreaterThanOrEqual(7);
  await page.reload();

  const offer = page.getByTestId('resume-offer');
  await expect(offer).toBeVisible();
  const saved = await savedCheckpoint(page);
  expect(saved.step).toBeGreaterThanOrEqual(3);
  await offer.getByRole('button', { name: 'Resume search' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('paused', { timeout: 60_000 });
  expect(await stepCount(page)).toBe(saved.step);

  await page.getByText('Architecture parameters θ (read-out)').click();
  await page.getByRole('button', { name: 'Read θ now' }).click();
  await expect(page.getByTestId('theta-readout').locator('li')).toHaveCount(saved.theta.length);
  const rows = await page.getByTestId('theta-readout').locator('li').allTextContents();
  expect(rows).toEqual(saved.theta);

  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect.poll(() => stepCount(page), { timeout: 120_000 }).toBeGreaterThan(saved.step);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('paused');
});

test('a diverging run stops with a clear message and keeps a usable checkpoint', async ({ page }) => {
  await page.goto('./?backend=webgpu#/search');
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
  await fillTiny(page, { 'tr-lrw': '1e12', 'tr-warmup': '2', 'tr-epochs': '3' });
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('diverged', { timeout: 150_000 });
  await expect(page.getByTestId('run-message')).toContainText(/diverged.*last good checkpoint/i);
  const rows = page.getByRole('region', { name: 'Checkpoints' }).locator('tbody tr');
  expect(await rows.count()).toBeGreaterThan(0);
  await page.screenshot({ path: 'test-results/screenshots/search-diverged.png', fullPage: true });
});

test('the main thread stays responsive while training: no long task over 200 ms', async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.push({
          start: e.startTime,
          duration: e.duration,
        });
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto('./?backend=webgpu#/search');
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
  await fillTiny(page, { 'tr-epochs': '3' });
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect.poll(() => stepCount(page), { timeout: 150_000 }).toBeGreaterThan(1);
  const startedAt = await page.evaluate(() => performance.now());
  await expect.poll(() => stepCount(page), { timeout: 150_000 }).toBeGreaterThan(8);
  const tasks = await page.evaluate(
    (t0) =>
      (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter(
        (x) => x.start >= t0,
      ),
    startedAt,
  );
  console.log(`long tasks during training: ${JSON.stringify(tasks.map((t) => Math.round(t.duration)))}`);
  expect(tasks.filter((t) => t.duration > 200)).toEqual([]);
});

test('a lost GPU device stops the run with a clear message and the checkpoint survives for resuming', async ({
  page,
}) => {
  await page.goto('./?backend=webgpu&testHooks=1&ckptEvery=2#/search');
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
  await fillTiny(page, { 'tr-epochs': '4' });
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect.poll(() => stepCount(page), { timeout: 150_000 }).toBeGreaterThanOrEqual(3);
  await page.evaluate(() =>
    (window as unknown as { __nasTest: { loseDevice: () => Promise<unknown> } }).__nasTest.loseDevice(),
  );
  await expect(page.getByTestId('backend-error')).toContainText('GPU device was lost', { timeout: 60_000 });
  await expect(page.getByTestId('run-status')).toHaveText('error', { timeout: 60_000 });
  await page.reload();
  await expect(page.getByTestId('resume-offer')).toBeVisible();
});
