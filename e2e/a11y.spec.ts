import { test, expect, type Locator, type Page } from '@playwright/test';
import { resolve } from 'node:path';
import { expectNoSeriousAxeViolations } from './axe.ts';
import { fillTiny, openSearch } from './helpers.ts';

const SAMPLE = resolve('datasets/106points-sample/train_data');

/** The page and its main content fit the viewport's width (tables may scroll inside their own box). */
async function expectNoHorizontalScroll(page: Page, label: string): Promise<void> {
  const overflow = await page.evaluate(() => {
    const main = document.querySelector('main')!;
    const right = main.getBoundingClientRect().right;
    const over = (el: Element) => el.getBoundingClientRect().right > right + 1;
    // the innermost elements sticking out, to say what to fix
    const culprits = [...main.querySelectorAll('*')]
      .filter((el) => over(el) && ![...el.children].some(over))
      .slice(0, 5)
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''} ${el.textContent?.slice(0, 40)}`,
      );
    return {
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      main: main.scrollWidth - main.clientWidth,
      culprits: main.scrollWidth > main.clientWidth ? culprits : [],
    };
  });
  expect(overflow, `horizontal overflow in ${label}`).toEqual({ page: 0, main: 0, culprits: [] });
}

/** Opens every collapsed section in main, so axe also sees what hides behind a disclosure. */
async function openAllDetails(page: Page): Promise<void> {
  await page
    .locator('main details:not([open]) > summary')
    .evaluateAll((ss) => ss.forEach((s) => (s as HTMLElement).click()));
}

test('Overview and Learn (every lesson linked from it) have no serious axe violation', async ({ page }) => {
  await page.goto('./?backend=cpu#/home');
  await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
  await expectNoSeriousAxeViolations(page, 'Overview');
  const lessonLinks = 'main a[href^="#/learn&"], main a[href^="#/learn/"]';
  const fromOverview = await page
    .locator(lessonLinks)
    .evaluateAll((as) => as.map((a) => a.getAttribute('href')!));

  await page.goto('./?backend=cpu#/learn');
  await expect(page.getByRole('heading', { name: 'Learn' }).first()).toBeVisible();
  await expectNoSeriousAxeViolations(page, 'Learn');
  // each lesson (and section) the Learn area links to, whatever their number
  const fromLearn = await page
    .locator(lessonLinks)
    .evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
  const hrefs = [...new Set([...fromOverview, ...fromLearn])];
  for (const href of hrefs.slice(0, 24)) {
    await page.goto(`./?backend=cpu${href}`);
    await expect(page.locator('main h1, main h2').first()).toBeVisible();
    await expectNoSeriousAxeViolations(page, `Learn ${href}`);
  }
});

test('Search (form), Data (with the import panel showing a picked folder) and an empty Results/Runs pass axe', async ({
  page,
}) => {
  await openSearch(page, 'cpu');
  await expect(page.getByRole('button', { name: 'Start search' })).toBeVisible();
  await expectNoSeriousAxeViolations(page, 'Search form');
  await openAllDetails(page);
  await expectNoSeriousAxeViolations(page, 'Search form (every disclosure open)');

  await page.getByRole('link', { name: 'Data', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Data', exact: true })).toBeVisible();
  await page.getByTestId('folder-input').setInputFiles(SAMPLE);
  await expect(page.getByTestId('list-counts')).toContainText('24 usable samples');
  await expectNoSeriousAxeViolations(page, 'Data with the import panel open');
  await openAllDetails(page);
  await expectNoSeriousAxeViolations(page, 'Data with the import panel open (every disclosure open)');

  await page.getByRole('link', { name: 'Results & Export' }).click();
  await expect(page.getByRole('heading', { name: 'Run a search first' })).toBeVisible();
  await expectNoSeriousAxeViolations(page, 'Results (no search yet)');

  await page.getByRole('link', { name: 'Runs', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Runs', exact: true })).toBeVisible();
  await expectNoSeriousAxeViolations(page, 'Runs (empty)');
});

test('after a tiny run: Search live views, Results with a derived and finetuned subnet, and Runs pass axe', async ({
  page,
}) => {
  test.setTimeout(360_000);
  await openSearch(page, 'cpu');
  await fillTiny(page);
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('finished', { timeout: 240_000 });
  await expect(page.getByTestId('derived-arch')).toBeVisible();
  // every line chart has its plotted values as a table on demand (a text alternative for the SVG)
  const tau = page.locator('figure', { hasText: 'Temperature schedule' }).first();
  await tau.getByText('values as a table').click();
  const rows = tau.locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  expect(await rows.count()).toBeGreaterThan(1);
  expect(await rows.count()).toBeLessThanOrEqual(20);
  await expect(rows.first().locator('td').first()).toHaveText(/^-?\d/);
  await expectNoSeriousAxeViolations(page, 'Search after a run');
  await openAllDetails(page);
  await expectNoSeriousAxeViolations(page, 'Search after a run (every disclosure open)');

  await page.getByRole('link', { name: 'Results & Export' }).click();
  await page.getByRole('button', { name: 'Derive most likely (argmax)' }).click();
  await expect(page.getByTestId('results-arch')).toContainText('Derived (argmax)');
  await page.locator('#ft-steps').fill('2');
  await page.getByRole('button', { name: 'Finetune' }).click();
  await expect(page.getByTestId('finetune-done')).toContainText('2 steps', { timeout: 120_000 });
  await expect(page.getByTestId('comparison-table')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('landmark-canvas')).toBeVisible();
  await expectNoSeriousAxeViolations(page, 'Results after derive and finetune');
  await openAllDetails(page);
  await expectNoSeriousAxeViolations(page, 'Results after derive and finetune (every disclosure open)');

  await page.getByRole('link', { name: 'Runs', exact: true }).click();
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  await expectNoSeriousAxeViolations(page, 'Runs with a stored run');

  // 200 % zoom with the live views, the results and a stored run on screen
  await page.setViewportSize({ width: 680, height: 450 });
  await expectNoHorizontalScroll(page, 'Runs with a stored run');
  await page.getByRole('link', { name: 'Results & Export' }).click();
  await expect(page.getByTestId('comparison-table')).toBeVisible();
  await expectNoHorizontalScroll(page, 'Results after derive and finetune');
  await page.getByRole('link', { name: 'Search', exact: true }).click();
  await expect(page.getByTestId('derived-arch')).toBeVisible();
  await expectNoHorizontalScroll(page, 'Search after a run');
  await page.screenshot({ path: 'test-results/screenshots/zoom200-search-after-run.png', fullPage: true });
});

/** Whether the focused element (or the label/wrapper that draws its ring) shows a visible focus indicator. */
async function focusVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    let el = document.activeElement as HTMLElement | null;
    for (let up = 0; el && up < 3; up++, el = el.parentElement) {
      const s = getComputedStyle(el);
      if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) return true;
      if (s.boxShadow && s.boxShadow !== 'none') return true;
    }
    return false;
  });
}

/** Presses Tab until `target` has focus (at most `limit` times); true if it got there. */
async function tabTo(page: Page, target: Locator, limit = 120): Promise<boolean> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return true;
  }
  return false;
}

test('keyboard: Tab reaches the main navigation and each area’s primary action, with a visible focus ring', async ({
  page,
}) => {
  const areas: [string, string, (p: Page) => Locator][] = [
    ['home', 'Overview', (p) => p.getByRole('button', { name: 'Open the search workspace' })],
    ['learn', 'Learn', (p) => p.locator('main').locator('a[href], button, input, select').first()],
    ['search', 'Search', (p) => p.getByRole('button', { name: 'Start search' })],
    ['data', 'Data', (p) => p.getByTestId('folder-input')],
    ['results', 'Results & Export', (p) => p.getByRole('button', { name: 'Go to Search' })],
    ['runs', 'Runs', (p) => p.getByRole('button', { name: 'Import a run…' })],
  ];
  for (const [id, name, primary] of areas) {
    await page.goto('about:blank'); // a fresh load: Tab starts at the top, not where the last area left focus
    await page.goto(`./?backend=cpu#/${id}`);
    await expect(page.getByTestId('backend-name')).toHaveText(/webgpu|webgl|cpu/);
    const navLink = page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name, exact: true });
    expect(await tabTo(page, navLink, 12), `Tab reaches the "${name}" nav link`).toBe(true);
    expect(await focusVisible(page), `focus ring on the "${name}" nav link`).toBe(true);
    const target = primary(page);
    // the Learn placeholder has nothing to operate; its lessons' first control is checked once they exist
    if (id === 'learn' && (await target.count()) === 0) continue;
    await expect(target).toBeAttached();
    expect(await tabTo(page, target), `Tab reaches the primary action of ${name}`).toBe(true);
    expect(await focusVisible(page), `focus ring on the primary action of ${name}`).toBe(true);
  }
  // Enter on a focused nav link moves to its area
  await page.goto('about:blank');
  await page.goto('./?backend=cpu#/home');
  await tabTo(page, page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Data' }), 12);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/data/);
  await expect(page.getByRole('heading', { name: 'Data', exact: true })).toBeVisible();
});

test('200 % zoom (half the viewport) keeps every area free of horizontal page scroll', async ({ page }) => {
  // the default 1360×900 viewport at 200 % zoom lays out like 680×450 CSS pixels
  await page.setViewportSize({ width: 680, height: 450 });
  for (const id of ['home', 'learn', 'search', 'data', 'results', 'runs']) {
    await page.goto(`./?backend=cpu#/${id}`);
    await expect(page.getByTestId('backend-name')).toHaveText(/webgpu|webgl|cpu/);
    await expectNoHorizontalScroll(page, id);
    await page.screenshot({ path: `test-results/screenshots/zoom200-${id}.png`, fullPage: true });
  }
});

test('prefers-reduced-motion: no element keeps a transition or animation longer than 10 ms', async ({
  page,
}) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  for (const id of ['home', 'learn', 'search', 'data', 'results', 'runs']) {
    await page.goto(`./?backend=cpu#/${id}`);
    await expect(page.getByTestId('backend-name')).toHaveText(/webgpu|webgl|cpu/);
    const moving = await page.evaluate(() => {
      const secs = (v: string) =>
        Math.max(
          ...v.split(',').map((t) => (t.trim().endsWith('ms') ? parseFloat(t) / 1000 : parseFloat(t))),
        );
      return [...document.querySelectorAll<HTMLElement>('*')]
        .filter((el) => {
          const s = getComputedStyle(el);
          return (
            secs(s.transitionDuration) > 0.01 ||
            (s.animationName !== 'none' && secs(s.animationDuration) > 0.01)
          );
        })
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
    });
    expect(moving, `moving elements in ${id}`).toEqual([]);
  }
});

test('a finished FBNetV2 search passes axe with its mask views, also at 200 % zoom', async ({ page }) => {
  test.setTimeout(300_000);
  await openSearch(page, 'cpu');
  await fillTiny(page);
  await page.locator('#exp-strategy').selectOption('fbnet-v2');
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('finished', { timeout: 200_000 });
  await expect(page.getByTestId('v2-views')).toBeVisible();
  await expectNoSeriousAxeViolations(page, 'Search, FBNetV2 finished');
  await page.setViewportSize({ width: 680, height: 450 });
  await expectNoHorizontalScroll(page, 'Search, FBNetV2 finished');
});
