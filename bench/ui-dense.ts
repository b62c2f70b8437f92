// A 1M-point scalar tag in the browser: time until the chart has drawn, then zoom (dataZoom to
// 1% of the steps) until the full-resolution re-query has rendered, and the longest main-thread
// task meanwhile. Baseline in the same run: the same page on a 1k-point tag.
//   npx tsx --conditions=board-source bench/ui-dense.ts [points]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { SummaryWriter } from '../lib/tfevents/index.ts';
import { startBoard } from '../test/e2e/helpers/board-process.ts';
import { launchChromium } from '../test/e2e/helpers/browser.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'board-dense-bench-'));
let t = Date.now();
const w = new SummaryWriter(join(dir, 'logs', 'dense'), { flushSecs: 3600, maxQueue: 100_000 });
for (let s = 0; s < N; s++)
  w.addScalar('big', Math.sin(s / 1000) + 0.1 * Math.sin(s * 1.7) + (s % 100_003 === 0 ? 5 : 0), s, 1_750_000_000 + s / 100);
for (let s = 0; s < 1000; s++) w.addScalar('small', Math.sin(s / 10), s, 1_750_000_000 + s);
w.close();
console.log(`wrote ${N} + 1000 points in ${((Date.now() - t) / 1000).toFixed(1)} s`);
t = Date.now();
const board = await startBoard(['--logdir', join(dir, 'logs'), '--db', join(dir, 'store.sqlite')], 600_000);
await board.waitFor('initial scan done', 600_000);
console.log(`ingested in ${((Date.now() - t) / 1000).toFixed(1)} s`);
const browser = await launchChromium();

async function measure(b: Browser, tag: string, steps: number) {
  const page = await b.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript(() => {
    const w = window as unknown as { __lt: number[] };
    w.__lt = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) w.__lt.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${board.url}/scalars?tagFilter=${encodeURIComponent(`^${tag}$`)}&smoothing=0`);
  const el = page.locator('[data-testid="scalar-card"] [role="img"]').first();
  await el.waitFor();
  const drawn = await page.waitForFunction(
    () => (document.querySelector('[data-testid="scalar-card"] canvas') ? performance.now() : false),
    null,
    { polling: 'raf' },
  );
  const firstDraw = (await drawn.jsonValue()) as number;
  const lo = Math.floor(steps * 0.5),
    hi = lo + Math.floor(steps / 100);
  const t0 = await el.evaluate(
    (node, [a, z]) => {
      const chart = (node as unknown as { __boardChart: { dispatchAction(x: object): void } }).__boardChart;
      const start = performance.now();
      chart.dispatchAction({ type: 'dataZoom', startValue: a, endValue: z });
      return start;
    },
    [lo, hi],
  );
  const done = await page.waitForFunction(
    ([a, z]) => {
      const node = document.querySelector('[data-testid="scalar-card"] [role="img"]') as unknown as {
        __boardChart: { getOption(): { series: Array<{ id: string; data: Array<{ coords: number[][] }> }> } };
      };
      const line = node.__boardChart.getOption().series.find((s) => s.id === 'smoothed')?.data[0]?.coords ?? [];
      let inside = 0;
      for (const c of line) if (c[0]! >= a! && c[0]! <= z!) inside++;
      return inside >= Math.min(z! - a! + 1, 1500) ? performance.now() : false;
    },
    [lo, hi],
    { polling: 'raf', timeout: 60_000 },
  );
  const zoomMs = ((await done.jsonValue()) as number) - t0;
  const lt = await page.evaluate(() => (window as unknown as { __lt: number[] }).__lt);
  await page.close();
  return { firstDraw, zoomMs, maxTask: lt.length ? Math.max(...lt) : 0 };
}

try {
  const small = await measure(browser, 'small', 1000);
  const big = await measure(browser, 'big', N);
  console.log(
    `${N} points: chart drawn at ${big.firstDraw.toFixed(0)} ms after navigation, zoom to 1% re-queried and drawn in ${big.zoomMs.toFixed(0)} ms, longest task ${big.maxTask.toFixed(0)} ms`,
  );
  console.log(
    `baseline 1000 points: drawn at ${small.firstDraw.toFixed(0)} ms, zoom ${small.zoomMs.toFixed(0)} ms, longest task ${small.maxTask.toFixed(0)} ms; ratio first draw ${(big.firstDraw / small.firstDraw).toFixed(2)}x, zoom ${(big.zoomMs / Math.max(1, small.zoomMs)).toFixed(2)}x`,
  );
} finally {
  await browser.close();
  await board.stop();
  rmSync(dir, { recursive: true, force: true });
}
