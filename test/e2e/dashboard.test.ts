// End-to-end: `board --port 0` on a temporary logdir (corpus files + files from our SummaryWriter),
// driven by headless Chromium. Checks each dashboard's data, live append, URL state, XSS inertness,
// API validation, ETag caching and run deletion; saves light/dark screenshots to test/artifacts/.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SummaryWriter } from '../../lib/tfevents/index.ts';
import { startBoard, type BoardProcess } from './helpers/board-process.ts';
import { HAS_CHROMIUM, launchChromium } from './helpers/browser.ts';
import { earlyRequestReport } from './helpers/early-requests.ts';
import { buildLogdir, DENSE_STEPS, LOSS_STEPS, lossAt, XSS_RUN, XSS_TAG } from './helpers/logdir.ts';

/** Polls get room: under a full `npm test` the machine is busy with every other suite too. */
const POLL = { timeout: 15_000 };
const ARTIFACTS = resolve(import.meta.dirname, '../artifacts');
if (!HAS_CHROMIUM) console.warn('[board e2e] /usr/bin/chromium not found: skipping browser tests (apt-get install chromium)');

/** Series data of the ECharts instance inside `selector` (the wrapper exposes it for tests). */
async function chartSeries(page: Page, selector: string): Promise<Array<{ id: string; name: string; data: unknown[][] }>> {
  return page
    .locator(selector)
    .locator('[role="img"]')
    .first()
    .evaluate((el) => {
      const chart = (el as unknown as { __boardChart: { getOption(): { series: Array<{ id: string; name: string; data: unknown[][] }> } } })
        .__boardChart;
      return chart.getOption().series.map((s) => ({ id: s.id, name: s.name, data: s.data }));
    });
}

/** Cards mount their chart when scrolled near: bring the card into view and wait for its canvas. */
async function chartReady(page: Page, selector: string, timeout = 15_000): Promise<void> {
  const card = page.locator(selector);
  await card.waitFor({ timeout });
  await card.scrollIntoViewIfNeeded();
  await card.locator('canvas').first().waitFor({ timeout });
}

/** Coordinates of one run's polyline in a card's 'lines' series ('smoothed' or 'raw'). */
function runLine(series: Array<{ id: string; data: unknown[] }>, id: 'smoothed' | 'raw', run: string): number[][] | undefined {
  const s = series.find((x) => x.id === id);
  return (s?.data as Array<{ name: string; coords: number[][] }> | undefined)?.find((d) => d.name === run)?.coords;
}

/** Navigates and waits for hydration: server-rendered controls do nothing until then. */
async function go(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('html[data-hydrated="1"]').waitFor({ state: 'attached' });
}

const cardSel = (tag: string) => `[data-testid="scalar-card"][data-tag="${tag.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"]`;

describe.skipIf(!HAS_CHROMIUM)('board dashboard in Chromium', () => {
  let dir: string;
  let board: BoardProcess;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'board-e2e-'));
    const logdir = join(dir, 'logs');
    buildLogdir(logdir);
    [board, browser] = await Promise.all([startBoard(['--logdir', logdir, '--db', join(dir, 'store.sqlite')]), launchChromium()]);
    await board.waitFor('initial scan done');
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.location().url.includes('favicon')) consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    const code = await board?.stop('SIGINT');
    if (board) expect(code, `board output:\n${board.output()}`).toBe(0);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('scalar values are the chart data', async () => {
    await go(page, `${board.url}/scalars?smoothing=0`);
    await chartReady(page, cardSel('loss/train'));
    const series = await chartSeries(page, cardSel('loss/train'));
    // Each run is a polyline of [x, y]; on the step axis x is the step. Smoothing 0: y is the raw value.
    const ours = runLine(series, 'smoothed', 'ours/train')!;
    expect(ours.map((c) => c[0])).toEqual(Array.from({ length: LOSS_STEPS }, (_, s) => s));
    for (const [step, value] of ours) expect(value).toBeCloseTo(lossAt(step!), 6);
    // Smoothing 0.6 (the default) keeps the raw curve underneath and debiases the first point.
    await go(page, `${board.url}/scalars`);
    await chartReady(page, cardSel('loss/train'));
    const smoothed = await chartSeries(page, cardSel('loss/train'));
    expect(runLine(smoothed, 'raw', 'ours/train')!.map((c) => c[1])).toEqual(ours.map((c) => c[1]));
    const main = runLine(smoothed, 'smoothed', 'ours/train')!;
    expect(main[0]![1]).toBeCloseTo(lossAt(0), 6);
    expect(main[1]![1]).toBeCloseTo((0.6 * 0.4 * lossAt(0) + 0.4 * lossAt(1)) / (1 - 0.36), 6);
    // Hover: our tooltip lists every run at that step, sorted by smoothed value.
    const box = (await page.locator(cardSel('loss/train')).locator('canvas').first().boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    const tip = page.locator(cardSel('loss/train')).locator('.chart-tip');
    await expect.poll(() => tip.isVisible(), POLL).toBe(true);
    expect(await tip.textContent()).toContain('ours/train');
  });

  test("the first cards' data requests leave before hydration and are never sent twice", async () => {
    let ours: number[][] = [];
    const report = await earlyRequestReport(browser, `${board.url}/scalars?smoothing=0`, async (p) => {
      await chartReady(p, cardSel('loss/train'));
      ours = runLine(await chartSeries(p, cardSel('loss/train')), 'smoothed', 'ours/train')!;
    });
    expect(report.hydratedAt).toBeGreaterThan(0);
    expect(report.firstPost).toBeLessThan(report.hydratedAt);
    // The early answers were used: every body went out once.
    expect(report.bodies.length).toBeGreaterThan(0);
    expect(new Set(report.bodies).size).toBe(report.bodies.length);
    // And the chart holds the data a late request would have brought.
    expect(ours.length).toBe(LOSS_STEPS);
    for (const [step, value] of ours) expect(value).toBeCloseTo(lossAt(step!), 6);
  });

  test('zoom re-queries the store at full resolution; reset returns to the overview', async () => {
    await go(page, `${board.url}/scalars?tagFilter=dense&smoothing=0`);
    const card = cardSel('dense/signal');
    await chartReady(page, card);
    const overview = runLine(await chartSeries(page, card), 'smoothed', 'ours/train')!;
    expect(overview.length).toBeLessThan(DENSE_STEPS); // downsampled: first/min/max/last per bucket
    // The spikes (every 97th step) survive downsampling because buckets keep their max.
    expect(Math.max(...overview.map((c) => c[1]!))).toBeGreaterThan(3);
    await page
      .locator(card)
      .locator('[role="img"]')
      .first()
      .evaluate((el) => {
        (el as unknown as { __boardChart: { dispatchAction(a: object): void } }).__boardChart.dispatchAction({
          type: 'dataZoom',
          startValue: 1000,
          endValue: 1100,
        });
      });
    await expect
      .poll(
        async () => {
          const line = runLine(await chartSeries(page, card), 'smoothed', 'ours/train')!;
          return line.filter((c) => c[0]! >= 1000 && c[0]! <= 1100).length;
        },
        { timeout: 10_000 },
      )
      .toBe(101);
    const reset = page.getByRole('button', { name: 'Reset zoom of dense/signal' });
    await reset.click();
    await expect.poll(() => reset.count(), POLL).toBe(0);
  });

  test('an image is decoded and drawn, batches as their grid', async () => {
    await go(page, `${board.url}/images`);
    const img = page.locator('[data-testid="image-card"][data-tag="samples/rgb"] img').first();
    await img.waitFor();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth), POLL).toBe(16);
    expect(await img.evaluate((el: HTMLImageElement) => el.naturalHeight)).toBe(12);
    // Draw it to a canvas and read a pixel: bytes decoded into real colours.
    const pixel = await img.evaluate((el: HTMLImageElement) => {
      const c = document.createElement('canvas');
      c.width = el.naturalWidth;
      c.height = el.naturalHeight;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(el, 0, 0);
      return Array.from(ctx.getImageData(15, 11, 1, 1).data);
    });
    expect(pixel[3]).toBe(255);
    expect(pixel[0]! + pixel[1]! + pixel[2]!).toBeGreaterThan(100);
    expect(await page.locator('[data-testid="image-card"][data-tag="samples/rgb"] [data-testid="image-step"]').textContent()).toBe('20');
    // The global linked slider picks, in every card, the latest image at or before its step.
    await go(page, `${board.url}/images?istep=12`);
    await expect
      .poll(() => page.locator('[data-testid="image-card"][data-tag="samples/rgb"] [data-testid="image-step"]').textContent(), POLL)
      .toBe('10');
    const batch = page.locator('[data-testid="image-card"][data-tag="samples/batch"] img').first();
    await expect.poll(() => batch.evaluate((el: HTMLImageElement) => el.naturalWidth), POLL).toBe(32); // 4 images of 8x8 tiled in one row
  });

  test('histogram, text, hparams, PR curve and graph nodes are present', async () => {
    await go(page, `${board.url}/histograms`);
    const hist = '[data-testid="histogram-card"][data-tag="weights/fc1"]';
    await chartReady(page, hist);
    expect((await chartSeries(page, hist)).length).toBe(3);
    await go(page, `${board.url}/histograms?hmode=distribution`);
    await chartReady(page, hist);
    expect((await chartSeries(page, hist)).find((s) => s.name === 'median')!.data.length).toBe(3);

    await go(page, `${board.url}/text`);
    const text = page.locator('[data-testid="text-card"][data-run="ours/train"]');
    await text.locator('table').waitFor();
    expect(await text.locator('td').allTextContents()).toEqual(['acc', '0.91']);

    await go(page, `${board.url}/hparams`);
    const table = page.locator('[data-testid="hparams-table"]');
    await table.waitFor();
    const rows = await table.locator('tbody tr').allTextContents();
    expect(
      rows.some((r) => r.includes('ours/train · session hp_a') && r.includes('0.01') && r.includes('adam') && r.includes('0.91')),
    ).toBe(true);
    expect(rows.some((r) => r.includes('ours/train · session hp_b') && r.includes('sgd'))).toBe(true);
    // An addHparams child run shows as its parent's session, with the full run name on hover.
    expect(await table.locator('tbody tr [title="ours/train/hp_a"]').count()).toBe(1);
    await page.locator('[data-testid="hparams-parallel"] canvas').first().waitFor();
    await table.getByRole('button', { name: /hparam\/accuracy/ }).click();
    await expect.poll(async () => (await table.locator('tbody tr').first().textContent()) ?? '', POLL).toContain('hp_b');

    await go(page, `${board.url}/pr-curves`);
    const pr = '[data-testid="pr-card"][data-tag="pr/positive"]';
    await chartReady(page, pr);
    const prSeries = await chartSeries(page, pr);
    expect(prSeries[0]!.data.length).toBe(20);

    await go(page, `${board.url}/graphs?grun=ours/train`);
    const addmm = page.locator('[data-node="Net/Linear[fc1]/addmm"]');
    await addmm.waitFor();
    expect(await page.locator('[data-node="backward/AddmmBackward0"]').count()).toBe(1);
    expect(await page.locator('.gedge text').allTextContents()).toContain('8×16');
    // Keyboard: nodes are focusable and Enter opens their details.
    await addmm.focus();
    await page.keyboard.press('Enter');
    const details = page.locator('[data-testid="node-details"]');
    await expect.poll(() => details.textContent(), POLL).toContain('aten::addmm');
    expect(await details.textContent()).toContain('12.5 µs');
    expect(await details.textContent()).toContain('float32');
    // Collapse all: scopes become single nodes; search lights up the scope holding a match.
    await page.getByRole('button', { name: 'Collapse all' }).click();
    await page.locator('[data-node="scope:Net"]').waitFor();
    await page.getByLabel('Search nodes by name').fill('relu');
    await expect.poll(() => page.locator('[data-node="scope:Net"]').getAttribute('class'), POLL).toContain('match');
    // A real Keras/TF1 GraphDef from the corpus.
    await go(page, `${board.url}/graphs?grun=corpus/wandb-keras-tf1`);
    await page.locator('[data-node]').first().waitFor();
    expect(await page.locator('[data-node]').count()).toBeGreaterThan(5);
  });

  test('live: a flushed point is appended to the open chart without reload', async () => {
    const liveDir = join(dir, 'logs', 'live');
    const w = new SummaryWriter(liveDir, { flushSecs: 3600 });
    w.addScalar('live/metric', 1, 0);
    w.flush();
    await go(page, `${board.url}/scalars?tagFilter=live&smoothing=0`);
    const card = cardSel('live/metric');
    await chartReady(page, card);
    await page.evaluate(() => {
      (window as unknown as { __marker: number }).__marker = 42;
    });
    for (let step = 1; step <= 3; step++) {
      w.addScalar('live/metric', 1 + step, step);
      w.flush();
      await expect
        .poll(async () => runLine(await chartSeries(page, card), 'smoothed', 'live')?.map((c) => c[0]) ?? [0], { timeout: 10_000 })
        .toEqual(Array.from({ length: step + 1 }, (_, i) => i));
    }
    w.close();
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(42);
  });

  test('view state lives in the URL and is restored', async () => {
    await go(page, `${board.url}/scalars?smoothing=0.3&x=relative&logy=1&tagFilter=%5Eloss&pin=loss%2Ftest&theme=dark`);
    await page.locator(cardSel('loss/train')).waitFor();
    // The server renders defaults; after hydration the controls show the URL's state.
    await expect.poll(() => page.getByLabel('Smoothing value').inputValue(), POLL).toBe('0.3');
    expect(await page.getByLabel('X axis').inputValue()).toBe('relative');
    expect(await page.getByLabel('Filter tags').inputValue()).toBe('^loss');
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await page.locator(cardSel('accuracy')).count()).toBe(0);
    expect(await page.locator(`${cardSel('loss/test')}.pinned`).count()).toBe(1);
    // Keyboard: toggles are native controls (Space flips a checkbox that has focus).
    await page.getByRole('checkbox', { name: 'Log y' }).focus();
    await page.keyboard.press('Space');
    await expect.poll(() => page.url(), POLL).not.toContain('logy=1');
    await page.getByLabel('Smoothing value').fill('0.8');
    await page.getByRole('checkbox', { name: 'Ignore outliers' }).check();
    await expect.poll(() => page.url(), POLL).toContain('smoothing=0.8');
    await expect.poll(() => page.url(), POLL).toContain('outliers=1');
    await page.reload();
    await page.locator('html[data-hydrated="1"]').waitFor({ state: 'attached' });
    await page.locator(cardSel('loss/train')).waitFor();
    await expect.poll(() => page.getByLabel('Smoothing value').inputValue(), POLL).toBe('0.8');
    expect(await page.getByRole('checkbox', { name: 'Ignore outliers' }).isChecked()).toBe(true);
    // Run selection too: toggling a run off writes `sel` and survives a reload.
    await page.getByLabel('Show run corpus/reducer-torch/strict/run_1').uncheck();
    await expect.poll(() => page.url(), POLL).toContain('sel=');
    await page.reload();
    await page.locator('html[data-hydrated="1"]').waitFor({ state: 'attached' });
    await page.getByLabel('Show run corpus/reducer-torch/strict/run_1').waitFor();
    await expect.poll(() => page.getByLabel('Show run corpus/reducer-torch/strict/run_1').isChecked(), POLL).toBe(false);
    expect(await page.getByLabel('Show run ours/train', { exact: true }).isChecked()).toBe(true);
    // Hiding removes a run from the list (and the charts) and is part of the URL too.
    await page.getByLabel('Hide run corpus/wandb-fixtures').click();
    await expect.poll(() => page.getByLabel('Show run corpus/wandb-fixtures').count(), POLL).toBe(0);
    await expect.poll(() => page.url(), POLL).toContain('hide=corpus%2Fwandb-fixtures');
    await page.getByRole('checkbox', { name: /hidden/ }).check();
    await page.getByLabel('Unhide run corpus/wandb-fixtures').click();
    await expect.poll(() => page.url(), POLL).not.toContain('hide=');
  });

  test('XSS payloads in run names, tags and text are rendered inert', async () => {
    await go(page, `${board.url}/scalars?tagFilter=xss`);
    const card = page.locator(cardSel(XSS_TAG));
    await chartReady(page, cardSel(XSS_TAG));
    expect(await card.locator('.card-title').textContent()).toBe(XSS_TAG);
    expect(await page.locator(`[data-run="${XSS_RUN}"] .run-name`).textContent()).toBe(XSS_RUN);
    // Hover the chart so the tooltip (an HTML string) renders the run name.
    const box = (await card.locator('canvas').first().boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const tip = card.locator('.chart-tip');
    await expect.poll(() => tip.isVisible(), POLL).toBe(true);
    expect(await tip.textContent()).toContain(XSS_RUN);
    expect(await tip.locator('img').count()).toBe(0);
    await go(page, `${board.url}/text`);
    const text = page.locator('[data-testid="text-card"][data-run="ours/train"] .markdown');
    await text.locator('table').waitFor();
    expect(await text.locator('script, img, [onerror], [onclick], iframe, style').count()).toBe(0);
    const hrefs = await text.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs.every((h) => h === null || !/^\s*javascript:/i.test(h))).toBe(true);
    await page
      .locator('[data-testid="text-card"] a')
      .first()
      .click()
      .catch(() => {});
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });

  test('ingest warnings (corrupt records) are shown per run', async () => {
    await go(page, `${board.url}/scalars`);
    const warn = page.getByRole('button', { name: /ingest warnings for ours\/corrupt/ });
    await warn.waitFor();
    expect(await page.getByRole('button', { name: /ingest warnings for ours\/train$/ }).count()).toBe(0);
    await warn.click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/crc/);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  test('bad API parameters are answered 400; nothing outside the store is served', async () => {
    const bad = [
      '/api/scalars',
      '/api/scalars?tag=loss',
      '/api/scalars?tag=x&run=a&maxPoints=-1',
      '/api/scalars?tag=x&run=a&maxPoints=abc',
      '/api/scalars?tag=x&run=a&bogus=1',
      '/api/scalars?tag=x&run=a&minStep=5&maxStep=1',
      '/api/scalars?tag=&run=a',
      '/api/images?run=a',
      '/api/histograms?tag=t',
      '/api/text?run=a&tag=b&tag=c',
      '/api/prcurves?run=a',
      '/api/graph',
      '/api/tags?run=',
      '/api/blob/abc',
      '/api/blob/-1',
      '/api/blob/1.5',
      '/api/blob/1?x=1',
      '/api/export?runs=(',
      '/api/export?format=xml',
      '/api/events?x=1',
      '/api/runs?x=1',
      '/api/hparams?x=1',
      `/api/scalars?tag=${'x'.repeat(2000)}&run=a`,
    ];
    for (const path of bad) {
      const res = await fetch(`${board.url}${path}`);
      expect(res.status, path).toBe(400);
      expect((await res.json()).error, path).toBeTruthy();
    }
    const post = (body: string, type = 'application/json', origin?: string) =>
      fetch(`${board.url}/api/runs/delete`, { method: 'POST', headers: { 'content-type': type, ...(origin ? { origin } : {}) }, body });
    expect((await post('{"run":"x"}', 'text/plain')).status).toBe(400);
    expect((await post('not json')).status).toBe(400);
    expect((await post('{"run":1}')).status).toBe(400);
    expect((await post('{"run":"ours/train"}', 'application/json', 'http://evil.example')).status).toBe(403);
    expect((await post('{"run":"no/such/run"}')).status).toBe(404);
    // DNS rebinding: a loopback board refuses requests whose Host is not a loopback name.
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolveStatus, reject) => {
      const u = new URL(board.url);
      request({ host: u.hostname, port: u.port, path: '/api/runs', headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolveStatus(res.statusCode!);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(403);
    for (const path of [
      '/api/blob/..%2F..%2Fetc%2Fpasswd',
      '/../../etc/passwd',
      '/api/blob/%2e%2e/%2e%2e/etc/passwd',
      '/_next/static/../../../package.json',
    ]) {
      const res = await fetch(`${board.url}${path}`);
      expect(res.status === 400 || res.status === 404, `${path} -> ${res.status}`).toBe(true);
      expect(await res.text()).not.toMatch(/root:x:0:0|"dependencies"/);
    }
  });

  test('images carry content type and ETag; If-None-Match answers 304', async () => {
    const series = (await (await fetch(`${board.url}/api/images?run=ours/train&tag=samples/rgb`)).json()) as {
      images: Array<{ blobId: number }>;
    };
    const url = `${board.url}/api/blob/${series.images[0]!.blobId}`;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const again = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect((await fetch(`${board.url}/api/blob/999999`)).status).toBe(404);
  });

  test('export: per-card CSV holds every point at full resolution', async () => {
    const res = await fetch(
      `${board.url}/api/export?format=csv&runs=${encodeURIComponent('^ours/train$')}&tags=${encodeURIComponent('^loss/train$')}`,
    );
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe('run,tag,step,wall_time,value');
    expect(lines.length).toBe(LOSS_STEPS + 1);
    expect(Number(lines[1]!.split(',')[4])).toBeCloseTo(lossAt(0), 6);
    const json = (await (
      await fetch(`${board.url}/api/export?format=json&tags=${encodeURIComponent('^accuracy$')}&runs=${encodeURIComponent('^ours/train$')}`)
    ).json()) as unknown[];
    expect(json.length).toBe(LOSS_STEPS);
  });

  const READY: Record<string, string> = {
    scalars: '[data-testid="scalar-card"] canvas',
    images: '[data-testid="image-card"] img',
    histograms: '[data-testid="histogram-card"] canvas',
    text: '[data-testid="text-card"] table',
    hparams: '[data-testid="hparams-table"]',
    'pr-curves': '[data-testid="pr-card"] canvas',
    graphs: '[data-node]',
  };

  test('screenshots of every dashboard in light and dark mode', { timeout: 90_000 }, async () => {
    const tabs = ['scalars', 'images', 'histograms', 'text', 'hparams', 'pr-curves', 'graphs'];
    for (const theme of ['light', 'dark']) {
      for (const tab of tabs) {
        await go(page, `${board.url}/${tab}?theme=${theme}${tab === 'graphs' ? '&grun=ours/train' : ''}`);
        // (no 'networkidle': the live change feed keeps a connection open by design)
        await page.locator(READY[tab]!).first().waitFor();
        await page.waitForTimeout(300);
        expect(await page.locator('html').getAttribute('data-theme')).toBe(theme);
        await page.screenshot({ path: join(ARTIFACTS, `${tab}-${theme}.png`) });
      }
    }
    expect(readdirSync(ARTIFACTS).filter((f) => f.endsWith('.png')).length).toBeGreaterThanOrEqual(14);
    // The theme button flips the mode and records it in the URL.
    await go(page, `${board.url}/scalars?theme=light`);
    await page.getByRole('button', { name: 'Switch to dark mode' }).click();
    await expect.poll(() => page.locator('html').getAttribute('data-theme'), POLL).toBe('dark');
  });

  test('delete a run after confirming: it leaves the store and its files go to the trash', async () => {
    await go(page, `${board.url}/scalars`);
    const run = 'corpus/katib-tf2/logs/train';
    await page.getByLabel(`Delete run ${run}`).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByLabel(`Show run ${run}`).count()).toBe(1);
    await page.getByLabel(`Delete run ${run}`).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.getByLabel(`Show run ${run}`).count(), POLL).toBe(0);
    const original = join(dir, 'logs', run);
    expect(existsSync(original) ? readdirSync(original).filter((f) => f.includes('tfevents')) : []).toEqual([]);
  });
});
