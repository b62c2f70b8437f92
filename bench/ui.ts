// UI responsiveness in headless Chromium against a real `board` on a synthetic logdir
// (100 runs x 20 scalar tags x 100 steps, written with our SummaryWriter).
//  A. First page usable: from navigation start until the run list shows every run, the first chart
//     has drawn and the page is hydrated (controls respond). Baseline (same server): one run.
//  B. 50 runs x 20 tags selected: scroll every card into view, change smoothing, toggle all runs
//     off and on, hover (linked across cards); longest main-thread task (PerformanceObserver
//     'longtask'). Baseline: the same script with one run. Budget: no task over 200 ms.
//   npx tsx --conditions=board-source bench/ui.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startBoard } from '../test/e2e/helpers/board-process.ts';
import { launchChromium } from '../test/e2e/helpers/browser.ts';
import { writeScalarLogdir } from './ui-logdir.ts';

const RUNS = 100,
  TAGS = 20,
  POINTS = 100;
const dir = mkdtempSync(join(tmpdir(), 'board-ui-bench-'));
let t = Date.now();
writeScalarLogdir(join(dir, 'logs'), RUNS, TAGS, POINTS);
console.log(`wrote ${RUNS} runs x ${TAGS} tags x ${POINTS} steps in ${((Date.now() - t) / 1000).toFixed(1)} s`);
t = Date.now();
const board = await startBoard(['--logdir', join(dir, 'logs'), '--db', join(dir, 'store.sqlite')], 300_000);
await board.waitFor('initial scan done', 300_000);
console.log(`board ready (ingest done) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
const browser = await launchChromium();

async function firstUsable(b: Browser, query: string, runsShown: number): Promise<number> {
  const page = await b.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${board.url}/scalars${query}`, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(
    (n) => {
      const runs = document.querySelectorAll('.run-list li').length;
      const canvas = document.querySelector('[data-testid="scalar-card"] canvas');
      const smoothing = document.querySelector('input[aria-label="Smoothing value"]') as HTMLInputElement | null;
      const hydrated = document.documentElement.dataset.hydrated === '1';
      return runs >= n && canvas !== null && smoothing !== null && hydrated ? performance.now() : false;
    },
    runsShown,
    { polling: 'raf', timeout: 30_000 },
  );
  const ms = (await handle.jsonValue()) as number;
  await page.close();
  return ms;
}

type Phase = 'load' | 'scroll' | 'smoothing' | 'toggle' | 'hover';

async function interactions(
  page: Page,
  query: string,
  tags: number,
): Promise<{ maxTask: number; tasks: number; total: number; byPhase: Record<string, number> }> {
  await page.addInitScript(() => {
    const w = window as unknown as { __lt: Array<[number, number]> };
    w.__lt = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__lt.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  });
  const marks: Array<[Phase, number]> = [];
  const mark = async (p: Phase) => {
    marks.push([p, await page.evaluate(() => performance.now())]);
  };
  await page.goto(`${board.url}/scalars${query}`);
  marks.push(['load', 0]);
  await page.locator('[data-testid="scalar-card"] canvas').first().waitFor();
  await page.waitForTimeout(500);
  // Scroll every card into view so all charts mount and draw.
  await mark('scroll');
  for (let i = 0; i < 40; i++) {
    const drawn = await page.locator('[data-testid="scalar-card"] canvas').count();
    if (drawn >= tags) break;
    await page.mouse.wheel(0, 700);
    await page.waitForTimeout(250);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(500);
  await mark('smoothing');
  await page.getByLabel('Smoothing value').fill('0.9');
  await page.waitForTimeout(800);
  await mark('toggle');
  await page.getByRole('button', { name: 'None', exact: true }).click();
  await page.waitForTimeout(400);
  await page.getByRole('button', { name: 'All', exact: true }).click();
  await page.waitForTimeout(1200);
  await mark('hover');
  const box = (await page.locator('[data-testid="scalar-card"] canvas').first().boundingBox())!;
  for (let x = 0.1; x < 0.9; x += 0.1) {
    await page.mouse.move(box.x + box.width * x, box.y + box.height / 2);
    await page.waitForTimeout(50);
  }
  await page.waitForTimeout(500);
  const lt = await page.evaluate(() => (window as unknown as { __lt: Array<[number, number]> }).__lt);
  const byPhase: Record<string, number> = {};
  for (const [start, d] of lt) {
    let phase: Phase = 'load';
    for (const [p, t] of marks) if (start >= t) phase = p;
    byPhase[phase] = Math.max(byPhase[phase] ?? 0, Math.round(d));
  }
  const durations = lt.map((x) => x[1]);
  return { maxTask: durations.length ? Math.max(...durations) : 0, tasks: lt.length, total: durations.reduce((a, b) => a + b, 0), byPhase };
}

try {
  const one = '?runFilter=%5Erun_000%24';
  const a1: number[] = [],
    a100: number[] = [];
  for (let i = 0; i < 3; i++) {
    a1.push(await firstUsable(browser, one, 1));
    a100.push(await firstUsable(browser, '', RUNS));
  }
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  console.log(
    `A. first page usable, ${RUNS} runs: median ${med(a100).toFixed(0)} ms (runs ${a100.map((x) => x.toFixed(0)).join(', ')}); baseline 1 run: ${med(a1).toFixed(0)} ms; ratio ${(med(a100) / med(a1)).toFixed(2)}x; budget 1500 ms ${med(a100) <= 1500 ? 'met' : 'MISSED'}`,
  );

  const fifty = '?runFilter=%5Erun_0%5B0-4%5D';
  const p1 = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const base = await interactions(p1, one, TAGS);
  await p1.close();
  const p50 = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const r50 = await interactions(p50, fifty, TAGS);
  await p50.close();
  console.log(
    `B. 50 runs x ${TAGS} tags: longest task ${r50.maxTask.toFixed(0)} ms (${r50.tasks} long tasks, ${r50.total.toFixed(0)} ms total); baseline 1 run: longest ${base.maxTask.toFixed(0)} ms (${base.tasks} tasks); ratio ${(r50.maxTask / Math.max(1, base.maxTask)).toFixed(2)}x; budget 200 ms ${r50.maxTask <= 200 ? 'met' : 'MISSED'}`,
  );
  console.log(`   longest task per phase, 50 runs: ${JSON.stringify(r50.byPhase)}; 1 run: ${JSON.stringify(base.byPhase)}`);
} finally {
  await browser.close();
  await board.stop();
  rmSync(dir, { recursive: true, force: true });
}
