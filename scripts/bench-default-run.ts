/**
 * Runs the default experiment, as shipped, in headless Chromium (auto backend, a fresh profile) on the built app
 * (`npm run build` first) and prints the estimate shown before Start next to the measured duration:
 *   npm run bench:default
 */
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { requireChromium, WEBGPU_ARGS } from '../e2e/chromium.ts';

const PORT = 4400;
const server = spawn(
  'npx',
  ['vite', 'preview', '--port', String(PORT), '--strictPort', '--host', '127.0.0.1'],
  { stdio: 'ignore' },
);
await new Promise((r) => setTimeout(r, 4000));
const browser = await chromium.launch({ executablePath: requireChromium(), args: WEBGPU_ARGS });
const page = await browser.newPage();
const t0 = Date.now();
const log = (m: string) => console.log(`${((Date.now() - t0) / 1000).toFixed(0)} s: ${m}`);
try {
  await page.goto(`http://127.0.0.1:${PORT}/#/search`);
  await page.waitForFunction(
    () => /webgpu|webgl|cpu/.test(document.querySelector('[data-testid=backend-name]')?.textContent ?? ''),
    null,
    { timeout: 300_000 },
  );
  log(`backend ${await page.getByTestId('backend-name').textContent()}`);
  await page.getByTestId('estimate-total').waitFor({ timeout: 300_000 });
  log(`estimate: ${(await page.getByTestId('run-estimate').textContent())!.replace(/\s+/g, ' ')}`);
  const start = Date.now();
  await page.getByRole('button', { name: 'Start search' }).click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid=run-status]')?.textContent === 'finished',
    null,
    { timeout: 1_800_000, polling: 2000 },
  );
  log(
    `finished: ${((Date.now() - start) / 1000).toFixed(0)} s from Start search; steps ${await page.getByTestId('step-counter').textContent()}`,
  );
} finally {
  await browser.close();
  server.kill();
}
