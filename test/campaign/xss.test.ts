// Browser campaign (issue 10): XSS vectors written by a real SummaryWriter as run names, tag
// names (scalars, images, histograms, text, PR curves), markdown text, hparam names and values,
// and graph node names; then every dashboard page is opened in headless Chromium. Each vector
// would call window.__x(N) if it ever ran. Proven: no vector runs (no call, no dialog, no page
// error), and no page holds an element with an inline event handler, a javascript: URL, or an
// injected script/iframe/object/embed/base/meta.
// CI: 24 vectors. BOARD_CAMPAIGN=full: all of them (60), plus chart tooltips.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SummaryWriter } from '../../lib/tfevents/index.ts';
import { startBoard, type BoardProcess } from '../e2e/helpers/board-process.ts';
import { HAS_CHROMIUM, launchChromium } from '../e2e/helpers/browser.ts';
import { campaignSize, FULL, reportFigures } from './size.ts';

const X = (n: number) => `__x(${n})`;
/** Classic and markdown-specific vectors (OWASP filter-evasion cheat sheet, mXSS, markdown links). */
export const VECTORS: string[] = [
  `<script>${X(0)}</script>`,
  `<img src=x onerror=${X(1)}>`,
  `<svg onload=${X(2)}>`,
  `<svg><script>${X(3)}</script></svg>`,
  `"><img src=x onerror=${X(4)}>`,
  `'><img src=x onerror=${X(5)}>`,
  `javascript:${X(6)}`,
  `<a href="javascript:${X(7)}">x</a>`,
  `[md link](javascript:${X(8)})`,
  `![img](x" onerror="${X(9)})`,
  `<iframe srcdoc="<script>parent.${X(10)}</script>"></iframe>`,
  `<iframe src="javascript:parent.${X(11)}"></iframe>`,
  `<details open ontoggle=${X(12)}>`,
  `<body onload=${X(13)}>`,
  `<input autofocus onfocus=${X(14)}>`,
  `<video><source onerror=${X(15)}></video>`,
  `<audio src=x onerror=${X(16)}>`,
  `<object data="javascript:${X(17)}"></object>`,
  `<embed src="javascript:${X(18)}">`,
  `<math><mtext><table><mglyph><style><img src=x onerror=${X(19)}>`,
  `<noscript><p title="</noscript><img src=x onerror=${X(20)}>">`,
  `<style>@import 'javascript:${X(21)}';</style>`,
  `<div style="background:url(javascript:${X(22)})">x</div>`,
  `<a href="jav&#x09;ascript:${X(23)}">x</a>`,
  `<a href="&#106;avascript:${X(24)}">x</a>`,
  `<a href="data:text/html,<script>${X(25)}</script>">x</a>`,
  `<meta http-equiv="refresh" content="0;url=javascript:${X(26)}">`,
  `<base href="javascript:${X(27)}//">`,
  `<form action="javascript:${X(28)}"><button>go</button></form>`,
  `<marquee onstart=${X(29)}>x</marquee>`,
  `<svg><animate onbegin=${X(30)} attributeName=x dur=1s>`,
  `<img src="x" onerror="&#95;&#95;x(31)">`,
  `<scr<script>ipt>${X(32)}</scr</script>ipt>`,
  `<<script>${X(33)}//<</script>`,
  `{{constructor.constructor('${X(34)}')()}}`,
  '${' + X(35) + '}',
  `<img src=x:x onerror=eval(atob('${Buffer.from(X(36)).toString('base64')}'))>`,
  `<x onclick=${X(37)}>click</x>`,
  `<a href="vbscript:${X(38)}">x</a>`,
  `<svg><a xlink:href="javascript:${X(39)}"><text y=20>x</text></a></svg>`,
  `<isindex action=javascript:${X(40)} type=image>`,
  `<link rel=import href="data:text/html,<script>${X(41)}</script>">`,
  `<table background="javascript:${X(42)}"><tr><td>x</td></tr></table>`,
  `<img srcset="x 1x" onerror=${X(43)}>`,
  `<select autofocus onfocus=${X(44)}></select>`,
  `<textarea autofocus onfocus=${X(45)}></textarea>`,
  `<keygen autofocus onfocus=${X(46)}>`,
  `</title><script>${X(47)}</script>`,
  `</textarea><script>${X(48)}</script>`,
  `<!--<img src="--><img src=x onerror=${X(49)}//">`,
  `\\u003cscript\\u003e${X(50)}\\u003c/script\\u003e`,
  `[x](JaVaScRiPt:${X(51)})`,
  `<https://x.example" onmouseover="${X(52)}>`,
  `[a]: javascript:${X(53)}\n\n[click][a]`,
  `<svg/onload=${X(54)}>`,
  `" onmouseover="${X(55)}" x="`,
  `<iframe src="data:text/html,<script>parent.${X(56)}</script>"></iframe>`,
  `<xmp><img src=x onerror=${X(57)}></xmp>`,
  `<div data-x="</div><img src=x onerror=${X(58)}>">x</div>`,
  `<img src=x onerror=alert(59)>`,
];

const COUNT = campaignSize(24, VECTORS.length);
const USED = VECTORS.slice(0, COUNT);

/** A vector as a run name: '/' nests directories, which the run name spells with '/' again. */
function runDir(v: string, i: number): string {
  const segments = `v${i}_${v}`.split('/');
  const ok = segments.every((s) => s !== '' && s !== '.' && s !== '..' && Buffer.byteLength(s) < 250);
  return ok ? segments.join('/') : `v${i}_${v.replaceAll('/', '\u2215')}`;
}

function buildLogdir(root: string): string[] {
  const t0 = 1_750_000_000;
  const runs: string[] = [];
  for (const [i, v] of USED.entries()) {
    const run = runDir(v, i);
    runs.push(run);
    mkdirSync(join(root, run), { recursive: true });
    const w = new SummaryWriter(join(root, run), { flushSecs: 3600 });
    w.addScalar(`s${i}/${v}`, i, 0, t0);
    w.addScalar(`s${i}/${v}`, i + 1, 1, t0 + 1);
    w.addText(`t${i}/${v}`, `# note ${i}\n\n${v}\n\n| ${v} | x |\n|---|---|\n| ${v} | 1 |\n\n\`${v}\`\n\n> ${v}`, 0, t0);
    if (i % 4 === 0) {
      w.addImage(
        `i${i}/${v}`,
        [
          [
            [0, 1],
            [1, 0],
          ],
        ],
        0,
        { walltime: t0 },
      );
      w.addHistogram(`h${i}/${v}`, [0, 1, 2, 3, i], 0, 'tensorflow', t0);
      w.addPrCurve(`p${i}/${v}`, [1, 0, 1], [0.9, 0.2, 0.6], 0, { numThresholds: 5, walltime: t0 });
    }
    w.addHparams({ payload: v, [`k${i}_${v}`]: i, lr: 0.01 * (i + 1) }, { [`hparam/${v}`]: i }, { runName: 'hp' });
    w.close();
  }
  const g = new SummaryWriter(join(root, 'graph'), { flushSecs: 3600 });
  g.addGraph(
    {
      nodes: USED.map((v, i) => ({
        name: `n${i}/${v}`,
        op: v,
        inputs: i ? [`n${i - 1}/${USED[i - 1]}`] : [],
        outputShapes: [[1]],
        dtype: v,
      })),
    },
    undefined,
    t0,
  );
  g.close();
  return runs;
}

const PAGES = ['/', '/scalars', '/images', '/histograms', '/text', '/graphs', '/pr-curves', '/hparams'];

describe.skipIf(!HAS_CHROMIUM)(`browser campaign: ${COUNT} XSS vectors stay inert on every page`, () => {
  let dir: string;
  let board: BoardProcess;
  let browser: Browser;
  let runs: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'board-xss-'));
    runs = buildLogdir(join(dir, 'logs'));
    [board, browser] = await Promise.all([
      startBoard(['--logdir', join(dir, 'logs'), '--db', join(dir, 'store.sqlite')]),
      launchChromium(),
    ]);
    await board.waitFor('initial scan done');
  });

  afterAll(async () => {
    await browser?.close();
    const code = await board?.stop('SIGINT');
    if (board) expect(code, board.output().slice(-3000)).toBe(0);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the detector catches a vector that does run (so a clean result means something)', async () => {
    const page = await browser.newPage();
    await page.addInitScript(() => {
      const w = window as unknown as { __xssHits: number[]; __x: (n: number) => void };
      w.__xssHits = [];
      w.__x = (n) => {
        w.__xssHits.push(n);
      };
    });
    await page.goto(`${board.url}/api/health`);
    await page.evaluate((html) => {
      document.body.innerHTML = html;
    }, VECTORS[1]!);
    await page.waitForFunction(() => (window as unknown as { __xssHits: number[] }).__xssHits.length > 0);
    expect(await page.evaluate(() => (window as unknown as { __xssHits: number[] }).__xssHits)).toEqual([1]);
    expect(await page.evaluate(() => document.querySelectorAll('[onerror]').length)).toBe(1);
    await page.close();
  });

  test('every vector reached the store verbatim (so the pages below really show them)', async () => {
    const listed = ((await (await fetch(`${board.url}/api/runs`)).json()) as { runs: Array<{ name: string }> }).runs.map((r) => r.name);
    for (const run of runs) expect(listed).toContain(run);
    const tags = ((await (await fetch(`${board.url}/api/tags`)).json()) as { tags: Array<{ tag: string }> }).tags.map((t) => t.tag);
    for (const [i, v] of USED.entries()) expect(tags).toContain(`s${i}/${v}`);
  });

  test(
    'no vector runs on any page; no page holds an active injected element',
    async () => {
      const page: Page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const dialogs: string[] = [];
      const errors: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.addInitScript(() => {
        const w = window as unknown as { __xssHits: number[]; __x: (n: number) => void };
        w.__xssHits = [];
        w.__x = (n: number) => {
          w.__xssHits.push(n);
        };
      });
      const visited: string[] = [];
      let injected = 0;
      const check = async (label: string) => {
        // Let lazy cards mount: scroll through the page.
        await page.evaluate(async () => {
          for (let y = 0; y < document.body.scrollHeight; y += 600) {
            window.scrollTo(0, y);
            await new Promise((r) => setTimeout(r, 60));
          }
          window.scrollTo(0, 0);
        });
        await page.waitForTimeout(300);
        const found = await page.evaluate(() => {
          const bad: string[] = [];
          for (const el of Array.from(document.querySelectorAll('*'))) {
            for (const a of Array.from(el.attributes)) {
              if (/^on/i.test(a.name)) bad.push(`${el.tagName} ${a.name}`);
              if (
                /^\s*(javascript|vbscript|data):/i.test(a.value) &&
                /^(href|src|action|formaction|xlink:href|data|background|srcdoc)$/i.test(a.name)
              )
                bad.push(`${el.tagName} ${a.name}=${a.value.slice(0, 40)}`);
            }
          }
          for (const el of Array.from(
            document.querySelectorAll('body iframe, body object, body embed, base, meta[http-equiv], body link[rel=import]'),
          ))
            bad.push(el.outerHTML.slice(0, 80));
          for (const s of Array.from(document.querySelectorAll('script'))) {
            const src = s.getAttribute('src');
            if (
              src
                ? !src.startsWith('/_next/')
                : !/^\s*(\(self\.__next_f|self\.__next_f|\$RC|document\.documentElement|\(function|!function|\{)/.test(
                    s.textContent ?? '',
                  ) && (s.textContent ?? '').includes('__x(')
            )
              bad.push(`script ${(s.textContent ?? '').slice(0, 60)}`);
          }
          return bad;
        });
        injected += found.length;
        expect(found, label).toEqual([]);
        visited.push(label);
      };
      for (const path of PAGES) {
        await page.goto(`${board.url}${path}`);
        await page.locator('html[data-hydrated="1"]').waitFor({ state: 'attached', timeout: 30_000 });
        await check(path);
      }
      // Each graph run, and the run filter / hparams filter fed a vector (RE2 rejects or matches it; either way inert).
      await page.goto(`${board.url}/graphs?grun=graph`);
      await page.locator('html[data-hydrated="1"]').waitFor({ state: 'attached' });
      await check('/graphs?grun=graph');
      await page.goto(`${board.url}/scalars?runFilter=${encodeURIComponent(USED[1]!)}&tagFilter=${encodeURIComponent(USED[2]!)}`);
      await page.locator('html[data-hydrated="1"]').waitFor({ state: 'attached' });
      await check('/scalars with vector filters');
      await page.goto(`${board.url}/hparams?hfilter=${encodeURIComponent('onerror')}`);
      await page.locator('html[data-hydrated="1"]').waitFor({ state: 'attached' });
      await check('/hparams filtered');
      if (FULL) {
        // Chart tooltips are HTML strings: hover every scalar card's chart.
        await page.goto(`${board.url}/scalars`);
        await page.locator('html[data-hydrated="1"]').waitFor({ state: 'attached' });
        const cards = page.locator('[data-testid="scalar-card"]');
        const n = await cards.count();
        for (let i = 0; i < n; i++) {
          const card = cards.nth(i);
          await card.scrollIntoViewIfNeeded();
          const canvas = card.locator('canvas').first();
          if ((await canvas.count()) === 0) continue;
          const box = await canvas.boundingBox();
          if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
          await page.waitForTimeout(50);
        }
        await check('/scalars tooltips');
      }
      const hits = await page.evaluate(() => (window as unknown as { __xssHits: number[] }).__xssHits);
      reportFigures('browser-xss', {
        vectors: COUNT,
        pages: visited.length,
        pageList: visited,
        placements: [
          'run name',
          'scalar/image/histogram/text/PR tag',
          'markdown text',
          'hparam name and value',
          'metric tag',
          'graph node name/op/dtype',
        ],
        executed: hits.length,
        dialogs: dialogs.length,
        injectedElements: injected,
      });
      expect(hits).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(errors.filter((e) => /__x|alert/.test(e))).toEqual([]);
      await page.close();
    },
    FULL ? 900_000 : 300_000,
  );
});
