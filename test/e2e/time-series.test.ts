// End-to-end for the Time Series page (/time-series): `board --port 0` on a logdir written by our
// SummaryWriter with a known number of scalar, image and histogram tags, driven by headless
// Chromium. Checks what is drawn: cards per plugin, lazy mounting, the tag and plugin filters,
// pinning (and that pins survive a reload), a per-card log axis, the image of the chosen step
// (pixel colour), histogram curves, escaping. Saves light/dark screenshots to test/artifacts/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SummaryWriter } from '../../lib/tfevents/index.ts';
import { startBoard, type BoardProcess } from './helpers/board-process.ts';
import { HAS_CHROMIUM, launchChromium } from './helpers/browser.ts';
import { earlyRequestReport } from './helpers/early-requests.ts';

const POLL = { timeout: 20_000 };
const ARTIFACTS = resolve(import.meta.dirname, '../artifacts');
const MANY = 60; // scalar tags many/m00..m59: enough that most cards start below the fold
const XSS_TAG = 'xss/<img src=x onerror="window.__xss=1">';
const T0 = 1_750_000_000;

/** A solid w×h image (CHW in [0, 1]). */
function solid(rgb: [number, number, number], w = 12, h = 8): number[][][] {
  return rgb.map((c) => Array.from({ length: h }, () => Array.from({ length: w }, () => c)));
}
const STEP_COLOURS: Record<number, [number, number, number]> = { 0: [1, 0, 0], 10: [0, 1, 0], 20: [0, 0, 1] };

function writeLogdir(root: string): void {
  for (const run of ['exp/a', 'exp/b']) {
    const w = new SummaryWriter(join(root, run), { flushSecs: 3600 });
    for (let s = 0; s < 30; s++) {
      w.addScalar('loss/train', 10 / (1 + s) + (run === 'exp/a' ? 0 : 1), s, T0 + s);
      w.addScalar('accuracy', 1 - 1 / (2 + s), s, T0 + s);
      if (run === 'exp/a') w.addScalar('loss/test', 20 / (1 + s), s, T0 + s);
    }
    for (const s of [0, 10, 20]) {
      w.addImage('samples/rgb', solid(STEP_COLOURS[s]!), s, { walltime: T0 + s });
      w.addHistogram(
        'weights/fc1',
        Array.from({ length: 400 }, (_, i) => Math.sin(i * 12.9898 + s) * (1 + s / 10)),
        s,
        'tensorflow',
        T0 + s,
      );
      if (run === 'exp/b')
        w.addHistogram(
          'weights/fc2',
          Array.from({ length: 400 }, (_, i) => (i % 50) / 10 + s),
          s,
          'tensorflow',
          T0 + s,
        );
    }
    w.close();
  }
  const m = new SummaryWriter(join(root, 'many'), { flushSecs: 3600 });
  for (let t = 0; t < MANY; t++) for (let s = 0; s < 5; s++) m.addScalar(`many/m${String(t).padStart(2, '0')}`, t + s, s, T0 + s);
  m.addScalar(XSS_TAG, 1, 0, T0);
  m.addScalar(XSS_TAG, 2, 1, T0 + 1);
  m.close();
}

/** Navigates and waits for hydration: server-rendered controls do nothing until then. */
async function go(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('html[data-hydrated="1"]').waitFor({ state: 'attached' });
}

const q = (s: string) => s.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
const card = (kind: string, tag: string, run?: string) =>
  `[data-testid="ts-card"][data-kind="${kind}"][data-tag="${q(tag)}"]${run ? `[data-run="${q(run)}"]` : ''}`;

/** The ECharts option of the chart inside `selector` (the wrapper exposes the instance for tests). */
async function chartOption(
  page: Page,
  selector: string,
): Promise<{ series: Array<{ name?: string; id?: string; data: unknown[] }>; yAxis: Array<{ type: string }> }> {
  return page
    .locator(selector)
    .locator('[role="img"]')
    .first()
    .evaluate((el) => {
      const chart = (el as unknown as { __boardChart: { getOption(): unknown } }).__boardChart;
      const o = chart.getOption() as { series: Array<{ name?: string; id?: string; data: unknown[] }>; yAxis: Array<{ type: string }> };
      return { series: o.series.map((s) => ({ name: s.name, id: s.id, data: s.data })), yAxis: o.yAxis.map((a) => ({ type: a.type })) };
    });
}

/** Scrolls a card into view and waits until its chart has a canvas. */
async function chartReady(page: Page, selector: string): Promise<void> {
  const el = page.locator(selector);
  await el.waitFor(POLL);
  await el.scrollIntoViewIfNeeded();
  await el.locator('canvas').first().waitFor(POLL);
}

/** Canvas pixels of a card's chart that differ from its top-left (background) pixel. */
async function inkedPixels(page: Page, selector: string): Promise<number> {
  return page
    .locator(selector)
    .locator('canvas')
    .first()
    .evaluate((c: HTMLCanvasElement) => {
      const ctx = c.getContext('2d')!;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0 && (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2])) n++;
      return n;
    });
}

describe.skipIf(!HAS_CHROMIUM)('time series page in Chromium', () => {
  let dir: string;
  let board: BoardProcess;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const apiRequests: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'board-ts-e2e-'));
    const logdir = join(dir, 'logs');
    writeLogdir(logdir);
    [board, browser] = await Promise.all([startBoard(['--logdir', logdir, '--db', join(dir, 'store.sqlite')]), launchChromium()]);
    await board.waitFor('initial scan done');
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.location().url.includes('favicon')) errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (r.url().includes('/api/')) apiRequests.push(`${r.method()} ${r.url()}`);
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    const code = await board?.stop('SIGINT');
    if (board) expect(code, `board output:\n${board.output()}`).toBe(0);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('one grid of every plugin: cards per plugin, grouped by tag prefix, mounted lazily', async () => {
    apiRequests.length = 0;
    await go(page, `${board.url}/time-series`);
    const cards = page.locator('[data-testid="ts-card"]');
    await expect.poll(() => cards.count(), POLL).toBe(MANY + 4 + 2 + 3);
    expect(await page.locator('[data-testid="ts-card"][data-kind="scalar"]').count()).toBe(MANY + 4); // loss/train, loss/test, accuracy, xss
    expect(await page.locator('[data-testid="ts-card"][data-kind="image"]').count()).toBe(2); // samples/rgb of exp/a and exp/b
    expect(await page.locator('[data-testid="ts-card"][data-kind="histogram"]').count()).toBe(3); // fc1 ×2, fc2 ×1
    expect(await page.getByTestId('ts-counts').textContent()).toBe(`${MANY + 4} scalar · 2 image · 3 histogram cards`);
    const groups = await page.locator('[data-testid="ts-group"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-group')));
    expect(groups).toEqual(['(top level)', 'loss', 'many', 'samples', 'weights', 'xss']);
    // The first card draws; cards far below the fold have not mounted (no chart, no data request).
    await chartReady(page, card('scalar', 'accuracy'));
    const mounted = await page.locator('[data-testid="ts-card"][data-mounted="1"]').count();
    expect(mounted).toBeGreaterThan(0);
    expect(mounted).toBeLessThan(30);
    expect(await page.locator(`${card('histogram', 'weights/fc1', 'exp/a')}[data-mounted="0"]`).count()).toBe(1);
    const scalarRequests = apiRequests.filter((r) => r.includes('/api/scalars')).length;
    expect(scalarRequests).toBeGreaterThan(0);
    expect(scalarRequests).toBeLessThan(30);
    // Scrolled to, a card mounts and draws.
    await chartReady(page, card('histogram', 'weights/fc1', 'exp/a'));
    expect(await inkedPixels(page, card('histogram', 'weights/fc1', 'exp/a'))).toBeGreaterThan(200);
  });

  test("the first cards' data requests leave before hydration, in the grid's order, never twice", async () => {
    // A pinned card comes first; the page-wide relative x axis asks for wall times.
    const url = `${board.url}/time-series?tsPin=${encodeURIComponent('scalar:loss%2Ftest')}&x=relative`;
    const report = await earlyRequestReport(browser, url, (p) => chartReady(p, card('scalar', 'loss/test')));
    expect(report.firstPost).toBeLessThan(report.hydratedAt);
    expect(new Set(report.bodies).size).toBe(report.bodies.length);
    const first = JSON.parse(report.bodies[0]!) as { tag: string; runs: string[]; wallTimes: boolean };
    expect(first).toMatchObject({ tag: 'loss/test', runs: ['exp/a'], wallTimes: true });
  });

  test('the tag filter (RE2) and the plugin filter narrow the grid; a bad pattern says why', async () => {
    await go(page, `${board.url}/time-series`);
    const filter = page.getByLabel('Filter tags');
    await filter.fill('^weights/');
    const cards = page.locator('[data-testid="ts-card"]');
    await expect.poll(() => cards.count(), POLL).toBe(3);
    expect(await page.locator('[data-testid="ts-card"][data-kind="histogram"]').count()).toBe(3);
    await filter.fill('^(LOSS|samples)/'); // case-insensitive, as every filter of the board
    await expect.poll(() => cards.count(), POLL).toBe(4);
    expect(await page.locator(card('scalar', 'loss/train')).count()).toBe(1);
    expect(await page.locator(card('image', 'samples/rgb', 'exp/b')).count()).toBe(1);
    await page.getByLabel('Card types').selectOption('image');
    await expect.poll(() => cards.count(), POLL).toBe(2);
    await expect.poll(() => page.url(), POLL).toContain('tsKind=image');
    await page.getByLabel('Card types').selectOption('');
    await filter.fill('(unclosed');
    const alert = page.getByRole('alert').filter({ hasText: 'Tag filter' });
    await alert.waitFor(POLL);
    expect(await alert.textContent()).toMatch(/not a valid RE2 pattern/);
    expect(await filter.getAttribute('aria-invalid')).toBe('true');
    await filter.fill('no-such-tag-anywhere');
    await page.getByText('No card matches the filter.').waitFor(POLL);
  });

  test('pinning moves a card to the pinned section; pins survive a reload and unpin restores it', async () => {
    await go(page, `${board.url}/time-series?tagFilter=${encodeURIComponent('^(loss|samples)/')}`);
    const pinned = page.getByTestId('ts-pinned');
    expect(await pinned.count()).toBe(0);
    await page.getByRole('button', { name: 'Pin samples/rgb of exp/b' }).click();
    await page.locator(card('scalar', 'loss/test')).getByRole('button', { name: 'Pin loss/test' }).click();
    await expect.poll(() => pinned.locator('[data-testid="ts-card"]').count(), POLL).toBe(2);
    // In pin order, and no longer in their groups.
    expect(await pinned.locator('[data-testid="ts-card"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-tag')))).toEqual([
      'samples/rgb',
      'loss/test',
    ]);
    expect(await page.locator(`[data-group="samples"] ${card('image', 'samples/rgb', 'exp/b')}`).count()).toBe(0);
    expect(await page.locator(`[data-group="loss"] ${card('scalar', 'loss/test')}`).count()).toBe(0);
    await expect.poll(() => page.url(), POLL).toContain('tsPin=');
    // Pinned cards stay in sight whatever the filter says.
    await page.getByLabel('Filter tags').fill('^accuracy$');
    await expect.poll(() => page.locator('[data-testid="ts-card"]').count(), POLL).toBe(3);
    await page.waitForTimeout(300); // the URL follows the in-memory state after a short debounce
    await page.reload();
    await page.locator('html[data-hydrated="1"]').waitFor({ state: 'attached' });
    await expect.poll(() => pinned.locator('[data-testid="ts-card"]').count(), POLL).toBe(2);
    await chartReady(page, `[data-testid="ts-pinned"] ${card('scalar', 'loss/test')}`);
    await pinned.locator('img').first().waitFor(POLL);
    await pinned.getByRole('button', { name: 'Unpin samples/rgb of exp/b' }).click();
    await expect.poll(() => pinned.locator('[data-testid="ts-card"]').count(), POLL).toBe(1);
    await page.getByLabel('Filter tags').fill('^samples/');
    await expect.poll(() => page.locator(`[data-group="samples"] ${card('image', 'samples/rgb', 'exp/b')}`).count(), POLL).toBe(1);
  });

  test('a per-card setting changes only that chart: log y axis, smoothing, histogram view', async () => {
    await go(page, `${board.url}/time-series?tagFilter=${encodeURIComponent('^loss/')}&smoothing=0`);
    const train = card('scalar', 'loss/train');
    const test_ = card('scalar', 'loss/test');
    await chartReady(page, train);
    await chartReady(page, test_);
    expect((await chartOption(page, train)).yAxis[0]!.type).toBe('value');
    await page.getByRole('button', { name: 'Settings of loss/train' }).click();
    await page.getByLabel('Log y axis of loss/train').check();
    await expect.poll(async () => (await chartOption(page, train)).yAxis[0]!.type, POLL).toBe('log');
    expect((await chartOption(page, test_)).yAxis[0]!.type).toBe('value');
    // Per-card smoothing: the drawn curve of exp/a is no longer the raw values.
    const line = async () =>
      ((await chartOption(page, train)).series.find((s) => s.id === 'smoothed')!.data as Array<{ name: string; coords: number[][] }>).find(
        (d) => d.name === 'exp/a',
      )!.coords;
    expect((await line())[1]![1]).toBeCloseTo(10 / 2, 5);
    await page.getByLabel('Smoothing of loss/train').fill('0.9');
    await expect.poll(async () => (await line())[1]![1]!, POLL).toBeGreaterThan(10 / 2 + 0.5);
    await expect.poll(() => page.url(), POLL).toContain('tsCard=');
    expect(await page.getByRole('button', { name: 'Settings of loss/train' }).textContent()).toContain('•');
    // Full width: the card spans the row (two grid cells and the gap at this viewport).
    const width = async (sel: string) => (await page.locator(sel).boundingBox())!.width;
    await page.getByRole('button', { name: 'Full width for loss/train' }).click();
    await expect.poll(async () => (await width(train)) / (await width(test_)), POLL).toBeGreaterThan(1.9);
    await page.getByRole('button', { name: 'Full width for loss/train' }).click();
    await expect.poll(async () => (await width(train)) / (await width(test_)), POLL).toBeCloseTo(1, 1);
    // Survives a reload (the override is in the URL), and 'Use page settings' drops it.
    await page.reload();
    await page.locator('html[data-hydrated="1"]').waitFor({ state: 'attached' });
    await chartReady(page, train);
    await expect.poll(async () => (await chartOption(page, train)).yAxis[0]!.type, POLL).toBe('log');
    await page.getByRole('button', { name: 'Settings of loss/train' }).click();
    await page.getByRole('button', { name: 'Use page settings' }).click();
    await expect.poll(async () => (await chartOption(page, train)).yAxis[0]!.type, POLL).toBe('value');
    await expect.poll(() => page.url(), POLL).not.toContain('tsCard=');

    // Histogram: offset by default (one curve per step), distribution for one card only.
    await go(page, `${board.url}/time-series?tagFilter=${encodeURIComponent('^weights/')}`);
    const fc1a = card('histogram', 'weights/fc1', 'exp/a');
    const fc1b = card('histogram', 'weights/fc1', 'exp/b');
    await chartReady(page, fc1a);
    await chartReady(page, fc1b);
    expect((await chartOption(page, fc1a)).series.map((s) => s.name)).toEqual(['step 0', 'step 10', 'step 20']);
    expect(await inkedPixels(page, fc1a)).toBeGreaterThan(200);
    await page.getByRole('button', { name: 'Settings of weights/fc1 of exp/a' }).click();
    await page.getByLabel('Histogram view of weights/fc1 of exp/a').selectOption('distribution');
    await expect.poll(async () => (await chartOption(page, fc1a)).series.some((s) => s.name === 'median'), POLL).toBe(true);
    expect((await chartOption(page, fc1a)).series.find((s) => s.name === 'median')!.data.length).toBe(3);
    expect((await chartOption(page, fc1b)).series.some((s) => s.name === 'median')).toBe(false);
  });

  test('an image card shows the image of the chosen step; brightness is per card', async () => {
    await go(page, `${board.url}/time-series?tagFilter=${encodeURIComponent('^samples/')}`);
    const a = page.locator(card('image', 'samples/rgb', 'exp/a'));
    const img = a.locator('img').first();
    await img.waitFor(POLL);
    const pixel = () =>
      img.evaluate(async (el: HTMLImageElement) => {
        if (!el.complete) await new Promise((r) => el.addEventListener('load', r, { once: true }));
        const c = document.createElement('canvas');
        c.width = el.naturalWidth;
        c.height = el.naturalHeight;
        const ctx = c.getContext('2d')!;
        ctx.drawImage(el, 0, 0);
        return Array.from(ctx.getImageData(5, 4, 1, 1).data.slice(0, 3));
      });
    // The newest step first: blue (step 20).
    expect(await a.getByTestId('image-step').textContent()).toBe('20');
    await expect.poll(pixel, POLL).toEqual([0, 0, 255]);
    // The step slider picks step 0: red.
    await a.getByLabel('Step of samples/rgb for exp/a').fill('0');
    await expect.poll(() => a.getByTestId('image-step').textContent(), POLL).toBe('0');
    await expect.poll(pixel, POLL).toEqual([255, 0, 0]);
    await a.getByLabel('Step of samples/rgb for exp/a').fill('1');
    await expect.poll(pixel, POLL).toEqual([0, 255, 0]);
    // Brightness of this card only.
    await page.getByRole('button', { name: 'Settings of samples/rgb of exp/a' }).click();
    await page.getByLabel('Brightness of samples/rgb of exp/a').fill('2');
    await expect.poll(() => img.evaluate((el) => (el as HTMLElement).style.filter), POLL).toContain('brightness(2)');
    const b = page
      .locator(card('image', 'samples/rgb', 'exp/b'))
      .locator('img')
      .first();
    expect(await b.evaluate((el) => (el as HTMLElement).style.filter)).toContain('brightness(1)');
  });

  test('tags are shown as text, never as markup', async () => {
    await go(page, `${board.url}/time-series?tagFilter=xss`);
    const c = page.locator(card('scalar', XSS_TAG));
    await chartReady(page, card('scalar', XSS_TAG));
    expect(await c.locator('.card-title').textContent()).toBe(XSS_TAG);
    expect(await c.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  test('screenshots in light and dark mode; no page errors', { timeout: 90_000 }, async () => {
    const filter = encodeURIComponent('^(loss/train|samples|weights/fc1)');
    const pin = encodeURIComponent('scalar:loss%2Ftrain');
    await page.setViewportSize({ width: 1400, height: 1250 });
    for (const theme of ['light', 'dark']) {
      await go(page, `${board.url}/time-series?theme=${theme}&tagFilter=${filter}&tsPin=${pin}`);
      await chartReady(page, card('scalar', 'loss/train'));
      for (const run of ['exp/a', 'exp/b']) {
        await page
          .locator(card('image', 'samples/rgb', run))
          .locator('img')
          .first()
          .waitFor(POLL);
        await chartReady(page, card('histogram', 'weights/fc1', run));
      }
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.waitForTimeout(400);
      expect(await page.locator('html').getAttribute('data-theme')).toBe(theme);
      await page.screenshot({ path: join(ARTIFACTS, `time-series-${theme}.png`) });
    }
    await page.setViewportSize({ width: 1400, height: 900 });
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
