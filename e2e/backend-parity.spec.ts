import { test, expect, type Page } from '@playwright/test';
import { fillTiny, stepCount } from './helpers.ts';

/** Runs the same seeded steps on one backend and returns θ and the losses seen after each step. */
async function seededSteps(page: Page, backend: 'cpu' | 'webgpu') {
  await page.goto(`./?backend=${backend}#/search`);
  await expect(page.getByTestId('backend-name')).toHaveText(backend);
  await fillTiny(page);
  const losses: number[] = [];
  for (const phase of ['weights', 'weights', 'architecture', 'weights', 'architecture'] as const) {
    const before = await stepCount(page);
    await page.getByRole('button', { name: `Step (${phase})` }).click();
    await expect.poll(() => stepCount(page), { timeout: 120_000 }).toBe(before + 1);
    losses.push(Number(await page.getByTestId('loss-value').textContent()));
  }
  await page.getByText('Architecture parameters θ (read-out)').click();
  await page.getByRole('button', { name: 'Read θ now' }).click();
  const rows = page.getByTestId('theta-readout').locator('li');
  await expect(rows).toHaveCount(5);
  const theta = (await rows.allTextContents()).flatMap((r) => r.trim().split(/\s+/).map(Number));
  return { theta, losses };
}

test('training on WebGPU follows the CPU backend step for step (same seeds, same θ)', async ({ browser }) => {
  const cpuPage = await (await browser.newContext()).newPage();
  const cpu = await seededSteps(cpuPage, 'cpu');
  const gpuPage = await (await browser.newContext()).newPage();
  const gpu = await seededSteps(gpuPage, 'webgpu');
  console.log(`losses cpu ${cpu.losses.join(' ')} | webgpu ${gpu.losses.join(' ')}`);
  expect(cpu.theta.some((v) => Math.abs(v) > 1e-4)).toBe(true); // the architecture steps moved θ
  const maxDiff = Math.max(...cpu.theta.map((v, i) => Math.abs(v - gpu.theta[i])));
  // θ is compared as a vector: Adam divides each gradient by its own running size, so a component whose
  // gradient is near zero turns float rounding into a visible step (two correct cpu kernel sets, tfjs's and
  // ours in src/nas/kernels, differ by 2.8e-3 on one component of this run and by ~1e-4 elsewhere). A
  // backend that computed a wrong gradient moves whole layers the other way: a relative error of tens of %.
  const norm = (v: number[]) => Math.hypot(...v);
  const relErr = norm(cpu.theta.map((v, i) => v - gpu.theta[i])) / norm(cpu.theta);
  console.log(
    `after 5 steps: max |θ_cpu − θ_webgpu| ${maxDiff.toExponential(2)}, ‖Δθ‖/‖θ‖ ${relErr.toExponential(2)}`,
  );
  expect(relErr).toBeLessThan(0.1);
  for (let i = 0; i < cpu.losses.length; i++) expect(gpu.losses[i]).toBeCloseTo(cpu.losses[i], 2);
});
