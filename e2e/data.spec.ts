import { test, expect, type Page } from '@playwright/test';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { decodePng } from '../src/nas/index.ts';

const SAMPLE = resolve('datasets/106points-sample/train_data');
const SAMPLE_LINES = readFileSync(resolve(SAMPLE, 'list.txt'), 'utf8').trim().split('\n');
const SAMPLE_PNGS = readdirSync(resolve(SAMPLE, 'imgs'))
  .sort()
  .map((f) => readFileSync(resolve(SAMPLE, 'imgs', f)));
const PX = 112 * 112 * 3;

/** Keys of the app's dataset database, read without creating it (an upgrade is aborted). */
async function datasetKeys(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((done) => {
        const req = indexedDB.open('nas-playground-datasets');
        req.onupgradeneeded = () => req.transaction?.abort();
        req.onerror = () => done([]);
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains('datasets')) {
            db.close();
            return done([]);
          }
          const get = db.transaction('datasets').objectStore('datasets').getAllKeys();
          get.onsuccess = () => {
            db.close();
            done(get.result.map(String).filter((k) => k.startsWith('ds:')));
          };
          get.onerror = () => done([]);
        };
      }),
  );
}

/** One stored value (a manifest, or a slice of a chunk as a plain array). */
async function storedValue<T>(page: Page, key: string, slice?: [number, number]): Promise<T | undefined> {
  return page.evaluate(
    ([key, slice]) =>
      new Promise<T | undefined>((done) => {
        const req = indexedDB.open('nas-playground-datasets');
        req.onupgradeneeded = () => req.transaction?.abort();
        req.onerror = () => done(undefined);
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains('datasets')) return done(undefined);
          const get = db.transaction('datasets').objectStore('datasets').get(key);
          get.onsuccess = () => {
            db.close();
            const v = get.result;
            done((slice && v ? Array.from(v.subarray(slice[0], slice[1])) : v) as T | undefined);
          };
          get.onerror = () => done(undefined);
        };
      }),
    [key, slice] as const,
  );
}

const card = (page: Page, name: string) => page.locator(`[data-testid="dataset-card"][data-name="${name}"]`);

/** `n` faces at the root of a zip (list.txt + imgs/), made from the sample's faces repeated. */
function syntheticZip(n: number): Buffer {
  const files: Record<string, Uint8Array> = {};
  const lines: string[] = [];
  for (let k = 0; k < n; k++) {
    const name = `imgs/${String(k).padStart(4, '0')}.png`;
    files[name] = SAMPLE_PNGS[k % SAMPLE_PNGS.length];
    lines.push([name, ...SAMPLE_LINES[k % SAMPLE_LINES.length].split(/\s+/).slice(1)].join(' '));
  }
  files['list.txt'] = strToU8(lines.join('\n') + '\n');
  return Buffer.from(zipSync(files, { level: 0 }));
}

async function openData(page: Page, query = '?backend=webgpu'): Promise<void> {
  await page.goto(`./${query}#/data`);
  await expect(page.getByRole('heading', { name: 'Data', exact: true })).toBeVisible();
  await expect(page.getByTestId('synth-grid').locator('canvas')).toHaveCount(24);
}

test('SynthFace preview draws the grid and reacts to its controls', async ({ page }) => {
  await openData(page);
  await page.locator('#synth-count').selectOption('12');
  await expect(page.getByTestId('synth-grid').locator('canvas')).toHaveCount(12);
  // the enlarged view names the landmark under the pointer
  const zoom = page.locator('canvas[aria-label^="enlarged face"]');
  await expect(zoom).toBeVisible();
  await expect(page.getByTestId('hover-point')).toHaveText(/Point at a landmark/);
  const box = (await zoom.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.5);
  await expect(page.getByTestId('hover-point')).toHaveText(/^\d+ · /);
  await page.getByTestId('toggle-points').uncheck();
  await page.getByTestId('toggle-points').check();
});

test('importing the sample folder stores 24 faces that survive a reload; Delete frees their storage', async ({
  page,
}) => {
  await openData(page);
  await expect(page.getByTestId('no-datasets')).toBeVisible();
  await page.getByTestId('folder-input').setInputFiles(SAMPLE);
  await expect(page.getByTestId('list-counts')).toContainText('24 usable samples');
  await page.getByTestId('dataset-name').fill('sample train');
  await page.getByRole('button', { name: 'Import 24 faces' }).click();
  await expect(page.getByTestId('import-message')).toContainText('Imported "sample train": 24 faces');

  const c = card(page, 'sample train');
  await expect(c).toHaveAttribute('data-status', 'complete');
  await expect(c.getByTestId('dataset-count')).toHaveText('24 faces');
  await expect(c.getByTestId('dataset-status')).toHaveText('complete');
  await expect(c.getByTestId('dataset-thumbs').locator('canvas')).toHaveCount(12);

  // the stored pixels are the PNG's pixels (112 px: no resize) and the landmarks are the list's values
  const manifest = await storedValue<{ count: number; bytes: number }>(page, 'ds:sample%20train');
  expect(manifest?.count).toBe(24);
  expect(manifest?.bytes).toBe(24 * (PX + 212 * 4));
  for (const i of [0, 23]) {
    const img = await storedValue<number[]>(page, 'ds:sample%20train:img:0', [i * PX, (i + 1) * PX]);
    expect(Buffer.from(img!).equals(Buffer.from(decodePng(SAMPLE_PNGS[i]).rgb))).toBe(true);
    const lmk = await storedValue<number[]>(page, 'ds:sample%20train:lmk:0', [i * 212, (i + 1) * 212]);
    const expected = SAMPLE_LINES[i].split(/\s+/).slice(1, 213).map(Number);
    lmk!.forEach((v, k) => expect(v).toBeCloseTo(expected[k], 5));
  }
  await page.screenshot({ path: 'test-results/screenshots/data.png', fullPage: true });

  await page.reload();
  await expect(card(page, 'sample train').getByTestId('dataset-count')).toHaveText('24 faces');
  await expect(card(page, 'sample train')).toHaveAttribute('data-status', 'complete');

  await card(page, 'sample train').getByRole('button', { name: 'Delete dataset sample train' }).click();
  await card(page, 'sample train').getByRole('button', { name: 'Delete for good' }).click();
  await expect(page.getByTestId('no-datasets')).toBeVisible();
  await expect(page.getByTestId('dataset-card')).toHaveCount(0);
  expect(await datasetKeys(page)).toEqual([]);
});

test('bad lines are reported by line number and skipped; the abort policy keeps nothing', async ({
  page,
}) => {
  const good = (k: number) => SAMPLE_LINES[k].split(/\s+/).slice(1);
  const files: Record<string, Uint8Array> = {
    'imgs/a.png': SAMPLE_PNGS[0],
    'imgs/b.png': SAMPLE_PNGS[1],
    'imgs/broken.png': strToU8('not a png'),
  };
  const lines = [
    ['imgs/a.png', ...good(0)], // 1 ok
    ['imgs/b.png', ...good(1).slice(0, 100)], // 2 wrong value count
    ['imgs/b.png', 'zero', ...good(1).slice(1)], // 3 not a number
    ['imgs/b.png', '-0.2', ...good(1).slice(1)], // 4 out of range
    ['imgs/a.png', ...good(0)], // 5 duplicate path
    ['imgs/missing.png', ...good(2)], // 6 missing image
    ['imgs/broken.png', ...good(3)], // 7 undecodable image
    ['imgs/b.png', ...good(1)], // 8 ok
  ];
  files['list.txt'] = strToU8(lines.map((l) => l.join(' ')).join('\n'));
  const zip = Buffer.from(zipSync(files));

  await openData(page);
  const panel = page.locator('section[aria-labelledby="import-title"]');
  await page
    .getByTestId('zip-input')
    .setInputFiles({ name: 'messy.zip', mimeType: 'application/zip', buffer: zip });
  await expect(page.getByTestId('list-counts')).toContainText('8 lines');
  await expect(page.getByTestId('list-counts')).toContainText('4 usable samples');
  await expect(panel.getByTestId('problem-row')).toHaveCount(4); // parse problems, before importing
  await page.getByRole('button', { name: 'Import 4 faces' }).click();
  await expect(page.getByTestId('import-message')).toContainText('2 faces');
  const rows = panel.getByTestId('problem-row');
  await expect(rows).toHaveCount(6);
  const lineNumbers = await rows.locator('td.line').allTextContents();
  expect(lineNumbers.map(Number)).toEqual([2, 3, 4, 5, 6, 7]);
  await expect(rows.nth(0)).toContainText('found 100');
  await expect(rows.nth(1)).toContainText('"zero" is not a number');
  await expect(rows.nth(2)).toContainText('outside [0, 1]');
  await expect(rows.nth(3)).toContainText('duplicate');
  await expect(rows.nth(4)).toContainText('not found');
  await expect(rows.nth(5)).toContainText('could not be');
  await expect(card(page, 'messy').getByTestId('dataset-count')).toHaveText('2 faces');
  await expect(card(page, 'messy').getByText('6 lines were left out')).toBeVisible();

  // abort: an image problem stops the import and nothing of it stays in storage
  await page.getByRole('button', { name: 'Import another dataset' }).click();
  const abortZip = Buffer.from(
    zipSync({
      'imgs/a.png': SAMPLE_PNGS[0],
      'imgs/b.png': SAMPLE_PNGS[1],
      'list.txt': strToU8(
        [
          ['imgs/a.png', ...good(0)],
          ['imgs/gone.png', ...good(2)],
          ['imgs/b.png', ...good(1)],
        ]
          .map((l) => l.join(' '))
          .join('\n'),
      ),
    }),
  );
  await page
    .getByTestId('zip-input')
    .setInputFiles({ name: 'strict.zip', mimeType: 'application/zip', buffer: abortZip });
  await page.getByLabel('abort the import').check();
  await page.getByRole('button', { name: 'Import 3 faces' }).click();
  await expect(page.getByTestId('import-message')).toContainText('aborted');
  await expect(panel.getByTestId('problem-row')).toHaveCount(1);
  await expect(panel.getByTestId('problem-row').locator('td.line')).toHaveText('2');
  await expect(card(page, 'strict')).toHaveCount(0);
  expect((await datasetKeys(page)).filter((k) => k.startsWith('ds:strict'))).toEqual([]);
});

const BIG = 160;

/** Start a slowed import of BIG faces and reload the page once a first chunk is stored. */
async function interruptedImport(page: Page): Promise<{ zip: Buffer; nextIndex: number }> {
  const zip = syntheticZip(BIG);
  await openData(page, '?backend=webgpu&importDelay=25');
  await page
    .getByTestId('zip-input')
    .setInputFiles({ name: 'big.zip', mimeType: 'application/zip', buffer: zip });
  await expect(page.getByTestId('list-counts')).toContainText(`${BIG} usable samples`);
  await expect(page.getByTestId('dataset-name')).toHaveValue('big');
  await page.getByRole('button', { name: `Import ${BIG} faces` }).click();
  await expect(page.getByTestId('import-progress')).toBeVisible();
  await expect(card(page, 'big').getByTestId('dataset-status')).toHaveText('importing now…');
  await expect
    .poll(async () => (await storedValue<{ count: number }>(page, 'ds:big'))?.count ?? 0, { timeout: 30_000 })
    .toBeGreaterThanOrEqual(64);
  await page.reload();
  const m = await storedValue<{ status: string; nextIndex: number; count: number }>(page, 'ds:big');
  expect(m?.status).toBe('importing');
  expect(m!.nextIndex).toBeLessThan(BIG);
  const c = card(page, 'big');
  await expect(c).toHaveAttribute('data-status', 'importing');
  await expect(c.getByTestId('dataset-status')).toHaveText(`Incomplete import — ${m!.nextIndex} of ${BIG}`);
  await expect(c.getByText('complete', { exact: true })).toHaveCount(0);
  await expect(c.getByRole('button', { name: /Delete/ })).toHaveCount(0);
  await expect(page.getByTestId('dataset-storage')).toContainText('0 ready for training');
  return { zip, nextIndex: m!.nextIndex };
}

test('an import interrupted by a reload shows as incomplete, and Resume finishes it', async ({ page }) => {
  const { zip, nextIndex } = await interruptedImport(page);
  await page.screenshot({ path: 'test-results/screenshots/data-incomplete.png', fullPage: true });

  await card(page, 'big').getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByTestId('resume-request')).toContainText(
    `continues at sample ${nextIndex + 1} of ${BIG}`,
  );
  await page
    .getByTestId('zip-input')
    .setInputFiles({ name: 'big.zip', mimeType: 'application/zip', buffer: zip });
  await expect(page.getByTestId('import-message')).toContainText(`Imported "big": ${BIG} faces`, {
    timeout: 60_000,
  });
  const c = card(page, 'big');
  await expect(c).toHaveAttribute('data-status', 'complete');
  await expect(c.getByTestId('dataset-count')).toHaveText(`${BIG} faces`);
  await expect(page.getByTestId('dataset-storage')).toContainText('1 ready for training');

  // resumed, not restarted: exactly BIG samples, in list order across the interruption
  const m = await storedValue<{ count: number; nextIndex: number }>(page, 'ds:big');
  expect(m).toMatchObject({ count: BIG, nextIndex: BIG });
  for (const i of [nextIndex - 1, nextIndex, BIG - 1]) {
    const k = Math.floor(i / 64);
    const o = i % 64;
    const img = await storedValue<number[]>(page, `ds:big:img:${k}`, [o * PX, (o + 1) * PX]);
    expect(Buffer.from(img!).equals(Buffer.from(decodePng(SAMPLE_PNGS[i % 24]).rgb))).toBe(true);
  }
  expect((await datasetKeys(page)).sort()).toEqual(
    [
      'ds:big',
      'ds:big:img:0',
      'ds:big:img:1',
      'ds:big:img:2',
      'ds:big:lmk:0',
      'ds:big:lmk:1',
      'ds:big:lmk:2',
    ].sort(),
  );
});

test('an interrupted import can be discarded, freeing its storage', async ({ page }) => {
  await interruptedImport(page);
  expect((await datasetKeys(page)).length).toBeGreaterThan(1);
  await card(page, 'big').getByRole('button', { name: 'Discard' }).click();
  await expect(page.getByTestId('no-datasets')).toBeVisible();
  expect(await datasetKeys(page)).toEqual([]);
});
