// Store writer + query module over NormalizedValues inserted directly (no event files).
import { collectRows } from '../helpers/rows.ts';
import { describe, expect, test } from 'vitest';
import { openWriterDb } from '../../lib/store/schema.ts';
import { StoreWriter, type FileRecord } from '../../lib/store/writer.ts';
import { openQueries } from '../../lib/store/queries.ts';
import { CHUNK_POINTS } from '../../lib/store/scalar-chunk.ts';
import type { NormalizedValue, Step } from '../../lib/tfevents/types.ts';
import type { StoreChange } from '../../lib/store/types.ts';
import { tempDir } from '../ingest/helpers.ts';
import { join } from 'node:path';

function scalar(tag: string, step: Step, value: number, wallTime: number | null = 1000 + Number(step)): NormalizedValue {
  return { tag, step, wallTime, kind: 'scalar', plugin: null, data: { kind: 'scalar', value } };
}

function setup() {
  const db = openWriterDb(':memory:');
  const w = new StoreWriter(db);
  const q = openQueries(db);
  const changes: StoreChange[] = [];
  w.onChange((c) => changes.push(c));
  let fileNo = 0;
  const file = (run: string) => w.ensureFile(run, `/logs/${run}/events.out.tfevents.${fileNo++}`, `${run}/events.out.tfevents.${fileNo}`);
  const put = (f: FileRecord, values: NormalizedValue[], offset = f.offset + 100) => {
    w.begin();
    for (const v of values) w.addValue(f, v);
    w.commit(f, {
      offset,
      size: offset,
      mtime: 1,
      ino: 1,
      headLen: 0,
      headCrc: 0,
      records: f.records + values.length,
      events: f.events + values.length,
      corrupt: 0,
    });
  };
  return { db, w, q, changes, file, put };
}

test('scalars round-trip in step order across chunks, with tag summaries', async () => {
  const { q, file, put } = setup();
  const f = file('train');
  const n = CHUNK_POINTS * 2 + 17;
  // Several commits, each continuing the partly filled tail chunk.
  for (let start = 0; start < n; start += 700) {
    const vs: NormalizedValue[] = [];
    for (let s = start; s < Math.min(n, start + 700); s++) vs.push(scalar('loss', s, 1 / (s + 1)));
    put(f, vs);
  }
  const [series] = await q.scalars(['train'], 'loss', { maxPoints: 1e9 });
  expect(series!.total).toBe(n);
  expect(series!.points.map((p) => p.step)).toEqual(Array.from({ length: n }, (_, i) => i));
  expect(series!.points[10]!.value).toBe(1 / 11); // not a float32: stored as f64, exactly
  expect(series!.points[10]!.wallTime).toBe(1010);
  const tags = await q.listTags('train');
  expect(tags).toMatchObject([{ run: 'train', tag: 'loss', kind: 'scalar', count: n, minStep: 0, maxStep: n - 1 }]);
  expect(await q.listRuns()).toMatchObject([{ name: 'train', tagCount: 1, firstWallTime: 1000, lastWallTime: 1000 + n - 1 }]);
});

test("downsampling keeps every bucket's first, min, max and last point (spikes survive)", async () => {
  const { q, file, put } = setup();
  const f = file('r');
  const vs: NormalizedValue[] = [];
  for (let s = 0; s < 100_000; s++)
    vs.push(scalar('x', s, s === 54_321 ? 1e6 : s === 77_777 ? -1e6 : s === 88_888 ? NaN : Math.sin(s / 1000)));
  put(f, vs);
  const [series] = await q.scalars(['r'], 'x', { maxPoints: 100 });
  expect(series!.downsampled).toBe(true);
  expect(series!.total).toBe(100_000);
  expect(series!.points.length).toBeLessThanOrEqual(500);
  expect(series!.points.length).toBeGreaterThan(100);
  const steps = series!.points.map((p) => p.step);
  expect(steps).toEqual([...steps].sort((a, b) => a - b));
  expect(steps[0]).toBe(0);
  expect(steps[steps.length - 1]).toBe(99_999);
  expect(series!.points.find((p) => p.step === 54_321)?.value).toBe(1e6);
  expect(series!.points.find((p) => p.step === 77_777)?.value).toBe(-1e6);
  expect(Number.isNaN(series!.points.find((p) => p.step === 88_888)?.value)).toBe(true);
});

test('both downsampling paths (per-point buckets and per-chunk marks) agree on what must survive', async () => {
  const { q, file, put } = setup();
  const f = file('r');
  const n = 300_000;
  const spikes = new Map([
    [1234, 50],
    [150_001, -50],
    [299_998, 77],
  ]);
  const vs: NormalizedValue[] = [];
  for (let s = 0; s < n; s++) vs.push(scalar('x', s, spikes.get(s) ?? Math.cos(s / 5000)));
  put(f, vs);
  for (const maxPoints of [3000 /* 100 points per bucket: decoded */, 200 /* 1500 per bucket: marks */]) {
    for (const [lo, hi] of [
      [undefined, undefined],
      [1000, 299_999],
      [777, 150_001],
    ] as const) {
      const q2: { maxPoints: number; minStep?: number; maxStep?: number } = { maxPoints };
      if (lo !== undefined) q2.minStep = lo;
      if (hi !== undefined) q2.maxStep = hi;
      const [s] = await q.scalars(['r'], 'x', q2);
      const from = lo ?? 0,
        to = hi ?? n - 1;
      expect(s!.total).toBe(to - from + 1);
      expect(s!.downsampled).toBe(true);
      const steps = s!.points.map((p) => p.step);
      expect(steps[0]).toBe(from);
      expect(steps.at(-1)).toBe(to);
      expect(steps.every((x, i) => i === 0 || x > steps[i - 1]!)).toBe(true);
      expect(s!.points.length).toBeLessThanOrEqual(4 * maxPoints);
      for (const [step, v] of spikes)
        if (step >= from && step <= to) expect(s!.points.find((p) => p.step === step)?.value, `${maxPoints} ${step}`).toBe(v);
    }
  }
});

test('minStep / maxStep restrict the range; missing runs are left out', async () => {
  const { q, file, put } = setup();
  put(
    file('a'),
    Array.from({ length: 5000 }, (_, s) => scalar('t', s, s)),
  );
  const [s] = await q.scalars(['a', 'nope'], 't', { minStep: 1500, maxStep: 3499, maxPoints: 10_000 });
  expect((await q.scalars(['a', 'nope'], 't')).length).toBe(1);
  expect(s!.total).toBe(2000);
  expect(s!.points[0]!.step).toBe(1500);
  expect(s!.points.at(-1)!.step).toBe(3499);
});

test('points from a restarted run (steps going back) come out sorted by step, nothing dropped', async () => {
  const { q, file, put } = setup();
  const f1 = file('r'),
    f2 = file('r');
  put(
    f1,
    Array.from({ length: 300 }, (_, s) => scalar('t', s, 1)),
  );
  put(
    f2,
    Array.from({ length: 300 }, (_, s) => scalar('t', 150 + s, 2)),
  );
  const [s] = await q.scalars(['r'], 't', { maxPoints: 10_000 });
  expect(s!.total).toBe(600);
  const steps = s!.points.map((p) => p.step);
  expect(steps).toEqual([...steps].sort((a, b) => a - b));
  // Equal steps keep file order.
  expect(s!.points.filter((p) => p.step === 200).map((p) => p.value)).toEqual([1, 2]);
  expect((await collectRows(q.exportScalars({}))).length).toBe(600);
});

test('steps past 2^53 survive as exact strings in tag summaries and exports', async () => {
  const { q, file, put } = setup();
  const big = 2n ** 60n + 3n;
  put(file('big'), [scalar('t', 1, 0.5), scalar('t', big, 1.5)]);
  expect((await q.listTags('big'))[0]).toMatchObject({ minStep: 1, maxStep: big.toString() });
  const rows = await collectRows(q.exportScalars({}));
  expect(rows.map((r) => r.step)).toEqual([1, big.toString()]);
});

test('export filters by run and tag regex and streams non-finite values', async () => {
  const { q, file, put } = setup();
  put(file('train'), [scalar('loss', 0, Infinity), scalar('acc', 0, 1)]);
  put(file('eval'), [scalar('loss', 0, -Infinity, null), scalar('loss', 1, NaN, null)]);
  const rows = await collectRows(q.exportScalars({ runs: /^eval$/, tags: /loss/ }));
  expect(rows).toHaveLength(2);
  expect(rows[0]).toMatchObject({ run: 'eval', tag: 'loss', step: 0, wallTime: null, value: -Infinity });
  expect(Number.isNaN(rows[1]!.value)).toBe(true);
  expect((await collectRows(q.exportScalars({ tags: /^acc$/ }))).map((r) => r.run)).toEqual(['train']);
});

test('images, histograms, text, pr curves and blobs', async () => {
  const { q, file, put } = setup();
  const f = file('m');
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
  put(f, [
    {
      tag: 'img',
      step: 3,
      wallTime: 5,
      kind: 'image',
      plugin: 'images',
      data: {
        kind: 'image',
        images: [
          { width: 2, height: 1, colorspace: 3, encoded: png },
          { width: 2, height: 1, colorspace: 3, encoded: png },
        ],
      },
    },
    {
      tag: 'img',
      step: 7,
      wallTime: 6,
      kind: 'image',
      plugin: 'images',
      data: { kind: 'image', images: [{ width: 4, height: 4, colorspace: 3, encoded: png }] },
    },
    {
      tag: 'h',
      step: 1,
      wallTime: 2,
      kind: 'histogram',
      plugin: null,
      data: {
        kind: 'histogram',
        min: 0,
        max: 2,
        num: 3,
        sum: 3,
        sumSquares: 5,
        left: Float64Array.of(0, 1),
        right: Float64Array.of(1, 2),
        counts: Float64Array.of(1, 2),
      },
    },
    { tag: 'note', step: 0, wallTime: null, kind: 'text', plugin: 'text', data: { kind: 'text', texts: ['**hi**'], shape: [] } },
    {
      tag: 'pr',
      step: 2,
      wallTime: 1,
      kind: 'pr_curve',
      plugin: 'pr_curves',
      data: {
        kind: 'pr_curve',
        tp: Float64Array.of(3, 1, 0),
        fp: Float64Array.of(2, 1, 0),
        tn: Float64Array.of(0, 1, 2),
        fn: Float64Array.of(0, 2, 3),
        precision: Float64Array.of(0.6, 0.5, 0),
        recall: Float64Array.of(1, 0.33, 0),
        numThresholds: 3,
      },
    },
  ]);
  const im = await q.images('m', 'img');
  expect(im.steps).toEqual([3, 7]);
  expect(im.images.map((i) => [i.step, i.index, i.width, i.contentType])).toEqual([
    [3, 0, 2, 'image/png'],
    [3, 1, 2, 'image/png'],
    [7, 0, 4, 'image/png'],
  ]);
  expect((await q.images('m', 'img', 7)).images).toHaveLength(1);
  const blob = (await q.blob(im.images[0]!.blobId))!;
  expect(Array.from(blob.bytes)).toEqual(Array.from(png));
  expect(blob.etag).toMatch(/^[0-9a-f]+-[0-9a-f]+$/);
  expect(await q.blob(999_999)).toBeNull();
  expect(await q.histograms('m', 'h')).toEqual([
    {
      step: 1,
      wallTime: 2,
      min: 0,
      max: 2,
      num: 3,
      sum: 3,
      sumSquares: 5,
      buckets: [
        { left: 0, right: 1, count: 1 },
        { left: 1, right: 2, count: 2 },
      ],
    },
  ]);
  expect(await q.text('m', 'note')).toEqual([{ step: 0, wallTime: null, text: '**hi**' }]);
  const [pr] = await q.prCurves('m', 'pr');
  expect(pr).toMatchObject({ step: 2, tp: [3, 1, 0], recall: [1, 0.33, 0], thresholds: [0, 0.5, 1] });
  expect((await q.listTags('m')).map((t) => `${t.tag}:${t.kind}:${t.count}`)).toEqual([
    'h:histogram:1',
    'img:image:2',
    'note:text:1',
    'pr:pr_curve:1',
  ]);
});

test("hparams: experiment infos, session hparams and metric values from the run's scalars", async () => {
  const { q, file, put } = setup();
  const f = file('exp/1');
  put(f, [
    {
      tag: '_hparams_/experiment',
      step: 0,
      wallTime: 10,
      kind: 'hparams',
      plugin: 'hparams',
      data: {
        kind: 'hparams',
        part: 'experiment',
        payload: { experiment: { hparamInfos: [{ name: 'lr', type: 3 }], metricInfos: [{ name: { tag: 'hparam/acc' } }] } },
      },
    },
    {
      tag: '_hparams_/session_start_info',
      step: 0,
      wallTime: 10,
      kind: 'hparams',
      plugin: 'hparams',
      data: {
        kind: 'hparams',
        part: 'session_start',
        payload: { sessionStartInfo: { hparams: { lr: { numberValue: 0.1 }, opt: { stringValue: 'sgd' } }, startTimeSecs: 9 } },
      },
    },
    {
      tag: '_hparams_/session_end_info',
      step: 0,
      wallTime: 12,
      kind: 'hparams',
      plugin: 'hparams',
      data: { kind: 'hparams', part: 'session_end', payload: { sessionEndInfo: { status: 1, endTimeSecs: 0 } } },
    },
    scalar('hparam/acc', 0, 0.75),
  ]);
  const h = await q.hparams();
  expect(h.hparamInfos).toEqual([{ name: 'lr', type: 'DATA_TYPE_FLOAT64', domain: undefined }]);
  expect(h.metricInfos).toEqual([{ tag: 'hparam/acc', group: undefined, displayName: undefined }]);
  expect(h.sessions).toEqual([
    {
      run: 'exp/1',
      hparams: { lr: 0.1, opt: 'sgd' },
      metrics: { 'hparam/acc': 0.75 },
      status: 'STATUS_SUCCESS',
      startTime: 9,
      endTime: 12,
    },
  ]);
});

test('change feed: run-added, then one data change per tag per commit with its max step', async () => {
  const { changes, file, put } = setup();
  const f = file('run');
  put(f, [scalar('a', 1, 0), scalar('a', 5, 0), scalar('b', 2, 0)]);
  expect(changes).toEqual([
    { type: 'run-added', run: 'run' },
    { type: 'data', run: 'run', tag: 'a', kind: 'scalar', maxStep: 5 },
    { type: 'data', run: 'run', tag: 'b', kind: 'scalar', maxStep: 2 },
  ]);
});

test('rollback leaves no partial data and the writer keeps working', async () => {
  const { w, q, file, put } = setup();
  const f = file('r');
  put(f, [scalar('t', 0, 1)]);
  w.begin();
  w.addValue(f, scalar('t', 1, 2));
  w.addValue(f, scalar('u', 1, 2));
  w.rollback();
  expect((await q.scalars(['r'], 't'))[0]!.total).toBe(1);
  expect((await q.listTags('r')).map((t) => t.tag)).toEqual(['t']);
  put(f, [scalar('t', 2, 3)]);
  expect((await q.scalars(['r'], 't'))[0]!.points.map((p) => p.step)).toEqual([0, 2]);
});

test('resetting a file drops the graph and hparams tags it alone held', async () => {
  const { w, q, file, put } = setup();
  const a = file('r'),
    b = file('r');
  put(a, [
    { tag: '__graph__', step: 0, wallTime: 1, kind: 'graph', plugin: 'graphs', data: { kind: 'graph', graphDef: new Uint8Array(0) } },
    {
      tag: '_hparams_/experiment',
      step: 0,
      wallTime: 1,
      kind: 'hparams',
      plugin: 'hparams',
      data: { kind: 'hparams', part: 'experiment', payload: {} },
    },
  ]);
  put(b, [scalar('t', 0, 1)]);
  expect((await q.listTags('r')).map((t) => t.tag)).toEqual(['__graph__', '_hparams_/experiment', 't']);
  w.resetFile(a);
  expect((await q.listTags('r')).map((t) => t.tag)).toEqual(['t']);
  expect(await q.graph('r')).toEqual([]);
});

test('resetFile and removeRun delete exactly that data', async () => {
  const { w, q, file, put } = setup();
  const a = file('r'),
    b = file('r'),
    c = file('other');
  put(a, [scalar('t', 0, 1), scalar('t', 1, 1)]);
  put(b, [scalar('t', 2, 2)]);
  put(c, [scalar('t', 0, 3)]);
  w.resetFile(a);
  expect((await q.scalars(['r'], 't'))[0]!.points.map((p) => p.step)).toEqual([2]);
  expect((await q.listTags('r'))[0]).toMatchObject({ count: 1, minStep: 2, maxStep: 2 });
  expect(w.removeRun('r')).toBe(true);
  expect((await q.listRuns()).map((r) => r.name)).toEqual(['other']);
  expect((await q.scalars(['other'], 't'))[0]!.total).toBe(1);
});

describe('file database', () => {
  test('a read-only connection sees committed data; data survives reopening', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'store.sqlite');
      const db = openWriterDb(path);
      const w = new StoreWriter(db);
      const f = w.ensureFile('r', '/x/events.out.tfevents.1', 'events.out.tfevents.1');
      w.begin();
      for (let s = 0; s < 2000; s++) w.addValue(f, scalar('t', s, s));
      w.commit(f, { offset: 10, size: 10, mtime: 1, ino: 1, headLen: 0, headCrc: 0, records: 1, events: 1, corrupt: 0 });
      const reader = openQueries(path);
      expect((await reader.scalars(['r'], 't', { maxPoints: 1e6 }))[0]!.total).toBe(2000);
      reader.close();
      db.close();
      const again = openQueries(path);
      expect((await again.listTags())[0]!.count).toBe(2000);
      again.close();
    } finally {
      cleanup();
    }
  });
});
