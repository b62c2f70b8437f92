// End-to-end for issue 13's dashboards: Projector, Audio, Custom scalars, run groups, GIF videos
// in Images, and the sweep-sized scalar API. `board --port 0` on a logdir written by our
// SummaryWriter (plus a TensorFlow-style projector folder written by hand), driven by headless
// Chromium; every check reads what was drawn (canvas hooks, chart data, players), not only that a
// page loads. Saves light/dark screenshots to test/artifacts/ (docs/ copies come from there).
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SummaryWriter } from '../../lib/tfevents/index.ts';
import { startBoard, type BoardProcess } from './helpers/board-process.ts';
import { HAS_CHROMIUM, launchChromium } from './helpers/browser.ts';

const POLL = { timeout: 20_000 };
const ARTIFACTS = resolve(import.meta.dirname, '../artifacts');
const N = 60; // embedding points: 3 clusters of 20 in 8-D

function writeLogdir(root: string): void {
  // Embedding: three well-separated clusters, labels 'c<k>_<i>', a header row, sprite images.
  const emb = new SummaryWriter(join(root, 'emb'));
  const mat = new Float32Array(N * 8);
  const meta: Array<[string, string]> = [];
  const img = new Float32Array(N * 3 * 4 * 4);
  for (let i = 0; i < N; i++) {
    const k = Math.floor(i / 20);
    for (let j = 0; j < 8; j++) mat[i * 8 + j] = (j === k * 2 ? 10 : 0) + Math.sin(i * 7 + j) * 0.5;
    meta.push([`c${k}_${i}`, `cluster${k}`]);
    for (let p = 0; p < 16; p++) img[(i * 3 + k) * 16 + p] = 1;
  }
  emb.addEmbedding(
    { data: mat, shape: [N, 8] },
    { metadata: meta, metadataHeader: ['label', 'cluster'], labelImg: { data: img, shape: [N, 3, 4, 4] }, tag: 'words' },
  );
  // Audio at two steps, and a video (animated GIF) for the Images page.
  for (const step of [0, 5])
    emb.addAudio(
      'voice',
      Float32Array.from({ length: 8000 }, (_, i) => Math.sin(i * (0.05 + step * 0.01)) * 0.5),
      step,
      { sampleRate: 8000 },
    );
  const vid = new Float32Array(1 * 4 * 3 * 8 * 8);
  for (let f = 0; f < 4; f++) for (let p = 0; p < 64; p++) vid[f * 3 * 64 + p] = f / 3;
  emb.addVideo('clip', { data: vid, shape: [1, 4, 3, 8, 8] }, 0, { fps: 4 });
  emb.close();
  // A sweep for run groups and custom scalars: lr_<lr>_seed_<s>.
  for (const lr of ['0.1', '0.01'])
    for (const seed of [1, 2]) {
      const w = new SummaryWriter(join(root, `lr_${lr}_seed_${seed}`));
      for (let s = 0; s < 10; s++) {
        const loss = Number(lr) * 10 + seed + s;
        w.addScalar('loss/train', loss, s);
        w.addScalar('loss/val', loss + 1, s);
        w.addScalar('acc/mean', 0.5, s);
        w.addScalar('acc/lo', 0.4, s);
        w.addScalar('acc/hi', 0.6, s);
      }
      if (lr === '0.1' && seed === 1)
        w.addCustomScalars({
          Losses: { 'train vs val': ['Multiline', ['loss/.*']] },
          Accuracy: { band: ['Margin', ['acc/mean', 'acc/lo', 'acc/hi']] },
        });
      w.close();
    }
  // A projector folder as TensorFlow's projector.visualize_embeddings leaves it (hand-written).
  const tf = join(root, 'tf_proj');
  mkdirSync(join(tf, 'vecs'), { recursive: true });
  writeFileSync(
    join(tf, 'projector_config.pbtxt'),
    'embeddings {\n  tensor_name: "embedding/.ATTRIBUTES/VARIABLE_VALUE"\n  metadata_path: "metadata.tsv"\n  tensor_path: "vecs/t.tsv"\n}\n',
  );
  writeFileSync(join(tf, 'vecs', 't.tsv'), Array.from({ length: 5 }, (_, i) => `${i}\t${i * 2}\t${-i}`).join('\n') + '\n');
  writeFileSync(join(tf, 'metadata.tsv'), ['a', 'b', 'c', 'd', 'e'].join('\n') + '\n');
  // TensorFlow's own tutorial layout, written by real TensorFlow: the embedding lives in a
  // tf.train.Checkpoint and the config names it by tensor_name only (test/fixtures/projector-tf).
  cpSync(resolve(import.meta.dirname, '../fixtures/projector-tf/tutorial'), join(root, 'tf_ckpt'), { recursive: true });
}

type Hook = { points: number; dims: number; xy: number[]; colors: string[]; selected: number | null; highlighted: number[] };
const hook = (page: Page) =>
  page.locator('canvas.projector-canvas').evaluate((el) => (el as unknown as { __projector?: Hook }).__projector ?? null);

describe.skipIf(!HAS_CHROMIUM)('issue 13 dashboards in Chromium', () => {
  let dir: string;
  let board: BoardProcess;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'board-e2e13-'));
    writeLogdir(join(dir, 'logs'));
    [board, browser] = await Promise.all([
      startBoard(['--logdir', join(dir, 'logs'), '--db', join(dir, 'store.sqlite')]),
      launchChromium(),
    ]);
    await board.waitFor('initial scan done');
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await board?.stop('SIGINT');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const go = async (path: string) => {
    await page.goto(`${board.url}${path}`);
    await page.locator('html[data-hydrated="1"]').waitFor({ state: 'attached' });
  };

  test('projector: PCA 2-D and 3-D, colours by metadata, sprites, search, nearest neighbours', { timeout: 90_000 }, async () => {
    await go('/projector');
    await expect.poll(async () => (await hook(page))?.points, POLL).toBe(N);
    let h = (await hook(page))!;
    expect(h.dims).toBe(2);
    expect(await page.getByTestId('projector-status').textContent()).toMatch(/done · variance explained \d/);
    // PCA separates the three clusters: points of one cluster lie closer to each other than to others.
    const dist = (a: number, b: number) => Math.hypot(h.xy[2 * a]! - h.xy[2 * b]!, h.xy[2 * a + 1]! - h.xy[2 * b + 1]!);
    expect(dist(0, 1)).toBeLessThan(dist(0, 25));
    expect(dist(21, 22)).toBeLessThan(dist(21, 45));
    // Colour by the 'cluster' column: 3 colours, one per cluster.
    await page.getByLabel('Colour by').selectOption('cluster');
    h = (await hook(page))!;
    expect(new Set(h.colors).size).toBe(3);
    expect(h.colors[0]).toBe(h.colors[19]);
    expect(h.colors[0]).not.toBe(h.colors[20]);
    // Search by label (RE2), then pick a match: its 10 nearest neighbours are from its cluster.
    await page.getByLabel('Search labels').fill('^c1_2[0-4]$');
    await expect.poll(() => page.getByTestId('search-count').textContent(), POLL).toBe('5 matches');
    expect((await hook(page))!.highlighted.sort((a, b) => a - b)).toEqual([20, 21, 22, 23, 24]);
    await page.getByRole('list', { name: 'Search matches' }).getByRole('button', { name: 'c1_22' }).click();
    await expect.poll(() => page.getByTestId('neighbours').locator('li').count(), POLL).toBe(10);
    const labels = await page.getByTestId('neighbours').locator('li button').allTextContents();
    expect(labels.every((l) => l.startsWith('c1_'))).toBe(true);
    await page.getByLabel('Distance').selectOption('euclidean');
    await expect.poll(() => page.getByRole('heading', { name: /Nearest to “c1_22” \(euclidean\)/ }).count(), POLL).toBe(1);
    // 3-D PCA draws the same points from 3 coordinates.
    await page.getByRole('radio', { name: 'PCA 3-D' }).click();
    await expect.poll(async () => (await hook(page))?.dims, POLL).toBe(3);
    await page.screenshot({ path: join(ARTIFACTS, 'projector-light.png') });
  });

  test('projector: t-SNE and UMAP run in the worker and keep clusters apart', { timeout: 120_000 }, async () => {
    for (const name of ['t-SNE', 'UMAP']) {
      await go('/projector');
      await expect.poll(async () => (await hook(page))?.points, POLL).toBe(N);
      await page.getByRole('radio', { name }).click();
      await expect.poll(() => page.getByTestId('projector-status').textContent(), { timeout: 90_000 }).toBe('done');
      const h = (await hook(page))!;
      expect(h.dims).toBe(2);
      const centre = (k: number) => {
        let x = 0,
          y = 0;
        for (let i = k * 20; i < k * 20 + 20; i++) {
          x += h.xy[2 * i]!;
          y += h.xy[2 * i + 1]!;
        }
        return [x / 20, y / 20];
      };
      const spread = (k: number) => {
        const [cx, cy] = centre(k);
        let s = 0;
        for (let i = k * 20; i < k * 20 + 20; i++) s += Math.hypot(h.xy[2 * i]! - cx!, h.xy[2 * i + 1]! - cy!);
        return s / 20;
      };
      const [a, b] = [centre(0), centre(1)];
      expect(Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!), name).toBeGreaterThan(spread(0) + spread(1));
    }
  });

  test('projector: reads a TensorFlow-style folder (paths relative to its config)', async () => {
    await go('/projector');
    const option = page.getByLabel('Embedding').locator('option', { hasText: 'tf_proj' });
    await page.getByLabel('Embedding').selectOption((await option.getAttribute('value')) ?? '');
    await expect.poll(async () => (await hook(page))?.points, POLL).toBe(5);
    const res = await fetch(`${board.url}/api/projector/tensor?run=..&name=x`);
    expect(res.status).toBe(404); // outside the log directory: refused
  });

  test("projector: draws an embedding from a TensorFlow checkpoint (TensorFlow's tutorial layout)", async () => {
    await go('/projector');
    const option = page.getByLabel('Embedding').locator('option', { hasText: 'tf_ckpt' });
    await page.getByLabel('Embedding').selectOption((await option.getAttribute('value')) ?? '');
    await expect.poll(async () => (await hook(page))?.points, POLL).toBe(12);
    await page.getByLabel('Search labels').fill('^word_1[01]$');
    await expect.poll(() => page.getByTestId('search-count').textContent(), POLL).toBe('2 matches');
    expect((await hook(page))!.highlighted.sort((a, b) => a - b)).toEqual([10, 11]);
  });

  test('audio: a player per step with a step slider, serving the WAV', async () => {
    await go('/audio');
    const card = page.getByTestId('audio-card').first();
    await expect.poll(() => card.getByTestId('audio-step').textContent(), POLL).toBe('5');
    const src = await card.locator('audio').getAttribute('src');
    const wav = await fetch(`${board.url}${src}`);
    expect(wav.headers.get('content-type')).toBe('audio/wav');
    expect((await wav.arrayBuffer()).byteLength).toBe(44 + 2 * 8000);
    await card.getByRole('slider').fill('0');
    await expect.poll(() => card.getByTestId('audio-step').textContent(), POLL).toBe('0');
    expect(await card.locator('audio').getAttribute('src')).not.toBe(src);
    // The player can load the clip (duration from the WAV header).
    await expect.poll(() => card.locator('audio').evaluate((a: HTMLAudioElement) => a.duration), POLL).toBeCloseTo(1, 2);
    await page.screenshot({ path: join(ARTIFACTS, 'audio-light.png') });
  });

  test('custom scalars: the logged Multiline and Margin charts draw, ad-hoc charts live in the URL', async () => {
    await go('/custom-scalars');
    const series = (sel: string) =>
      page
        .locator(sel)
        .locator('[role="img"]')
        .first()
        .evaluate((el) =>
          (el as unknown as { __boardChart: { getOption(): { series: Array<{ name: string; data: number[][] }> } } }).__boardChart
            .getOption()
            .series.map((s) => ({ name: s.name, data: s.data })),
        );
    const multi = '[data-testid="custom-chart"][data-kind="Multiline"]';
    await page.locator(multi).locator('canvas').waitFor(POLL);
    const m = await series(multi);
    expect(m.map((s) => s.name).sort()).toEqual(
      ['loss/train', 'loss/val']
        .flatMap((t) => ['lr_0.01_seed_1', 'lr_0.01_seed_2', 'lr_0.1_seed_1', 'lr_0.1_seed_2'].map((r) => `${r} · ${t}`))
        .sort(),
    );
    expect(m.find((s) => s.name === 'lr_0.1_seed_2 · loss/val')!.data[3]).toEqual([3, 0.1 * 10 + 2 + 3 + 1]);
    const margin = '[data-testid="custom-chart"][data-kind="Margin"]';
    await page.locator(margin).locator('canvas').waitFor(POLL);
    expect((await series(margin)).length).toBe(12); // 4 runs x (value, lower, upper band)
    await page.getByLabel('Tags for a new chart').selectOption(['acc/hi', 'loss/train']);
    await page.getByLabel('New chart title').fill('mine');
    await page.getByRole('button', { name: 'Add chart' }).click();
    await expect.poll(() => page.url(), POLL).toContain('chart=mine');
    await page.reload();
    const mine = '[data-testid="custom-chart"][data-title="mine"]';
    await page.locator(mine).locator('canvas').waitFor(POLL);
    expect((await series(mine)).length).toBe(8);
    await page.screenshot({ path: join(ARTIFACTS, 'custom-scalars-light.png') });
  });

  test('run groups: mean with a min–max band per regex group; the export carries the group', async () => {
    await go(`/scalars?tagFilter=${encodeURIComponent('^loss/train$')}&smoothing=0&groupRe=${encodeURIComponent('lr_([\\d.]+)_seed')}`);
    const card = page.locator('[data-testid="scalar-card"][data-tag="loss/train"]');
    await card.locator('canvas').first().waitFor(POLL);
    const opt = () =>
      card.locator('[role="img"]').evaluate((el) =>
        (
          el as unknown as {
            __boardChart: { getOption(): { series: Array<{ id: string; data: Array<{ name: string; coords?: number[][] }> }> } };
          }
        ).__boardChart
          .getOption()
          .series.map((s) => ({ id: s.id, data: s.data })),
      );
    await expect.poll(async () => (await opt()).find((s) => s.id === 'bands')?.data.length, POLL).toBe(2);
    const means = (await opt()).find((s) => s.id === 'smoothed')!.data;
    const g01 = means.find((d) => d.name === '0.1')!.coords!;
    // seeds 1 and 2 of lr 0.1: 1+1+s and 1+2+s; mean 2.5 + s.
    expect(g01[4]).toEqual([4, 6.5]);
    await page.getByLabel('Group band').selectOption('std');
    await expect.poll(() => page.url(), POLL).toContain('band=std');
    const csv = await (
      await fetch(
        `${board.url}/api/export?format=csv&tags=${encodeURIComponent('^loss/train$')}&groupRegex=${encodeURIComponent('lr_([\\d.]+)_seed')}`,
      )
    ).text();
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('group,run,tag,step,wall_time,value');
    expect(lines.filter((l) => l.startsWith('0.01,lr_0.01_seed_')).length).toBe(20);
    const body = await fetch(`${board.url}/api/export`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ runs: ['lr_0.1_seed_1'], tags: ['loss/val'], format: 'json', group: { by: 'regex', pattern: 'seed_(\\d)' } }),
    });
    const rows = (await body.json()) as Array<{ group: string; run: string }>;
    expect(rows.length).toBe(10);
    expect(rows[0]).toMatchObject({ group: '1', run: 'lr_0.1_seed_1', tag: 'loss/val' });
    await page.screenshot({ path: join(ARTIFACTS, 'scalars-groups-light.png') });
  });

  test('images: an addVideo GIF is served as image/gif and animates in an img', async () => {
    await go(`/images`);
    const img = page.locator('[data-testid="image-card"][data-tag="clip"] img');
    await img.waitFor(POLL);
    const res = await fetch(`${board.url}${await img.getAttribute('src')}`);
    expect(res.headers.get('content-type')).toBe('image/gif');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(bytes.subarray(0, 6))).toBe('GIF89a');
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.naturalWidth), POLL).toBe(8);
  });

  test('scalar API for sweeps: POST bodies with thousands of runs, bounded GETs, same-origin only', async () => {
    const runs = Array.from({ length: 2000 }, (_, i) => `lr_0.1_seed_${i}`);
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${board.url}/api/scalars`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    // runs × maxPoints over the 2,000,000-point cap is refused, as for GET (finding 8 of issue 10).
    const over = await post({ runs, tag: 'loss/train', maxPoints: 1500 });
    expect(over.status).toBe(400);
    expect(((await over.json()) as { error: string }).error).toMatch(/2000 runs × 1500 points .* over the limit/);
    const ok = await post({ runs, tag: 'loss/train', maxPoints: 1000 });
    expect(ok.status).toBe(200);
    const j = (await ok.json()) as { series: Array<{ run: string; steps: number[] }>; maxPoints: number };
    expect(j.series.map((s) => s.run).sort()).toEqual(['lr_0.1_seed_1', 'lr_0.1_seed_2']);
    expect(j.maxPoints).toBe(200); // 2,000 runs share the 400,000-point response budget
    // Without maxPoints the server picks the budget's share.
    const auto = (await (await post({ runs, tag: 'loss/train' })).json()) as { maxPoints: number };
    expect(auto.maxPoints).toBe(200);
    expect((await post({ runs: [...runs, 'x'], tag: 'loss/train' })).status).toBe(400);
    expect((await post({ runs: ['a'], tag: 't' }, { origin: 'http://evil.example' })).status).toBe(403);
    const get = await fetch(
      `${board.url}/api/scalars?${new URLSearchParams([...Array.from({ length: 501 }, (_, i) => ['run', `r${i}`]), ['tag', 't']])}`,
    );
    expect(get.status).toBe(400);
  });

  test('dark-mode screenshots and no page errors', { timeout: 90_000 }, async () => {
    for (const [name, path] of [
      ['projector', '/projector'],
      ['audio', '/audio'],
      ['custom-scalars', '/custom-scalars'],
      ['scalars-groups', `/scalars?groupRe=${encodeURIComponent('lr_([\\d.]+)_seed')}&tagFilter=loss`],
    ] as const) {
      await go(`${path}${path.includes('?') ? '&' : '?'}theme=dark`);
      await page.waitForTimeout(2500);
      await page.screenshot({ path: join(ARTIFACTS, `${name}-dark.png`) });
    }
    expect(errors).toEqual([]);
  });
});
