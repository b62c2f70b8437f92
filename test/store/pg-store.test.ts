// The PostgreSQL store against a real server (Debian's postgresql, started by test/helpers/pg-server.ts):
// every query answers exactly as the SQLite store does for the same logdir; live append, truncation,
// replacement, deletion and corruption behave alike; two ingesters sharing a database never store a
// file twice; and the LISTEN/NOTIFY change feed reaches a reader on another connection.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { SummaryWriter } from '../../lib/tfevents/writer.ts';
import { startIngest } from '../../lib/ingest/index.ts';
import { openPgReadStore } from '../../lib/store/pg/index.ts';
import type { StoreChange, StoreQueries } from '../../lib/store/types.ts';
import { collectRows } from '../helpers/rows.ts';
import { pgUnavailable, startTestPg, type TestPg } from '../helpers/pg-server.ts';
import { appendEvents, concat, fileVersionRecord, scalarRecord, scalarRecords, tempDir, waitFor, writeEvents } from '../ingest/helpers.ts';

const why = pgUnavailable();
if (why) console.log(`skipping PostgreSQL store tests: ${why}`);

describe.skipIf(why !== null)('PostgreSQL store', () => {
  let server: TestPg;
  const cleanups: Array<() => void | Promise<void>> = [];
  beforeAll(async () => {
    server = await startTestPg();
  }, 120_000);
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    await server?.stop();
  });
  const logdir = () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    return t.dir;
  };
  const ingest = async (opts: Parameters<typeof startIngest>[0]) => {
    const ing = await startIngest({ watch: false, ...opts });
    cleanups.push(() => ing.close());
    await ing.initialScan;
    return ing;
  };

  /** Everything the web app can ask, for comparing two stores. */
  async function everything(q: StoreQueries) {
    const runs = await q.listRuns();
    const tags = await q.listTags();
    const perTag = [];
    for (const t of tags) {
      if (t.kind === 'scalar') {
        perTag.push(await q.scalars([t.run], t.tag, { maxPoints: 1e9 }));
        perTag.push(await q.scalars([t.run], t.tag, { maxPoints: 7 }));
        perTag.push(await q.scalars([t.run], t.tag, { maxPoints: 50, minStep: 100.5, maxStep: 3000 }));
      } else if (t.kind === 'histogram') perTag.push(await q.histograms(t.run, t.tag));
      else if (t.kind === 'image') {
        const s = await q.images(t.run, t.tag);
        perTag.push(s, await Promise.all(s.images.map(async (i) => Buffer.from((await q.blob(i.blobId))!.bytes).toString('base64'))));
      } else if (t.kind === 'text') perTag.push(await q.text(t.run, t.tag));
      else if (t.kind === 'pr_curve') perTag.push(await q.prCurves(t.run, t.tag));
    }
    const graphs = await Promise.all(runs.map((r) => q.graph(r.name)));
    return {
      runs: runs.map((r) => ({ ...r })),
      tags,
      perTag,
      graphs,
      hparams: await q.hparams(),
      warnings: (await q.warnings()).map((w) => ({ ...w, time: 0 })),
      rows: await collectRows(q.exportScalars({})),
    };
  }

  test('answers every query exactly as the SQLite store (scalars at full and bucketed resolution, media, warnings, export)', async () => {
    const dir = logdir();
    const w = new SummaryWriter(join(dir, 'train'), { flushSecs: 0 });
    for (let s = 0; s < 5000; s++) w.addScalar('loss', Math.sin(s / 50) + (s === 1234 ? 40 : 0), s, 1.7e9 + s);
    for (let s = 0; s < 300; s++) w.addScalar('acc', s % 17 === 0 ? NaN : s / 300, s, 1.7e9 + s);
    for (let s = 0; s < 5; s++) {
      w.addHistogram(
        'weights',
        Array.from({ length: 200 }, (_, i) => Math.sin(i * (s + 1))),
        s,
      );
      w.addText('notes', `step **${s}**`, s);
      w.addPrCurve('pr', [0, 1, 1, 0, 1], [0.1, 0.9, 0.6, 0.4, 0.8], s);
    }
    w.addImage('img', { shape: [3, 4, 5], data: Float32Array.from({ length: 60 }, (_, i) => (i % 7) / 7) }, 0);
    w.addHparams({ lr: 0.1, opt: 'adam' }, { 'hparam/acc': 0.9 });
    w.close();
    // A restarted run: steps go back (chunks overlap), and a second file.
    const w2 = new SummaryWriter(join(dir, 'train'), { flushSecs: 0, filenameSuffix: '.b' });
    for (let s = 2000; s < 2600; s++) w2.addScalar('loss', -s, s, 1.8e9 + s);
    w2.close();
    // A corrupt record between good ones.
    const bad = scalarRecord(5, { t: 5 }).slice();
    bad[bad.length - 6]! ^= 0xff;
    writeEvents(
      join(dir, 'eval/events.out.tfevents.1'),
      fileVersionRecord(),
      scalarRecords(0, 5, ['t']),
      bad,
      scalarRecords(6, 2000, ['t']),
    );

    const lite = await ingest({ logdir: dir, db: ':memory:' });
    const pgIng = await ingest({ logdir: dir, db: server.url });
    const a = await everything(lite.queries),
      b = await everything(pgIng.queries);
    // loss 5000 + 600 (second file), acc 300, the hparams metric 1, eval t 5 + 1994 around the corrupt record.
    expect(b.rows.length).toBe(5000 + 600 + 300 + 1 + 1999);
    expect(b.warnings.length).toBe(1);
    expect(b).toEqual(a);
  }, 120_000);

  // The same live sequence on both stores, with exact counts at every stage.
  test.each(['sqlite', 'postgres'])(
    '%s live: appends, a half-written record, corruption, truncation and deletion',
    async (store) => {
      const dir = logdir();
      const file = join(dir, 'a/events.out.tfevents.1');
      writeEvents(file, fileVersionRecord(), scalarRecords(0, 10, ['t']));
      const db = store === 'postgres' ? await server.newDatabase() : ':memory:';
      const ing = await startIngest({ logdir: dir, db, pollIntervalMs: 50 });
      cleanups.push(() => ing.close());
      await ing.initialScan;
      const count = async () => (await ing.queries.scalars(['a'], 't', { maxPoints: 1e9 }))[0]?.total ?? 0;
      expect(await count()).toBe(10);
      // Appended in two pieces: the half-written record waits for its second half.
      const more = scalarRecords(10, 20, ['t']);
      appendEvents(file, more.subarray(0, more.length - 7));
      await waitFor(async () => (await count()) === 19, 5000, 'append (complete records)');
      appendEvents(file, more.subarray(more.length - 7));
      await waitFor(async () => (await count()) === 20, 5000, 'append (the rest)');
      // A corrupt record appended between good ones: skipped, one warning naming file and offset.
      const bad = scalarRecord(20, { t: 20 }).slice();
      bad[bad.length - 6]! ^= 0xff;
      const badOffset = statSync(file).size;
      appendEvents(file, concat(bad, scalarRecords(21, 30, ['t'])));
      await waitFor(async () => (await count()) === 29, 5000, 'append after a corrupt record');
      const warnings = await ing.queries.warnings();
      expect(warnings.map((w) => [w.run, w.file, w.offset])).toEqual([['a', expect.stringContaining('events.out.tfevents.1'), badOffset]]);
      expect((await ing.queries.scalars(['a'], 't', { maxPoints: 1e9 }))[0]!.points.map((p) => p.step)).toEqual([
        ...Array.from({ length: 20 }, (_, i) => i),
        ...Array.from({ length: 9 }, (_, i) => 21 + i),
      ]);
      // Truncated to 4 records: the file is read again from the start, nothing counted twice.
      writeEvents(file, fileVersionRecord(), scalarRecords(100, 104, ['t']));
      await waitFor(async () => (await count()) === 4, 5000, 'truncation');
      expect((await ing.queries.scalars(['a'], 't'))[0]!.points.map((p) => p.step)).toEqual([100, 101, 102, 103]);
      unlinkSync(file);
      await waitFor(async () => (await ing.queries.listRuns()).length === 0, 5000, 'deletion');
    },
    60_000,
  );

  test('two ingesters on one database: each owns its files (advisory locks), counts are exact, and the change feed crosses connections', async () => {
    const url = await server.newDatabase();
    const dirA = logdir(),
      dirB = logdir();
    writeEvents(join(dirA, 'shared/events.out.tfevents.1'), fileVersionRecord(), scalarRecords(0, 3000, ['x', 'y']));
    writeEvents(join(dirB, 'other/events.out.tfevents.1'), fileVersionRecord(), scalarRecords(0, 100, ['x']));
    const reader = await openPgReadStore(url);
    cleanups.push(() => reader.close());
    const seen: StoreChange[] = [];
    reader.onChange((c) => seen.push(c));
    // Two ingesters on the SAME logdir race for its files, plus one on another logdir.
    const [i1, i2, i3] = await Promise.all([
      startIngest({ logdir: dirA, db: url, pollIntervalMs: 50 }),
      startIngest({ logdir: dirA, db: url, pollIntervalMs: 50 }),
      startIngest({ logdir: dirB, db: url, pollIntervalMs: 50 }),
    ]);
    cleanups.push(
      () => i1.close(),
      () => i2.close(),
      () => i3.close(),
    );
    await Promise.all([i1.initialScan, i2.initialScan, i3.initialScan]);
    const total = async (run: string, tag: string) => (await reader.queries.scalars([run], tag, { maxPoints: 1e9 }))[0]?.total ?? 0;
    expect(await total('shared', 'x')).toBe(3000);
    expect(await total('shared', 'y')).toBe(3000);
    expect(await total('other', 'x')).toBe(100);
    // Live appends while both race: still exactly once.
    for (let k = 0; k < 5; k++)
      appendEvents(join(dirA, 'shared/events.out.tfevents.1'), scalarRecords(3000 + k * 10, 3010 + k * 10, ['x', 'y']));
    await waitFor(async () => (await total('shared', 'x')) === 3050, 5000, 'appends');
    await new Promise((r) => setTimeout(r, 300));
    expect(await total('shared', 'x')).toBe(3050);
    const pts = (await reader.queries.scalars(['shared'], 'y', { maxPoints: 1e9 }))[0]!.points.map((p) => p.step);
    expect(pts).toEqual(Array.from({ length: 3050 }, (_, i) => i));
    expect((await reader.queries.listTags('shared')).map((t) => t.count)).toEqual([3050, 3050]);
    await waitFor(
      () => seen.some((c) => c.type === 'data' && c.run === 'shared' && c.tag === 'x' && c.maxStep === 3049),
      3000,
      'change feed',
    );
    expect(seen.some((c) => c.type === 'run-added' && c.run === 'other')).toBe(true);
  }, 60_000);

  test('the schema is versioned: a second start finds it current; a newer database is refused', async () => {
    const url = await server.newDatabase();
    const r1 = await openPgReadStore(url, { listen: false });
    await r1.close();
    const r2 = await openPgReadStore(url, { listen: false });
    await r2.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      expect((await c.query('SELECT version FROM board_schema ORDER BY version')).rows.map((r) => r.version)).toEqual([1]);
      await c.query('INSERT INTO board_schema(version, applied) VALUES (99, 0)');
    } finally {
      await c.end();
    }
    await expect(openPgReadStore(url, { listen: false })).rejects.toThrow(/schema version 99, newer than this board/);
  });

  test('a database that cannot be reached is a clear error naming it (password hidden)', async () => {
    await expect(startIngest({ logdir: logdir(), db: 'postgres://u:secret@127.0.0.1:1/nope' })).rejects.toThrow(
      /cannot connect to postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/nope/,
    );
  });
});
