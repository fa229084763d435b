import { test, expect, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { pack } from '../src/share/envelope.ts';
import { openSearch } from './helpers.ts';
import { expectNoSeriousAxeViolations } from './axe.ts';

/** Loads ONNX bytes in onnxruntime-web (Node) and runs one face through them: the output's dims. */
async function runInOrt(
  bytes: Uint8Array,
  size: number,
): Promise<{ dims: number[]; data: number[]; finite: boolean }> {
  const ort = await import('onnxruntime-web');
  const session = await ort.InferenceSession.create(bytes);
  try {
    const x = new ort.Tensor('float32', new Float32Array(3 * size * size).fill(0.5), [1, 3, size, size]);
    const out = (await session.run({ [session.inputNames[0]]: x }))[session.outputNames[0]];
    const data = Array.from(out.data as Float32Array);
    return { dims: [...out.dims], data, finite: data.every(Number.isFinite) };
  } finally {
    await session.release();
  }
}

/** Exports the first budget's winner, checks the parity line and returns the downloaded file's bytes. */
async function exportFirstWinner(page: Page): Promise<Uint8Array> {
  const panel = page.getByRole('region', { name: 'FBNetV3 joint search' });
  const download = panel.getByRole('button', { name: 'Download ONNX' }).first();
  await expect(download).toBeDisabled();
  await panel.getByRole('button', { name: 'Export ONNX' }).first().click();
  const parity = page.getByTestId('v3-parity').first();
  await expect(parity).toContainText('passed', { timeout: 120_000 });
  const diff = Number(/= ([\d.e+-]+) over/.exec((await parity.textContent()) ?? '')?.[1]);
  expect(diff).toBeGreaterThanOrEqual(0);
  expect(diff).toBeLessThan(1e-4);
  await expect(download).toBeEnabled();
  const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
  expect(file.suggestedFilename()).toBe('fbnet-v3-1.50M-macs.onnx');
  return new Uint8Array(await readFile((await file.path())!));
}

const trainedCount = async (page: Page) => {
  const text = (await page.getByTestId('v3-progress').textContent()) ?? '';
  return Number(/(\d+) of \d+ candidates trained/.exec(text)?.[1] ?? 0);
};

test('FBNetV3 joint search at tiny size: pool → round 0 → early stop → two predictor rounds → fine stage for two budgets; pause, reload mid-run and resume without retraining → verification training → export', async ({
  page,
  browser,
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
  // → export: each budget's verified winner, with the weights its verification training kept
  await expect(page.getByTestId('v3-export-row')).toHaveCount(2);
  const onnx = await exportFirstWinner(page);
  expect(onnx.length).toBeGreaterThan(1000);
  // the file loads in onnxruntime-web: one face in, 2 × landmarks out
  const ran = await runInOrt(onnx, 32);
  expect(ran.dims[0]).toBe(1);
  expect(ran.dims[1] % 2).toBe(0);
  expect(ran.finite).toBe(true);
  await expectNoSeriousAxeViolations(page, 'Results with the FBNetV3 joint search');
  // a finished search is shown again after a reload, not offered for resuming
  await page.reload();
  await expect(page.getByTestId('v3-table').locator('tbody tr')).toHaveCount(total);
  await expect(page.getByTestId('v3-progress')).toContainText(
    `${total} of ${total} candidates trained · done`,
  );
  await expect(page.getByTestId('v3-resumable')).toHaveCount(0);
  // the kept weights came back from IndexedDB: the winner still exports, to the same file
  const again = await exportFirstWinner(page);
  expect((await runInOrt(again, 32)).data).toEqual(ran.data);
  await page.screenshot({ path: 'test-results/screenshots/v3.png', fullPage: true });

  // the address bar carries the run's settings: a fresh browser opens the V3 form as it was
  const link = page.url();
  expect(link).toContain('x=');
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(link);
  const otherPanel = other.getByRole('region', { name: 'FBNetV3 joint search' });
  await expect(otherPanel.getByLabel('Longest training (steps)')).toHaveValue('9');
  await expect(otherPanel.getByLabel('Pool size')).toHaveValue('12');
  await expect(otherPanel.getByLabel('Fine-stage budgets (M MACs)')).toHaveValue('1.5, 3');
  await expect(other.getByTestId('v3-link-notices')).toHaveCount(0);
  await fresh.close();
});

test('FBNetV3 share link: every setting round-trips into a fresh page; hostile values open with the defaults and a notice', async ({
  page,
  browser,
}) => {
  await page.goto('./?backend=cpu#/results');
  const panel = page.getByRole('region', { name: 'FBNetV3 joint search' });
  const edits: [string, string][] = [
    ['Seed', '17'],
    ['Faces', '60'],
    ['Pool size', '20'],
    ['Round 0 candidates', '6'],
    ['Predictor rounds', '3'],
    ['Longest training (steps)', '12'],
    ['Logged points per run', '4'],
    ['Early-stop τ threshold', '0.85'],
    ['Pool MACs budget', '4000000'],
    ['Fine-stage budgets (M MACs)', '1, 2.5, 4'],
    ['Pre-training architectures', '300'],
    ['Genetic generations', '5'],
  ];
  for (const [label, v] of edits) await panel.getByLabel(label).fill(v);
  await expect.poll(() => page.url()).toContain('x=');
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(page.url());
  const otherPanel = other.getByRole('region', { name: 'FBNetV3 joint search' });
  for (const [label, v] of edits) await expect(otherPanel.getByLabel(label)).toHaveValue(v);
  await expect(other.getByTestId('v3-link-notices')).toHaveCount(0);
  await fresh.close();

  // hostile: a script for the size, a negative pool budget, a pool too small, junk budgets
  const token = pack({ x3: { v: 1, z: '<script>alert(1)</script>', m: -5, p: 3, bg: ['x'], n: 1e12 } });
  const bad = await browser.newContext();
  const hostile = await bad.newPage();
  hostile.on('dialog', () => {
    throw new Error('a dialog opened');
  });
  await hostile.goto(`./?backend=cpu#/results&x=${token}`);
  const notices = hostile.getByTestId('v3-link-notices');
  await expect(notices).toContainText('v3.size');
  await expect(notices).toContainText('v3.maxMacs');
  await expect(notices).toContainText('v3.poolSize');
  await expect(notices).toContainText('v3.budgets');
  await expect(notices).toContainText('v3.steps');
  const hostilePanel = hostile.getByRole('region', { name: 'FBNetV3 joint search' });
  await expect(hostilePanel.getByLabel('Face size (px)')).toHaveValue('32');
  await expect(hostilePanel.getByLabel('Pool MACs budget')).toHaveValue('3000000');
  await expect(hostilePanel.getByLabel('Pool size')).toHaveValue('12');
  await expect(hostilePanel.getByLabel('Fine-stage budgets (M MACs)')).toHaveValue('1.5, 3');
  await expect(hostilePanel.getByLabel('Longest training (steps)')).toHaveValue('1000000');
  await expect(hostilePanel.getByRole('button', { name: 'Start joint search' })).toBeVisible();
  await bad.close();
});
