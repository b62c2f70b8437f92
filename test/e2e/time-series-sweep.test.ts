// End-to-end: the Time Series page with a sweep of 2,000 runs selected (written by our
// SummaryWriter, ingested by a real `board`). Every scalar card draws a curve per run, the run
// sets travel in POST bodies (no request URL grows with the run count), and the per-run image
// cards of a group come in pages behind a "show more" button.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SummaryWriter } from '../../lib/tfevents/index.ts';
import { startBoard, type BoardProcess } from './helpers/board-process.ts';
import { HAS_CHROMIUM, launchChromium } from './helpers/browser.ts';

const RUNS = 2000;
const WITH_IMAGES = 150; // runs that also log an image: more than one page of cards in the group
const TAGS = ['loss/train', 'loss/val', 'accuracy'];
const POLL = { timeout: 60_000 };
const run = (r: number) => `sweep/lr_${[0.1, 0.01, 0.001, 0.0001][r % 4]}_seed_${String(r).padStart(4, '0')}`;

function writeSweep(root: string): void {
  for (let r = 0; r < RUNS; r++) {
    const w = new SummaryWriter(join(root, run(r)), { flushSecs: 3600 });
    for (let s = 0; s < 4; s++)
      for (const [k, tag] of TAGS.entries()) w.addScalar(tag, Math.exp(-s / (2 + (r % 7))) + k, s, 1_750_000_000 + s);
    if (r < WITH_IMAGES)
      w.addImage(
        'samples/x',
        [0, 1, 2].map(() => [
          [r / WITH_IMAGES, 0.5],
          [0.5, r / WITH_IMAGES],
        ]),
        0,
        { walltime: 1_750_000_000 },
      );
    w.close();
  }
}

/** Curves drawn by the scalar card of `tag` (polylines plus single points). */
function curves(page: Page, tag: string): Promise<number> {
  return page
    .locator(`[data-testid="ts-card"][data-kind="scalar"][data-tag="${tag}"] [role="img"]`)
    .first()
    .evaluate((el) => {
      const chart = (el as unknown as { __boardChart?: { getOption(): undefined | { series?: Array<{ id: string; data: unknown[] }> } } })
        .__boardChart;
      const series = chart?.getOption()?.series ?? [];
      // A sweep's curves go out by colour: 'smoothed', 'smoothed-1', ... (app/ui/scalars/chart-model.ts).
      let drawn = series.find((s) => s.id === 'single')?.data.length ?? 0;
      for (const s of series) if (s.id === 'smoothed' || s.id.startsWith('smoothed-')) drawn += s.data.length;
      return drawn;
    })
    .catch(() => 0);
}

describe.skipIf(!HAS_CHROMIUM)(`time series with ${RUNS} runs selected`, () => {
  let dir: string;
  let board: BoardProcess;
  let browser: Browser;
  let page: Page;
  const requests: Array<{ method: string; url: string }> = [];
  const errors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'board-ts-sweep-'));
    writeSweep(join(dir, 'logs'));
    [board, browser] = await Promise.all([
      startBoard(['--logdir', join(dir, 'logs'), '--db', join(dir, 'store.sqlite')], 300_000),
      launchChromium(),
    ]);
    await board.waitFor('initial scan done', 300_000);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (r.url().includes('/api/')) requests.push({ method: r.method(), url: r.url() });
    });
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await board?.stop('SIGINT');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('every scalar card draws a curve per run; run sets go in POST bodies, URLs stay short', { timeout: 180_000 }, async () => {
    const started = Date.now();
    await page.goto(`${board.url}/time-series?smoothing=0`);
    await page.locator('html[data-hydrated="1"]').waitFor({ state: 'attached', timeout: 60_000 });
    expect(await page.locator('[data-testid="ts-card"][data-kind="scalar"]').count()).toBe(TAGS.length);
    for (const tag of TAGS) {
      const card = page.locator(`[data-testid="ts-card"][data-kind="scalar"][data-tag="${tag}"]`);
      await card.scrollIntoViewIfNeeded();
      await expect.poll(() => curves(page, tag), POLL).toBe(RUNS);
    }
    console.log(`[time-series sweep] ${TAGS.length} cards x ${RUNS} curves drawn ${Date.now() - started} ms after navigation`);
    const scalarRequests = requests.filter((r) => r.url.includes('/api/scalars'));
    expect(scalarRequests.length).toBeGreaterThan(0);
    expect(scalarRequests.every((r) => r.method === 'POST')).toBe(true);
    const longest = Math.max(...requests.map((r) => r.url.length));
    expect(longest).toBeLessThan(1000);
    expect(errors).toEqual([]);
  });

  test('per-run image cards of a sweep come a page at a time', { timeout: 120_000 }, async () => {
    await page.goto(`${board.url}/time-series?tsKind=image`);
    await page.locator('html[data-hydrated="1"]').waitFor({ state: 'attached', timeout: 60_000 });
    const group = page.locator('[data-testid="ts-group"][data-group="samples"]');
    await expect.poll(() => group.locator('[data-testid="ts-card"]').count(), POLL).toBe(96);
    expect(await page.getByTestId('ts-counts').textContent()).toBe(`0 scalar · ${WITH_IMAGES} image · 0 histogram cards`);
    await group.getByRole('button', { name: `Show ${WITH_IMAGES - 96} more of ${WITH_IMAGES - 96} hidden cards in samples` }).click();
    await expect.poll(() => group.locator('[data-testid="ts-card"]').count(), POLL).toBe(WITH_IMAGES);
    const last = group.locator('[data-testid="ts-card"]').last();
    await last.scrollIntoViewIfNeeded();
    await last.locator('img').waitFor(POLL);
  });
});
