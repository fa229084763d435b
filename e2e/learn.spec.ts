import { test, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { BaselineCheckStore } from '../src/storage/baseline-checks.ts';
import { memoryKV } from '../src/storage/kv.ts';
import { toyCheck } from '../src/ui/learn/baseline-lesson.ts';
import { expectNoSeriousAxeViolations } from './axe.ts';
import { fillTiny, openSearch } from './helpers.ts';

/** The Learn area without WebGPU start-up (lessons compute on the page; Try it only opens Search). */
const learnUrl = (params = '') => `./?backend=cpu#/learn${params ? `&${params}` : ''}`;
const SHOTS = 'test-results/learn';

/** `formula: false`: sections that show no formula (the mini-search runs them). */
const SECTIONS: {
  lesson: string;
  section: string;
  slider?: string;
  value?: string;
  /** The link's key for the slider, when it is not the slider id less `learn-` / `learn-m`. */
  param?: string;
  formula?: false;
}[] = [
  { lesson: 'v1', section: 'supernet', slider: 'learn-size', value: '96' },
  { lesson: 'v1', section: 'gumbel', slider: 'learn-tau', value: '0.35' },
  { lesson: 'v1', section: 'paths', slider: 'learn-size', value: '96' },
  { lesson: 'v1', section: 'schedule', slider: 'learn-decay', value: '0.9' },
  { lesson: 'v1', section: 'loss', slider: 'learn-beta', value: '1.5' },
  { lesson: 'v1', section: 'latency', slider: 'learn-lat-beta', value: '1.5', param: 'beta' },
  { lesson: 'v1', section: 'mini', slider: 'learn-mbeta', value: '1.5', formula: false },
  { lesson: 'v1', section: 'random', slider: 'learn-bl-nme', value: '7.5', param: 'nme', formula: false },
  { lesson: 'v2', section: 'mask', slider: 'learn-mtau', value: '0.4' },
  { lesson: 'v2', section: 'resolution', slider: 'learn-factor', value: '3' },
  { lesson: 'ws', section: 'ranking', slider: 'learn-ws-candidates', value: '4', param: 'candidates' },
  { lesson: 'v3', section: 'recipes', slider: 'learn-v3-sensitivity', value: '4', param: 'sensitivity' },
  { lesson: 'v3', section: 'predictor', slider: 'learn-v3-proxy', value: '100', param: 'proxy' },
  { lesson: 'v3', section: 'earlystop', slider: 'learn-v3-threshold', value: '0.9', param: 'threshold' },
  { lesson: 'v3', section: 'pareto' },
];

async function setSlider(page: Page, id: string, value: string): Promise<void> {
  await page.locator(`#${id}`).fill(value);
}

const dataNumber = async (page: Page, testid: string, attr = 'data-value') =>
  Number(await page.getByTestId(testid).getAttribute(attr));

test.beforeAll(() => mkdirSync(SHOTS, { recursive: true }));

test('the lesson list leads into each lesson; next section walks a lesson in order', async ({ page }) => {
  await page.goto(learnUrl());
  await expect(page.getByTestId('lesson-list')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/00-lessons.png`, fullPage: true });
  await page.getByRole('link', { name: /FBNet V1/ }).click();
  await expect(page.getByTestId('section-title')).toHaveText(/supernet/);
  await expect(page).toHaveURL(/#\/learn&lv=1&lesson=v1&s=supernet/);
  const titles: string[] = [];
  for (let i = 0; i < 8; i++) {
    titles.push((await page.getByTestId('section-title').textContent()) ?? '');
    if (i < 7) {
      // keyboard: the button, then focus lands on the new section's heading
      await page.getByTestId('next-section').focus();
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('section-title')).toBeFocused();
    }
  }
  expect(titles.map((t) => t.split(':')[0])).toEqual([
    'The supernet',
    'Gumbel-softmax',
    'All paths or one path',
    'The temperature schedule',
    'The cost-aware loss',
    'The latency table',
    'A mini-search you can watch settle',
    'Is the search better than random?',
  ]);
  await expect(page.getByTestId('next-section')).toBeDisabled();
  await page.getByTestId('prev-section').click();
  await expect(page.getByTestId('section-title')).toHaveText(/mini-search/);
});

test('every section: formula typeset as MathML, a screenshot, its deep link restores the widget after reload', async ({
  page,
}) => {
  for (const [i, s] of SECTIONS.entries()) {
    await page.goto(learnUrl(`lv=1&lesson=${s.lesson}&s=${s.section}`));
    await expect(page.getByTestId(`section-${s.lesson}-${s.section}`)).toBeVisible();
    await expect(page.getByTestId('lesson-notice')).toHaveCount(0);
    if (s.formula !== false) {
      const math = page.locator('.formula math').first();
      await expect(math).toBeVisible();
      // typeset: MathML elements with a real layout box, no TeX source left in the text
      const box = await math.boundingBox();
      expect(box!.height).toBeGreaterThan(12);
      expect(await page.locator('.formula').first().textContent()).not.toMatch(/\\[a-z]+|\^\{/);
    }
    // before any joint search, the V3 sections say what they need instead of showing a widget
    if (s.lesson === 'v3') await expect(page.getByRole('note').first()).toContainText('Needs');
    await page.screenshot({
      path: `${SHOTS}/${String(i + 1).padStart(2, '0')}-${s.lesson}-${s.section}.png`,
      fullPage: true,
    });
    if (!s.slider) continue;
    await setSlider(page, s.slider, s.value!);
    await expect(page).toHaveURL(
      new RegExp(`[&]${s.param ?? s.slider.replace(/^learn-m?/, '')}=${s.value!.replace('.', '\\.')}(&|$)`),
    );
    await page.reload();
    await expect(page.locator(`#${s.slider}`)).toHaveValue(s.value!);
    await expect(page.getByTestId('lesson-notice')).toHaveCount(0);
  }
});

test('Gumbel-softmax: raising τ raises the samples entropy; the argmax histogram of 2000 samples is within 3 pp of softmax(θ)', async ({
  page,
}) => {
  await page.goto(learnUrl('lv=1&lesson=v1&s=gumbel'));
  await expect(page.locator('#learn-samples')).toHaveValue('2000');
  const gaps: number[] = [];
  const entropies: number[] = [];
  for (const tau of ['0.2', '1', '3', '8']) {
    await setSlider(page, 'learn-tau', tau);
    await expect(page.getByTestId('learn-tau-value')).toHaveText(Number(tau).toFixed(2));
    entropies.push(await dataNumber(page, 'entropy'));
    gaps.push(await dataNumber(page, 'hist-gap'));
  }
  for (let i = 1; i < entropies.length; i++) expect(entropies[i]).toBeGreaterThan(entropies[i - 1]);
  for (const g of gaps) expect(g).toBeLessThan(3);
  // another θ: the histogram follows, still within 3 pp
  await setSlider(page, 'learn-theta-3', '2');
  expect(await dataNumber(page, 'hist-gap')).toBeLessThan(3);
  // keyboard: arrow keys move a slider
  await page.locator('#learn-tau').focus();
  const before = await page.locator('#learn-tau').inputValue();
  await page.keyboard.press('ArrowRight');
  expect(Number(await page.locator('#learn-tau').inputValue())).toBeGreaterThan(Number(before));
  // straight-through: the hard sample is the one-hot of the soft one's argmax
  const soft = (await page.getByTestId('sample-soft').getAttribute('data-values'))!.split(' ').map(Number);
  const hard = (await page.getByTestId('sample-hard').getAttribute('data-values'))!.split(' ').map(Number);
  expect(hard.indexOf(1)).toBe(soft.indexOf(Math.max(...soft)));
});

test('the loss: raising β makes the cheapest candidate win; α does not change the winner', async ({
  page,
}) => {
  await page.goto(learnUrl('lv=1&lesson=v1&s=loss'));
  const winner = page.getByTestId('loss-winner');
  await setSlider(page, 'learn-beta', '0');
  const cheapest = await winner.getAttribute('data-cheapest');
  await expect(winner).not.toHaveAttribute('data-winner', cheapest!);
  const atZero = await winner.getAttribute('data-winner');
  await setSlider(page, 'learn-alpha', '1.5');
  await expect(winner).toHaveAttribute('data-winner', atZero!);
  await setSlider(page, 'learn-beta', '2');
  await expect(winner).toHaveAttribute('data-winner', cheapest!);
  // the text alternative of the chart
  await page.getByTestId('loss-table').locator('summary').click();
  await expect(page.getByTestId('loss-table').locator('tbody tr')).toHaveCount(6);
});

test('V2: the composed mask and the subsampled face follow the controls', async ({ page }) => {
  await page.goto(learnUrl('lv=1&lesson=v2&s=mask&tau=0.05&theta=3,-3,-3,-3'));
  // nearly one-hot on the narrowest option: about 4 of 16 channels
  expect(await dataNumber(page, 'effective-width')).toBeLessThan(5);
  await page.goto(learnUrl('lv=1&lesson=v2&s=mask&tau=0.05&theta=-3,-3,-3,3'));
  expect(await dataNumber(page, 'effective-width')).toBeGreaterThan(15);
  const mask = (await page.getByTestId('mask-sum').getAttribute('data-mask'))!.split(' ').map(Number);
  expect(mask).toHaveLength(16);
  await page.goto(learnUrl('lv=1&lesson=v2&s=resolution&factor=1'));
  await expect(page.getByTestId('resolution-facts')).toHaveAttribute('data-small', '64');
  await setSlider(page, 'learn-factor', '4');
  await expect(page.getByTestId('resolution-facts')).toHaveAttribute('data-small', '16');
});

test('Try it opens Search with the section preset', async ({ page }) => {
  await page.goto(learnUrl('lv=1&lesson=v1&s=gumbel&tau=0.5&seed=42'));
  await page.getByTestId('try-it').click();
  await expect(page).toHaveURL(/#\/search/);
  await expect(page.locator('#gs-tau0')).toHaveValue('0.5');
  await expect(page.locator('#sd-gumbel')).toHaveValue('42');
  await expect(page.locator('#exp-title')).toHaveValue(/Lesson V1/);
  await page.goto(learnUrl('lv=1&lesson=v1&s=loss&alpha=0.7&beta=1.2'));
  await page.getByTestId('try-it').click();
  await expect(page.locator('#ls-alpha')).toHaveValue('0.7');
  await expect(page.locator('#ls-beta')).toHaveValue('1.2');
  await page.goto(learnUrl('lv=1&lesson=v1&s=schedule&tau0=2&decay=0.9'));
  await page.getByTestId('try-it').click();
  await expect(page.locator('#gs-tau0')).toHaveValue('2');
  await expect(page.locator('#gs-decay')).toHaveValue('0.9');
});

test('hostile lesson links open at defaults with a notice, and run nothing', async ({ page }) => {
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  const script = encodeURIComponent('<script>alert(1)</script>');
  // out of range and script in values
  await page.goto(learnUrl(`lv=1&lesson=v1&s=gumbel&tau=1e9&theta=${script}&samples=-5&${script}=1`));
  await expect(page.getByTestId('lesson-notice')).toBeVisible();
  await expect(page.getByTestId('lesson-notice')).toContainText('tau: "1e9" is outside 0.05 to 10');
  await expect(page.getByTestId('lesson-notice')).toContainText('<script>alert(1)</script>');
  await expect(page.locator('#learn-tau')).toHaveValue('1');
  await expect(page.locator('#learn-samples')).toHaveValue('2000');
  await expect(page.locator('#learn-theta-0')).toHaveValue('1');
  expect(await page.getByTestId('lesson-notice').locator('script').count()).toBe(0);
  await page.screenshot({ path: `${SHOTS}/90-hostile-values.png` });
  // unknown section: the lesson's first section at defaults
  await page.goto(learnUrl(`lv=1&lesson=v1&s=${script}`));
  await expect(page.getByTestId('section-title')).toHaveText(/supernet/);
  await expect(page.locator('#learn-size')).toHaveValue('64');
  await expect(page.getByTestId('lesson-notice')).toContainText('has no section');
  // unknown lesson: the list
  await page.goto(learnUrl(`lv=1&lesson=${script}`));
  await expect(page.getByTestId('lesson-list')).toBeVisible();
  await expect(page.getByTestId('lesson-notice')).toContainText('There is no lesson');
  // a future format version
  await page.goto(learnUrl('lv=7&lesson=v1&s=loss&beta=2'));
  await expect(page.getByTestId('lesson-notice')).toContainText('format version');
  expect(dialogs).toBe(0);
  // the notice can be dismissed; the address then holds only valid settings
  await page.goto(learnUrl('lv=1&lesson=v1&s=loss&beta=9'));
  await expect(page.locator('#learn-beta')).toHaveValue('0.6');
  await expect(page).toHaveURL(/beta=0\.6/);
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByTestId('lesson-notice')).toHaveCount(0);
});

test('the mini-search runs in the worker from the lesson and shows where it settled', async ({ page }) => {
  await page.goto(learnUrl('lv=1&lesson=v1&s=mini&beta=1'));
  const start = page.getByTestId('mini-start');
  await expect(start).toBeEnabled({ timeout: 120_000 });
  const t0 = Date.now();
  await start.click();
  await expect(page.getByTestId('mini-status')).toContainText(/Step \d+ of 88/);
  await expect(page.getByTestId('mini-choices')).toHaveAttribute('data-done', 'yes', { timeout: 170_000 });
  const seconds = (Date.now() - t0) / 1000;
  await expect(page.getByTestId('mini-status')).toContainText(/Finished 88 steps in [\d.]+ s/);
  console.log(
    `mini-search (cpu backend): ${seconds.toFixed(1)} s, lesson says: ${await page.getByTestId('mini-status').textContent()}`,
  );
  await expect(page.getByTestId('mini-choices').locator('tbody tr')).toHaveCount(5);
  // the lesson keeps its run when the learner steps away and back
  await page.getByTestId('prev-section').click();
  await page.getByTestId('next-section').click();
  await expect(page.getByTestId('mini-choices')).toHaveAttribute('data-done', 'yes');
  await page.screenshot({ path: `${SHOTS}/05b-v1-mini-finished.png`, fullPage: true });
});

test("teacher's mode: a link with lock=tau shows τ disabled and locked, hides the seed, and survives reload", async ({
  page,
}) => {
  await page.goto(learnUrl('lv=1&lesson=v1&s=gumbel&tau=0.5&lock=tau&hide=seed'));
  await expect(page.getByTestId('lesson-notice')).toHaveCount(0);
  for (let pass = 0; pass < 2; pass++) {
    await expect(page.locator('#learn-tau')).toBeDisabled();
    await expect(page.locator('#learn-tau')).toHaveValue('0.5');
    await expect(page.getByTestId('locked-tau')).toContainText(/locked by the teacher/i);
    await expect(page.getByRole('button', { name: 'Draw new samples' })).toHaveCount(0);
    // the other settings stay free
    await expect(page.locator('#learn-samples')).toBeEnabled();
    await setSlider(page, 'learn-samples', '500');
    await expect(page).toHaveURL(/samples=500&seed=1&lock=tau&hide=seed(&|$)/);
    if (pass === 0) await page.reload();
  }
  await page.screenshot({ path: `${SHOTS}/91-teacher-locked.png`, fullPage: true });
  await expectNoSeriousAxeViolations(page, 'Learn, a locked lesson link');
  // unknown names: ignored with a notice, the rest still applies
  await page.goto(learnUrl('lv=1&lesson=v1&s=gumbel&lock=tau,bogus'));
  await expect(page.getByTestId('lesson-notice')).toContainText('"bogus" is not one of');
  await expect(page.locator('#learn-tau')).toBeDisabled();
});

test("teacher's link panel composes a link; presenter view advances sections by keyboard", async ({
  page,
}) => {
  await page.goto(learnUrl('lv=1&lesson=v1&s=gumbel'));
  await setSlider(page, 'learn-tau', '0.35');
  const panel = page.getByTestId('teacher-link');
  await panel.locator('summary').click();
  await panel.getByTestId('teacher-lock-tau').check();
  await panel.getByTestId('teacher-hide-theta').check();
  await panel.getByTestId('teacher-present').check();
  // composing does not change the teacher's own view
  await expect(page.locator('#learn-tau')).toBeEnabled();
  await expectNoSeriousAxeViolations(page, "Learn, the teacher's link panel");
  const link = await panel.getByTestId('teacher-link-text').inputValue();
  expect(link).toMatch(/#\/learn&lv=1&lesson=v1&s=gumbel&.*tau=0\.35.*&lock=tau&hide=theta&present=1$/);
  await page.goto(link.replace(/^https?:\/\/[^/]+\//, './'));
  await expect(page.getByTestId('presenter-bar')).toBeVisible();
  await expect(page.locator('#learn-theta-0')).toHaveCount(0);
  await expect(page.locator('#learn-tau')).toBeDisabled();
  await expect(page.getByRole('navigation', { name: 'Sections of this lesson' })).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/92-presenter.png`, fullPage: true });
  const title = page.getByTestId('section-title');
  await expect(title).toHaveText(/Gumbel-softmax/);
  await page.keyboard.press('ArrowRight');
  await expect(title).not.toHaveText(/Gumbel-softmax/);
  const second = await title.textContent();
  await expect(page).toHaveURL(/present=1/);
  await page.keyboard.press('PageDown');
  await expect(title).not.toHaveText(second!);
  await page.keyboard.press('PageUp');
  await expect(title).toHaveText(second!);
  // a focused slider keeps its arrow keys
  await page.locator('input[type=range]').first().focus();
  await page.keyboard.press('ArrowRight');
  await expect(title).toHaveText(second!);
  await page.getByRole('button', { name: 'Leave presenter view' }).click();
  await expect(page.getByTestId('presenter-bar')).toHaveCount(0);
  await expect(page).not.toHaveURL(/present=1/);
});

test('all paths vs a single path: the engine counts more MACs per step for all paths; Try it sets the mode', async ({
  page,
}) => {
  await page.goto(learnUrl('lv=1&lesson=v1&s=paths'));
  const table = page.getByTestId('paths-cost');
  const allMacs = Number(await table.getAttribute('data-all-macs'));
  const singleMacs = Number(await table.getAttribute('data-single-macs'));
  expect(allMacs).toBeGreaterThan(singleMacs);
  expect(Number(await table.getAttribute('data-all-blocks'))).toBeGreaterThan(
    Number(await table.getAttribute('data-single-blocks')),
  );
  expect(await dataNumber(page, 'paths-ratio')).toBeGreaterThan(1);
  // the counts follow the input size (MACs scale with the pixels)
  await setSlider(page, 'learn-size', '32');
  await expect(table).not.toHaveAttribute('data-all-macs', String(allMacs));
  expect(Number(await table.getAttribute('data-all-macs'))).toBeLessThan(allMacs);
  await expectNoSeriousAxeViolations(page, 'Learn, all paths vs single path');
  await page.getByTestId('try-it').click();
  await expect(page).toHaveURL(/#\/search/);
  await expect(page.locator('#gs-paths')).toHaveValue('all');
  await page.goto(learnUrl('lv=1&lesson=v1&s=paths&allpaths=0'));
  await page.getByTestId('try-it').click();
  await expect(page.locator('#gs-paths')).toHaveValue('single');
  await expect(page.locator('#exp-title')).toHaveValue(/single path/);
});

test('all paths vs a single path: one step of each timed by the worker on this device', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(learnUrl('lv=1&lesson=v1&s=paths&size=32&batch=2'));
  const button = page.getByTestId('paths-time');
  await expect(button).toBeEnabled({ timeout: 120_000 });
  await button.click();
  const timing = page.getByTestId('paths-timing');
  await expect(timing).toBeVisible({ timeout: 150_000 });
  const ms = ((await timing.textContent()) ?? '').match(/\d+(?= ms)/g)!.map(Number);
  expect(ms).toHaveLength(4);
  for (const v of ms) expect(v).toBeGreaterThanOrEqual(0);
  console.log(`paths timing (cpu backend, 32 px, batch 2): ${await timing.textContent()}`);
});

/** Every record of the stored latency tables (the worker's IndexedDB store), keyed. */
async function storedLatencyTables(page: Page): Promise<Record<string, unknown>> {
  return page.evaluate(
    () =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const open = indexedDB.open('nas-playground-latency');
        open.onupgradeneeded = () => open.result.createObjectStore('tables');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction('tables', 'readonly');
          const store = tx.objectStore('tables');
          const out: Record<string, unknown> = {};
          const cursor = store.openCursor();
          cursor.onsuccess = () => {
            const c = cursor.result;
            if (c) {
              out[String(c.key)] = c.value;
              c.continue();
            } else {
              db.close();
              resolve(out);
            }
          };
          cursor.onerror = () => reject(cursor.error);
        };
      }),
  );
}

test('the latency table: three blocks measured on this device, their loss factors shown; stored tables untouched', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto(learnUrl('lv=1&lesson=v1&s=latency&layer=3&size=48&alpha=0.2&beta=0.6'));
  const button = page.getByTestId('lat-measure');
  await expect(button).toBeEnabled({ timeout: 120_000 });
  const before = await storedLatencyTables(page);
  await button.click();
  const rows = page.getByTestId('lat-row');
  await expect(rows).toHaveCount(3, { timeout: 120_000 });
  const raw = await rows.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-raw-ms'))));
  for (const v of raw) expect(v).toBeGreaterThan(0);
  await expect(rows.locator('th')).toHaveText(['k3_e1', 'k3_e6', 'k5_e6']);
  console.log(`lesson latency (cpu, 48 px, batch 4), ms: ${raw.map((v) => v.toFixed(3)).join(', ')}`);
  // the table's numbers enter the loss: raising β changes every factor, β = 0 leaves α alone
  const factors = async () => rows.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-factor'))));
  const at06 = await factors();
  await setSlider(page, 'learn-lat-beta', '0');
  await expect.poll(factors).toEqual([0.2, 0.2, 0.2]);
  await setSlider(page, 'learn-lat-beta', '2');
  const at2 = await factors();
  expect(at2).not.toEqual(at06);
  // the measurement was not stored: the worker's latency-table store holds exactly what it held before
  expect(await storedLatencyTables(page)).toEqual(before);
  await openAllDetailsIn(page);
  await page.screenshot({ path: `${SHOTS}/06b-v1-latency-measured.png`, fullPage: true });
  await expectNoSeriousAxeViolations(page, 'Learn, latency table measured');
  // another layer: the old measurement is not shown as this one's
  await setSlider(page, 'learn-lat-layer', '1');
  await expect(rows).toHaveCount(0);
  await expect(page.getByTestId('lat-status')).toContainText('other settings');
  await page.getByTestId('try-it').click();
  await expect(page).toHaveURL(/#\/search/);
  await expect(page.locator('#exp-title')).toHaveValue(/latency-aware/);
});

test('weight sharing: a lesson-sized SPOS check ranks N candidates both ways, with Kendall τ in [-1, 1]', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto(learnUrl('lv=1&lesson=ws&s=ranking&candidates=3&supernet=10&standalone=10&size=16&seed=2'));
  const run = page.getByTestId('ws-run');
  await expect(run).toBeEnabled({ timeout: 120_000 });
  const t0 = Date.now();
  await run.click();
  await expect(page.getByTestId('ws-slope')).toBeVisible({ timeout: 150_000 });
  console.log(
    `weight-sharing lesson check (cpu, 3 candidates, 10+10 steps, 16 px): ${(Date.now() - t0) / 1000} s`,
  );
  await expect(page.getByTestId('ws-slope')).toHaveAttribute('data-n', '3');
  const tau = await dataNumber(page, 'ws-tau');
  expect(tau).toBeGreaterThanOrEqual(-1);
  expect(tau).toBeLessThanOrEqual(1);
  await openAllDetailsIn(page);
  await expect(page.getByTestId('ws-slope').locator('tbody tr')).toHaveCount(3);
  await page.screenshot({ path: `${SHOTS}/20-ws-ranking-done.png`, fullPage: true });
  await expectNoSeriousAxeViolations(page, 'Learn, weight sharing with its rankings');
  await page.getByTestId('try-it').click();
  await expect(page).toHaveURL(/#\/search/);
  await expect(page.locator('#exp-title')).toHaveValue(/weight sharing/);
});

test('hostile links to the latency and weight-sharing sections open at defaults with a notice', async ({
  page,
}) => {
  const script = encodeURIComponent('<img src=x onerror=alert(1)>');
  await page.goto(learnUrl(`lv=1&lesson=v1&s=latency&layer=9&size=${script}&beta=-1`));
  await expect(page.getByTestId('lesson-notice')).toContainText('layer: "9" is outside 1 to 5');
  await expect(page.locator('#learn-lat-layer')).toHaveValue('2');
  await expect(page.locator('#learn-lat-size')).toHaveValue('64');
  await expect(page.locator('#learn-lat-beta')).toHaveValue('0.6');
  await page.goto(learnUrl(`lv=1&lesson=ws&s=ranking&candidates=500&supernet=1e9&seed=${script}`));
  await expect(page.getByTestId('lesson-notice')).toContainText('candidates: "500" is outside 3 to 8');
  await expect(page.locator('#learn-ws-candidates')).toHaveValue('5');
  await expect(page.locator('#learn-ws-supernet')).toHaveValue('80');
  expect(await page.locator('main img').count()).toBe(0);
  await expect(page.getByTestId('ws-slope')).toHaveCount(0);
});

async function openAllDetailsIn(page: Page): Promise<void> {
  await page
    .locator('main details:not([open]) > summary')
    .evaluateAll((ss) => ss.forEach((s) => (s as HTMLElement).click()));
}

test('V3: a lesson-sized joint search feeds all four sections (rank crossing, pre-training ablation, early stop, budgets)', async ({
  page,
}) => {
  test.setTimeout(420_000);
  await page.goto(learnUrl('lv=1&lesson=v3&s=earlystop'));
  const start = page.getByTestId('v3-lesson-start');
  await expect(start).toBeEnabled({ timeout: 120_000 });
  const t0 = Date.now();
  await start.click();
  await expect(page.getByTestId('v3-lesson-status')).toContainText(/candidates trained|predictor/);
  await expect(page.getByTestId('v3-lesson-run')).toHaveAttribute('data-phase', 'done', { timeout: 360_000 });
  console.log(`V3 lesson joint search (cpu backend): ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  // (3) the early-stop curve: a stricter threshold never stops earlier; τ_stop = 1 needs the full budget
  const stop = page.getByTestId('v3-early-stop-step');
  await expect(page.getByTestId('v3-early-stop-chart')).toBeVisible();
  await setSlider(page, 'learn-v3-threshold', '0.5');
  const loose = Number(await stop.getAttribute('data-index'));
  await setSlider(page, 'learn-v3-threshold', '1');
  await expect(stop).toContainText('τ_stop = 1.00');
  // the point chosen at τ_stop = 1 ranks exactly as the final one (τ = 1) and is no earlier than at 0.5
  expect(Number(await stop.getAttribute('data-index'))).toBeGreaterThanOrEqual(loose);
  const strictTau = await stop.getAttribute('data-tau');
  if (strictTau !== '') expect(Number(strictTau)).toBe(1);
  await page.screenshot({ path: `${SHOTS}/31-v3-earlystop-run.png`, fullPage: true });
  await expectNoSeriousAxeViolations(page, 'Learn V3, early stop');
  // (4) one predictor, three budgets
  await page.goto(learnUrl('lv=1&lesson=v3&s=pareto&budget=2'));
  await expect(page.getByTestId('v3-pareto-table')).toHaveAttribute('data-budgets', '3');
  await expect(page.getByTestId('v3-pareto-table').locator('caption')).toContainText('Budget 2 of 3');
  await page.screenshot({ path: `${SHOTS}/32-v3-pareto-run.png`, fullPage: true });
  await expectNoSeriousAxeViolations(page, 'Learn V3, budgets');
  // (1) the same architectures under two recipes
  await page.goto(learnUrl('lv=1&lesson=v3&s=recipes'));
  const cross = page.getByTestId('v3-cross');
  await expect(cross).toBeVisible();
  expect(Number(await cross.getAttribute('data-n'))).toBeGreaterThanOrEqual(2);
  const tau = await cross.getAttribute('data-tau');
  if (tau !== '') {
    expect(Number(tau)).toBeGreaterThanOrEqual(-1);
    expect(Number(tau)).toBeLessThanOrEqual(1);
  }
  await page.screenshot({ path: `${SHOTS}/33-v3-recipes-run.png`, fullPage: true });
  await expectNoSeriousAxeViolations(page, 'Learn V3, recipes');
  // (2) the predictor with and without pre-training, refitted per round by the worker
  await page.goto(learnUrl('lv=1&lesson=v3&s=predictor'));
  await page.getByTestId('v3-ablation').click();
  await expect(page.getByTestId('v3-ablation-rows')).toBeVisible({ timeout: 120_000 });
  expect(Number(await page.getByTestId('v3-ablation-rows').getAttribute('data-rows'))).toBeGreaterThanOrEqual(
    1,
  );
  await openAllDetailsIn(page);
  await page.screenshot({ path: `${SHOTS}/34-v3-predictor-run.png`, fullPage: true });
  await expectNoSeriousAxeViolations(page, 'Learn V3, predictor');
  // Try it: the V3 panel opens with the section's settings
  await page.goto(learnUrl('lv=1&lesson=v3&s=predictor&proxy=100'));
  await page.getByTestId('try-it').click();
  await expect(page).toHaveURL(/#\/results/);
  await expect(page.getByLabel('Fine-stage budgets (M MACs)')).toHaveValue('0.5, 1, 3');
});

test("a V3 section's Try it opens the V3 panel in Results with the section's settings", async ({ page }) => {
  await page.goto(learnUrl('lv=1&lesson=v3&s=recipes&sensitivity=5'));
  const tryIt = page.getByTestId('try-it');
  await expect(tryIt).toHaveText('Try it in the V3 panel');
  await expect(
    page.getByText('Opens the V3 panel (Results) with the sensitivity stage set to 5'),
  ).toBeVisible();
  await tryIt.click();
  await expect(page).toHaveURL(/#\/results/);
  await expect(page.getByLabel('Recipe sensitivity architectures')).toHaveValue('5');
});

test('better than random: the made-up check follows its sliders through the three verdicts; with no finished run, Try it opens Search', async ({
  page,
}) => {
  await page.goto(learnUrl('lv=1&lesson=v1&s=random'));
  const section = page.getByTestId('section-v1-random');
  await expect(section).toBeVisible();
  const verdict = page.getByTestId('toy-verdict');
  await expect(verdict).toHaveAttribute('data-kind', 'beyond');
  await expect(verdict).toContainText(
    'The searched network (6.50 % NME, 2.40 M MACs; init-seed spread ±0.25 points)',
  );
  await expect(page.getByTestId('toy-reading')).toContainText(
    'beats the best random network at no more MACs (c2',
  );
  await expect(page.getByTestId('toy-check').locator('[data-testid="baseline-point"]')).toHaveCount(10);
  await setSlider(page, 'learn-bl-nme', '7');
  await expect(verdict).toHaveAttribute('data-kind', 'on-front');
  await expect(page.getByTestId('toy-reading')).toContainText('read it as a tie');
  await setSlider(page, 'learn-bl-nme', '7.5');
  await expect(verdict).toHaveAttribute('data-kind', 'dominated');
  await expect(verdict).toContainText('did no better than random sampling');
  await expect(page.getByTestId('toy-reading')).toContainText('a loss another init seed is unlikely to undo');
  // a wide seed spread turns the same 0.30-point loss into a tie
  await setSlider(page, 'learn-bl-spread', '0.5');
  await expect(page.getByTestId('toy-reading')).toContainText('within the init-seed spread of ±0.50 points');
  await expect(page.getByTestId('last-check-none')).toContainText('No search has finished');
  await expect(page.getByTestId('last-check').locator('[data-testid="baseline-plane"]')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/40-v1-random-no-run.png`, fullPage: true });
  await expectNoSeriousAxeViolations(page, 'Learn V1, better than random (no run)');
  const tryIt = page.getByTestId('try-it');
  await expect(tryIt).toHaveText('Go to Search');
  await tryIt.click();
  await expect(page).toHaveURL(/#\/search/);
  await expect(page.getByRole('button', { name: 'Start search' })).toBeVisible();
});

test("better than random: after a search the section shows its stored check's verdict and plane; Try it opens the check in Results", async ({
  page,
}) => {
  test.setTimeout(300_000);
  await openSearch(page, 'cpu');
  await fillTiny(page);
  await page.locator('#exp-title').fill('lesson baseline');
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('finished', { timeout: 200_000 });
  // the run's id, from the library the recorder writes (one run in this fresh profile)
  const idbKeys = () =>
    page.evaluate(
      () =>
        new Promise<string[]>((resolve, reject) => {
          const open = indexedDB.open('nas-playground-library');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const req = open.result.transaction('runs').objectStore('runs').getAllKeys();
            req.onsuccess = () => {
              open.result.close();
              resolve(req.result.map(String));
            };
          };
        }),
    );
  let runId = '';
  await expect
    .poll(async () => (runId = (await idbKeys()).find((k) => k.startsWith('record:'))?.slice(7) ?? ''))
    .not.toBe('');
  // a stored check of that run, made up (a dominated search) but written as the worker writes one
  const kv = memoryKV();
  await new BaselineCheckStore(kv).save(runId, toyCheck(7.5, 0.25));
  const [[key, record]] = [...kv.map.entries()];
  await page.evaluate(
    ({ key, record }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('nas-playground-library');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('runs', 'readwrite');
          tx.objectStore('runs').put(record, key);
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    { key, record },
  );

  // to the lesson without a reload: the search stays this tab's finished run
  await page.evaluate(() => (location.hash = '#/learn&lv=1&lesson=v1&s=random'));
  await expect(page.getByTestId('section-v1-random')).toBeVisible();
  await expect(page.getByTestId('last-check-run')).toContainText(
    'Your last finished search is lesson baseline',
  );
  const verdict = page.getByTestId('last-check-verdict');
  await expect(verdict).toHaveAttribute('data-kind', 'dominated');
  await expect(verdict).toContainText('is dominated by');
  await expect(page.getByTestId('last-check-reading')).toContainText(
    'a loss another init seed is unlikely to undo',
  );
  const plane = page.getByTestId('last-check').locator('[data-testid="baseline-plane"]');
  await expect(plane).toBeVisible();
  await expect(page.getByTestId('last-check').locator('[data-testid="baseline-point"]')).toHaveCount(10);
  const sentence = await verdict.innerText();
  await page.screenshot({ path: `${SHOTS}/41-v1-random-stored-check.png`, fullPage: true });
  await expectNoSeriousAxeViolations(page, 'Learn V1, better than random (stored check)');

  const tryIt = page.getByTestId('try-it');
  await expect(tryIt).toHaveText('Open its check in Results');
  await tryIt.click();
  await expect(page).toHaveURL(/#\/results/);
  const panel = page.getByRole('region', { name: 'Better than random?' });
  await expect(panel).toBeVisible();
  await expect(page.locator('#baseline-title')).toBeFocused();
  await expect(page.getByTestId('baseline-verdict')).toHaveText(sentence);
});
