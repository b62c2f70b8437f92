// A 2,000-run x 50-tag sweep (20 steps each, written with our SummaryWriter) in headless Chromium
// against a real `board`. Baseline in the same process: the same page filtered to one run.
//  A. First chart: ms from navigation start until the first scalar card's canvas has drawn its
//     curves (budget 2,000 ms), and page weight (HTML bytes).
//  B. Every chart draws: scroll through all 50 cards until each has a canvas with 2,000 curves.
//  C. Longest main-thread task (PerformanceObserver 'longtask') while deselecting all runs,
//     selecting all, hovering a chart (linked hover) and changing smoothing (budget 200 ms).
//  D. Requests stay bounded: the longest request URL, the run list's DOM rows (virtualized) and
//     the regex filter.
//   npx tsx --conditions=board-source bench/ui-sweep.ts [runs] [tags] [steps] [--cpu-throttle=N] [--first-only]
// --cpu-throttle=N slows the page's CPU N times (Chromium's DevTools throttling; the board's server
// runs at full speed), to see the first-chart margin on a slower machine than this one.
// --first-only stops after A.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SummaryWriter } from '../lib/tfevents/index.ts';
import { startBoard } from '../test/e2e/helpers/board-process.ts';
import { launchChromium } from '../test/e2e/helpers/browser.ts';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const flag = (name: string) => process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
const CPU_THROTTLE = Number(flag('cpu-throttle')?.split('=')[1] ?? 1);
const FIRST_ONLY = flag('first-only') !== undefined;
const RUNS = Number(positional[0] ?? 2000),
  TAGS = Number(positional[1] ?? 50),
  STEPS = Number(positional[2] ?? 20);
const dir = mkdtempSync(join(tmpdir(), 'board-sweep-bench-'));
const groups = ['loss', 'acc', 'lr', 'grad', 'weights'];
let t = Date.now();
for (let r = 0; r < RUNS; r++) {
  const w = new SummaryWriter(join(dir, 'logs', `lr_${[0.1, 0.01, 0.001, 0.0001][r % 4]}_seed_${String(r).padStart(4, '0')}`), {
    flushSecs: 3600,
    maxQueue: 100_000,
  });
  for (let s = 0; s < STEPS; s++)
    for (let k = 0; k < TAGS; k++)
      w.addScalar(`${groups[k % 5]}/metric_${k}`, Math.exp(-s / (5 + (r % 7))) + 0.05 * Math.sin(s + k + r), s, 1_750_000_000 + s);
  w.close();
}
console.log(
  `wrote ${RUNS} runs x ${TAGS} tags x ${STEPS} steps in ${((Date.now() - t) / 1000).toFixed(1)} s; load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
t = Date.now();
const board = await startBoard(['--logdir', join(dir, 'logs'), '--db', join(dir, 'store.sqlite')], 600_000);
await board.waitFor('initial scan done', 600_000);
console.log(`board ready (ingest done) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
const browser = await launchChromium();
const ONE = `?runFilter=${encodeURIComponent('^lr_0.1_seed_0000$')}`;

/** Curves drawn in the first card: polylines of its 'smoothed' lines series. */
async function firstChart(b: Browser, query: string, curves: number): Promise<{ ms: number; htmlBytes: number }> {
  const page = await b.newPage({ viewport: { width: 1400, height: 900 } });
  let htmlBytes = 0;
  page.on('response', async (res) => {
    if (res.request().resourceType() === 'document') htmlBytes = (await res.body().catch(() => Buffer.alloc(0))).length;
  });
  if (CPU_THROTTLE > 1) await (await page.context().newCDPSession(page)).send('Emulation.setCPUThrottlingRate', { rate: CPU_THROTTLE });
  await page.goto(`${board.url}/scalars${query}`, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(
    (n) => {
      const el = document.querySelector('[data-testid="scalar-card"] [role="img"]') as unknown as {
        __boardChart?: { getOption(): undefined | { series?: Array<{ id: string; data: unknown[] }> } };
      } | null;
      const series = el?.__boardChart?.getOption()?.series ?? [];
      // Curves: one data item per run in 'smoothed' ('smoothed-<k>' too when a sweep draws by colour).
      let drawn = series.find((s) => s.id === 'single')?.data.length ?? 0;
      for (const s of series) if (s.id === 'smoothed' || s.id.startsWith('smoothed-')) drawn += s.data.length;
      return drawn >= n && document.querySelector('[data-testid="scalar-card"] canvas') ? performance.now() : false;
    },
    curves,
    { polling: 'raf', timeout: 60_000 },
  );
  const ms = (await handle.jsonValue()) as number;
  await page.close();
  return { ms, htmlBytes };
}

async function allChartsDraw(page: Page): Promise<{ drawn: number; ms: number }> {
  const start = Date.now();
  for (let i = 0; i < 200; i++) {
    const drawn = await page.evaluate((runs) => {
      let ok = 0;
      for (const el of document.querySelectorAll('[data-testid="scalar-card"] [role="img"]')) {
        const series =
          (
            el as unknown as { __boardChart?: { getOption(): undefined | { series?: Array<{ id: string; data: unknown[] }> } } }
          ).__boardChart?.getOption()?.series ?? [];
        let n = 0;
        for (const s of series) if (s.id === 'smoothed' || s.id.startsWith('smoothed-')) n += s.data.length;
        if (n >= runs) ok++;
      }
      return ok;
    }, RUNS);
    if (drawn >= TAGS) return { drawn, ms: Date.now() - start };
    await page.mouse.wheel(0, 600);
    await page.waitForTimeout(300);
  }
  return { drawn: -1, ms: Date.now() - start };
}

type Phase = 'load' | 'deselect' | 'select' | 'hover' | 'smoothing';
/** Longest tasks per phase on /scalars (card testid scalar-card) or /time-series (ts-card). */
async function interactions(page: Page, query: string, path = '/scalars', card = 'scalar-card'): Promise<Record<Phase, number>> {
  await page.addInitScript(() => {
    const w = window as unknown as { __lt: Array<[number, number]> };
    w.__lt = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__lt.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${board.url}${path}${query}`);
  await page.locator('html[data-hydrated="1"]').waitFor({ state: 'attached' });
  await page.locator(`[data-testid="${card}"] canvas`).first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1500);
  const marks: Array<[Phase, number]> = [['load', 0]];
  const mark = async (p: Phase) => {
    marks.push([p, await page.evaluate(() => performance.now())]);
  };
  await mark('deselect');
  await page.getByRole('button', { name: 'None', exact: true }).click();
  await page.waitForTimeout(1500);
  await mark('select');
  await page.getByRole('button', { name: 'All', exact: true }).click();
  await page.locator(`[data-testid="${card}"] canvas`).first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(3000);
  await mark('hover');
  const box = (await page.locator(`[data-testid="${card}"] canvas`).first().boundingBox())!;
  for (let x = 0.1; x < 0.9; x += 0.05) {
    await page.mouse.move(box.x + box.width * x, box.y + box.height / 2);
    await page.waitForTimeout(60);
  }
  await page.mouse.move(5, 5);
  await page.waitForTimeout(500);
  await mark('smoothing');
  await page.getByLabel('Smoothing value').fill('0.9');
  await page.waitForTimeout(2500);
  const lt = await page.evaluate(() => (window as unknown as { __lt: Array<[number, number]> }).__lt);
  const out = { load: 0, deselect: 0, select: 0, hover: 0, smoothing: 0 };
  for (const [start, d] of lt) {
    let phase: Phase = 'load';
    for (const [p, at] of marks) if (start >= at) phase = p;
    out[phase] = Math.max(out[phase], Math.round(d));
  }
  return out;
}

try {
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const a1: number[] = [],
    aAll: number[] = [];
  let html1 = 0,
    htmlAll = 0;
  for (let i = 0; i < 3; i++) {
    const one = await firstChart(browser, ONE, 1);
    a1.push(one.ms);
    html1 = one.htmlBytes;
    const all = await firstChart(browser, '', RUNS);
    aAll.push(all.ms);
    htmlAll = all.htmlBytes;
  }
  console.log(
    `A. first chart with ${RUNS} curves: median ${med(aAll).toFixed(0)} ms (${aAll.map((x) => x.toFixed(0)).join(', ')}), page ${(htmlAll / 1024).toFixed(0)} KiB; baseline 1 run: ${med(a1).toFixed(0)} ms, page ${(html1 / 1024).toFixed(0)} KiB; ratio ${(med(aAll) / med(a1)).toFixed(2)}x; budget 2000 ms ${med(aAll) <= 2000 ? 'met' : 'MISSED'}`,
  );

  if (CPU_THROTTLE > 1) console.log(`page CPU throttled ${CPU_THROTTLE}x (Chromium DevTools emulation)`);
  if (!FIRST_ONLY) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let longestUrl = 0,
      posts = 0;
    page.on('request', (r) => {
      longestUrl = Math.max(longestUrl, r.url().length);
      if (r.method() === 'POST') posts++;
    });
    await page.goto(`${board.url}/scalars`);
    await page.locator('[data-testid="scalar-card"] canvas').first().waitFor({ timeout: 60_000 });
    const b = await allChartsDraw(page);
    const rows = await page.locator('.run-list li[data-run]').count();
    await page.getByPlaceholder('Filter runs (regex)').fill('seed_00(0|1)');
    await page.waitForTimeout(800);
    const filtered = await page.locator('.run-list').getAttribute('data-total');
    console.log(`B. every chart draws: ${b.drawn}/${TAGS} cards with ${RUNS} curves after scrolling, ${(b.ms / 1000).toFixed(1)} s`);
    console.log(
      `D. longest request URL ${longestUrl} chars (${posts} POSTs); run list DOM rows ${rows} of ${RUNS}; filter 'seed_00(0|1)' lists ${filtered} runs`,
    );
    await page.close();

    const p1 = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const base = await interactions(p1, ONE);
    await p1.close();
    const pAll = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const all = await interactions(pAll, '');
    await pAll.close();
    const worst = Math.max(all.deselect, all.select, all.hover, all.smoothing);
    const worstBase = Math.max(base.deselect, base.select, base.hover, base.smoothing);
    console.log(
      `C. longest task per phase, ${RUNS} runs: ${JSON.stringify(all)}; 1 run: ${JSON.stringify(base)}; worst ${worst} ms vs ${worstBase} ms (ratio ${(worst / Math.max(1, worstBase)).toFixed(2)}x); budget 200 ms ${worst <= 200 ? 'met' : 'MISSED'}`,
    );
    // The same interactions on /time-series (TensorBoard's default page; it shares the scalar cards).
    const t1 = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const tsBase = await interactions(t1, ONE, '/time-series', 'ts-card');
    await t1.close();
    const tAll = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const ts = await interactions(tAll, '', '/time-series', 'ts-card');
    await tAll.close();
    const tsWorst = Math.max(ts.deselect, ts.select, ts.hover, ts.smoothing);
    const tsWorstBase = Math.max(tsBase.deselect, tsBase.select, tsBase.hover, tsBase.smoothing);
    console.log(
      `C2. /time-series longest task per phase, ${RUNS} runs: ${JSON.stringify(ts)}; 1 run: ${JSON.stringify(tsBase)}; worst ${tsWorst} ms vs ${tsWorstBase} ms (ratio ${(tsWorst / Math.max(1, tsWorstBase)).toFixed(2)}x); budget 200 ms ${tsWorst <= 200 ? 'met' : 'MISSED'}`,
    );
  }
  console.log(
    `load average after: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
} finally {
  await browser.close();
  await board.stop();
  rmSync(dir, { recursive: true, force: true });
}
