import { test, expect } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { expectNoSeriousAxeViolations } from './axe.ts';

const SHOTS = 'test-results/learn';
const HASH = '#/learn&lv=1&lesson=v2&s=mask';

test.beforeAll(() => mkdirSync(SHOTS, { recursive: true }));

test('V2 mask section: timing masked vs naive per k on this device, positive times for every k, link untouched', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await page.goto(`./?backend=cpu${HASH}`);
  const button = page.getByRole('button', { name: 'Time it on this device' });
  await expect(button).toBeEnabled({ timeout: 120_000 });
  const hashBefore = await page.evaluate(() => location.hash);
  // keyboard: the button is reachable and pressed with Enter like any other
  await button.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('mask-time-status')).toContainText(/Timing steps|Building/, {
    timeout: 30_000,
  });
  const rows = page.getByTestId('mask-time-row');
  await expect(rows).toHaveCount(3, { timeout: 150_000 });
  const values = await rows.evaluateAll((trs) =>
    trs.map((tr) => ({
      k: Number(tr.getAttribute('data-k')),
      masked: Number(tr.getAttribute('data-masked')),
      naive: Number(tr.getAttribute('data-naive')),
    })),
  );
  console.log('mask timing rows (ms):', JSON.stringify(values));
  expect(values.map((v) => v.k)).toEqual([2, 4, 8]);
  for (const v of values) {
    expect(v.masked).toBeGreaterThan(0);
    expect(v.naive).toBeGreaterThan(0);
  }
  await expect(page.getByTestId('mask-time-chart')).toBeVisible();
  await expect(page.getByTestId('mask-time-reading')).toContainText(/From 2 to 8 width options/);
  await expect(page.getByTestId('mask-time-status')).toContainText(/Done in .* s on cpu/);
  console.log('reading:', await page.getByTestId('mask-time-reading').textContent());
  // the timing is not part of the section's link
  expect(await page.evaluate(() => location.hash)).toBe(hashBefore);
  await page.getByTestId('mask-time-chart').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/08b-v2-mask-timed.png`, fullPage: true });
  await expectNoSeriousAxeViolations(page, 'Learn V2 mask section, timed');
});
