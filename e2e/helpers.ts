import { expect, type Page } from '@playwright/test';

/** A configuration small enough for SwiftShader WebGPU on a 2-core CI machine. */
export const TINY = {
  'ds-count': '40',
  'ds-size': '32',
  'exp-input': '32',
  'tr-batch': '4',
  'tr-epochs': '2',
  'tr-steps': '3',
  'tr-warmup': '1',
};

export async function fillTiny(page: Page, overrides: Record<string, string> = {}): Promise<void> {
  for (const [id, value] of Object.entries({ ...TINY, ...overrides })) {
    await page.locator(`#${id}`).fill(value);
    await page.locator(`#${id}`).dispatchEvent('change');
  }
}

/**
 * Opens the Search area on a forced backend (default WebGPU, the path these specs test): auto mode would
 * first time a step on every backend (backend-pick.spec.ts covers that).
 */
export async function openSearch(page: Page, backend: 'webgpu' | 'webgl' | 'cpu' = 'webgpu'): Promise<void> {
  await page.goto(`./?backend=${backend}#/search`);
  await expect(page.getByTestId('backend-name')).toHaveText(/webgpu|webgl|cpu/);
}

export const stepCount = async (page: Page) => Number(await page.getByTestId('step-counter').textContent());
