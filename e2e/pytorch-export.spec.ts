import { readFileSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { fillTiny, openSearch } from './helpers.ts';

const FILES = [
  'README.md',
  'model.py',
  'safetensors_io.py',
  'data.py',
  'distributed.py',
  'search.py',
  'train.py',
  'torchrun.py',
  'experiment.json',
  'search_settings.json',
  'supernet.safetensors',
  'derived.safetensors',
];

/** Clicks the export button of an area and returns the downloaded zip's entries. */
async function exportZip(page: Page, from: 'search' | 'results'): Promise<Record<string, Uint8Array>> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId(`pytorch-export-${from}`).click(),
  ]);
  expect(file.suggestedFilename()).toMatch(/^nas-playground-[a-z0-9-]+-pytorch\.zip$/);
  await expect(page.getByTestId(`pytorch-export-${from}-done`)).toBeVisible();
  return unzipSync(new Uint8Array(readFileSync(await file.path())));
}

test('a tiny search exported as a PyTorch project from Search and from Results', async ({ page }) => {
  test.setTimeout(300_000);
  await openSearch(page, 'cpu');
  await fillTiny(page);
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('finished', { timeout: 200_000 });

  const fromSearch = await exportZip(page, 'search');
  const root = Object.keys(fromSearch)[0].split('/')[0];
  expect(Object.keys(fromSearch).sort()).toEqual(FILES.map((f) => `${root}/${f}`).sort());
  const experiment = JSON.parse(new TextDecoder().decode(fromSearch[`${root}/experiment.json`]));
  expect(experiment.inputSize).toBe(32);
  expect(new TextDecoder().decode(fromSearch[`${root}/model.py`])).toContain('SPACE = json.loads');

  await page.getByRole('link', { name: 'Results & Export' }).click();
  await page.getByRole('button', { name: 'Derive most likely (argmax)' }).click();
  await expect(page.getByTestId('results-arch')).toContainText('Derived (argmax)');
  const fromResults = await exportZip(page, 'results');
  expect(Object.keys(fromResults).sort()).toEqual(FILES.map((f) => `${root}/${f}`).sort());
  const readme = new TextDecoder().decode(fromResults[`${root}/README.md`]);
  expect(readme).toContain('torchrun --standalone --nproc_per_node=2 search.py');
});
