// Live latency, end to end: SummaryWriter.flush() in this process -> ingest (chokidar) -> SSE ->
// browser fetch -> ECharts renders the new point in headless Chromium. Baseline, same run: the
// moment the SSE change event for the same point reaches a Node client (ingest + feed only), so
// the ratio shows what the browser side adds.
//   npx tsx --conditions=board-source bench/live-latency.ts [iterations]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SummaryWriter } from '../lib/tfevents/index.ts';
import { startBoard } from '../test/e2e/helpers/board-process.ts';
import { launchChromium } from '../test/e2e/helpers/browser.ts';

const N = Number(process.argv[2] ?? 40);
const dir = mkdtempSync(join(tmpdir(), 'board-live-bench-'));
const w = new SummaryWriter(join(dir, 'logs', 'live'), { flushSecs: 3600 });
w.addScalar('live/m', 0, 0);
w.flush();

const board = await startBoard(['--logdir', join(dir, 'logs'), '--db', join(dir, 'store.sqlite')]);
const browser = await launchChromium();
try {
  await board.waitFor('initial scan done');
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.goto(`${board.url}/scalars?tagFilter=${encodeURIComponent('^live/m$')}&smoothing=0`);
  const chartEl = page.locator('[data-tag="live/m"] [role="img"]').first();
  await chartEl.waitFor();
  // Record when a render that contains a new step has finished (ECharts 'finished' event).
  await chartEl.evaluate((el) => {
    const chart = (
      el as unknown as {
        __boardChart: {
          on(ev: string, fn: () => void): void;
          getOption(): { series: Array<{ id: string; data: Array<{ name: string; coords: number[][] }> }> };
        };
      }
    ).__boardChart;
    const seen: Array<{ step: number; t: number }> = [];
    (window as unknown as { __seen: typeof seen }).__seen = seen;
    let last = -1;
    chart.on('finished', () => {
      const line = chart
        .getOption()
        .series.find((x) => x.id === 'smoothed')
        ?.data.find((d) => d.name === 'live');
      const step = line?.coords.at(-1)?.[0] ?? -1; // [x, y]; x is the step on the step axis
      if (step > last) {
        last = step;
        seen.push({ step, t: Date.now() });
      }
    });
  });

  // Node-side SSE listener: the baseline.
  const sseSeen = new Map<number, number>();
  const ctrl = new AbortController();
  const sse = await fetch(`${board.url}/api/events`, { signal: ctrl.signal });
  void (async () => {
    const reader = sse.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const now = Date.now();
        buf += dec.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const msg = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = msg.split('\n').find((l) => l.startsWith('data: '));
          if (!data) continue;
          const c = JSON.parse(data.slice(6)) as { tag?: string; maxStep?: number };
          if (c.tag === 'live/m' && typeof c.maxStep === 'number' && !sseSeen.has(c.maxStep)) sseSeen.set(c.maxStep, now);
        }
      }
    } catch {
      /* aborted */
    }
  })();

  const e2e: number[] = [];
  const feed: number[] = [];
  for (let step = 1; step <= N; step++) {
    const t0 = Date.now();
    w.addScalar('live/m', Math.sin(step), step);
    w.flush();
    const t = await page.waitForFunction(
      (s) => (window as unknown as { __seen: Array<{ step: number; t: number }> }).__seen.find((x) => x.step >= s)?.t,
      step,
      { polling: 'raf', timeout: 10_000 },
    );
    e2e.push(((await t.jsonValue()) as number) - t0);
    if (sseSeen.has(step)) feed.push(sseSeen.get(step)! - t0);
    await new Promise((r) => setTimeout(r, 150));
  }
  ctrl.abort();
  const q = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  };
  const med = (xs: number[]) => q(xs, 0.5);
  console.log(`live latency over ${N} flushes (writer flush -> point rendered in Chromium)`);
  console.log(`  end to end: median ${med(e2e)} ms, p90 ${q(e2e, 0.9)} ms, max ${Math.max(...e2e)} ms`);
  console.log(`  baseline (flush -> SSE event at a Node client): median ${med(feed)} ms, p90 ${q(feed, 0.9)} ms (${feed.length} seen)`);
  console.log(
    `  ratio end-to-end / feed (median): ${(med(e2e) / med(feed)).toFixed(2)}x; budget 300 ms: ${q(e2e, 0.9) <= 300 ? 'met' : 'MISSED'} at p90`,
  );
} finally {
  w.close();
  await browser.close();
  await board.stop();
  rmSync(dir, { recursive: true, force: true });
}
