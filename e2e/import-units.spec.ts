import { test, expect } from '@playwright/test';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { logFault } from '../scripts/fault-log.ts';

const SAMPLE = resolve('datasets/106points-sample/train_data');
const LINES = readFileSync(resolve(SAMPLE, 'list.txt'), 'utf8').trim().split('\n');
const PNGS = readdirSync(resolve(SAMPLE, 'imgs'))
  .sort()
  .map((f) => readFileSync(resolve(SAMPLE, 'imgs', f)));
const values = (k: number) => LINES[k].split(/\s+/).slice(1);

/** Stored landmarks of chunk 0 of a dataset, as a plain array. */
async function storedLandmarks(page: import('@playwright/test').Page, name: string): Promise<number[]> {
  return page.evaluate(
    (key) =>
      new Promise<number[]>((done) => {
        const req = indexedDB.open('nas-playground-datasets');
        req.onsuccess = () => {
          const get = req.result.transaction('datasets').objectStore('datasets').get(key);
          get.onsuccess = () => done(Array.from(get.result as Float32Array));
          get.onerror = () => done([]);
        };
        req.onerror = () => done([]);
      }),
    `ds:${encodeURIComponent(name)}:lmk:0`,
  );
}

test('fault: bad line sways the unit (e2e) — the preview shows the chosen unit, good faces keep their values', async ({
  page,
}) => {
  // six good normalised faces, a line with 1e999 and a line of pixel-range garbage
  const files: Record<string, Uint8Array> = {};
  const lines: string[] = [];
  for (let k = 0; k < 6; k++) {
    files[`imgs/${k}.png`] = PNGS[k];
    lines.push([`imgs/${k}.png`, ...values(k)].join(' '));
  }
  files['imgs/inf.png'] = PNGS[6];
  files['imgs/px.png'] = PNGS[7];
  lines.splice(2, 0, ['imgs/inf.png', '1e999', ...values(6).slice(1)].join(' '));
  lines.splice(5, 0, ['imgs/px.png', ...values(7).map((_, i) => String(20 + ((i * 13) % 90)))].join(' '));
  files['list.txt'] = strToU8(lines.join('\n'));
  const zip = Buffer.from(zipSync(files, { level: 0 }));

  await page.goto('./?backend=cpu#/data');
  await page
    .getByTestId('zip-input')
    .setInputFiles({ name: 'units.zip', mimeType: 'application/zip', buffer: zip });
  await expect(page.getByTestId('list-counts')).toContainText('6 usable samples');
  await expect(page.getByTestId('unit-evidence')).toContainText('Normalised coordinates: 6 of 7 valid lines');
  await expect(page.getByTestId('preview-unit')).toHaveText(/normalised/);
  await expect(page.getByTestId('preview-face').locator('canvas')).toHaveCount(4);
  await expect(page.getByTestId('import-preview')).not.toContainText('outside the image');
  await page
    .getByTestId('import-unit')
    .screenshot({ path: 'test-results/screenshots/import-units-normalised.png' });

  // overriding to pixels: the preview says so and flags the points that now miss the image
  await page.getByRole('radio', { name: 'pixels' }).check();
  await expect(page.getByTestId('preview-unit')).toHaveText(/pixel/);
  await expect(page.getByTestId('unit-evidence')).toContainText('chosen by you');
  await expect(page.getByTestId('list-counts')).toContainText('1 usable samples');
  await page
    .getByTestId('import-unit')
    .screenshot({ path: 'test-results/screenshots/import-units-pixels.png' });
  await page.getByRole('radio', { name: 'decide from the file' }).check();
  await expect(page.getByTestId('preview-unit')).toHaveText(/normalised/);

  await page.getByTestId('dataset-name').fill('units');
  await page.getByRole('button', { name: 'Import 6 faces' }).click();
  await expect(page.getByTestId('import-message')).toContainText('Imported "units": 6 faces');
  await expect(
    page
      .locator('[data-testid="dataset-card"][data-name="units"]')
      .getByTestId('dataset-thumbs')
      .locator('canvas'),
  ).toHaveCount(6);
  const stored = await storedLandmarks(page, 'units');
  let exact = 0;
  for (let k = 0; k < 6; k++) {
    const expected = Array.from(Float32Array.from(values(k).slice(0, 212).map(Number)));
    expect(stored.slice(k * 212, (k + 1) * 212)).toEqual(expected);
    exact++;
  }
  await page.screenshot({ path: 'test-results/screenshots/import-units.png', fullPage: true });
  logFault('bad line sways the unit of an import (browser)', 6, exact);
});
