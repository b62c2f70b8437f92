// s3:// log directories against a real S3-compatible server (s3rver on loopback) through the
// official AWS SDK: initial ingest, live tailing while a writer uploads new parts, a half-written
// last record that waits, a rewritten object re-read without duplicates, an unchanged logdir
// that costs list requests only (no GET); and the commands end to end on s3:// logdirs: `board
// export`, `board inspect`, and `board ingest --once` with s3:// entries in --logdir_spec (SQLite
// and PostgreSQL stores).
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { startIngest, type Ingester } from '../../lib/ingest/index.ts';
import { s3Requests } from '../../lib/sources/s3.ts';
import { startTestS3, type TestS3 } from '../helpers/s3-server.ts';
import { pgUnavailable, startTestPg, type TestPg } from '../helpers/pg-server.ts';
import { runBoard } from '../e2e/helpers/board-process.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Inspection } from '../../lib/tfevents/inspect.ts';
import { concat, fileVersionRecord, scalarRecords, tempDir, waitFor, writeEvents } from './helpers.ts';

let s3: TestS3;
const open: Ingester[] = [];
beforeAll(async () => {
  s3 = await startTestS3();
  await s3.createBucket('logs');
}, 60_000);
afterAll(async () => {
  for (const i of open) await i.close();
  await s3?.stop();
});

async function live(logdir: string, pollMs = 100): Promise<Ingester> {
  const ing = await startIngest({ logdir, db: ':memory:', pollIntervalMs: pollMs });
  open.push(ing);
  await ing.initialScan;
  return ing;
}
const steps = async (ing: Ingester, run: string, tag: string) =>
  (await ing.queries.scalars([run], tag, { maxPoints: 1e9 }))[0]?.points.map((p) => p.step) ?? [];
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

test('tails an s3:// logdir live while a writer uploads new parts; unchanged polls make no GET', async () => {
  // A run whose event file grows (each upload is the whole object, as an uploader does), and a nested run.
  let a = concat(fileVersionRecord(), scalarRecords(0, 500, ['loss', 'acc']));
  await s3.put('logs', 'exp1/train/events.out.tfevents.1', a);
  await s3.put('logs', 'exp1/eval/sub/events.out.tfevents.1', concat(fileVersionRecord(), scalarRecords(0, 20, ['acc'])));
  await s3.put('logs', 'other/events.out.tfevents.1', concat(fileVersionRecord(), scalarRecords(0, 5, ['x']))); // outside the prefix
  const ing = await live('s3://logs/exp1');
  expect((await ing.queries.listRuns()).map((r) => r.name)).toEqual(['eval/sub', 'train']);
  expect(await steps(ing, 'train', 'loss')).toEqual(range(0, 500));

  // Unchanged: several polls, list requests only.
  const gets0 = s3Requests.get,
    lists0 = s3Requests.list;
  await new Promise((r) => setTimeout(r, 600));
  expect(s3Requests.list).toBeGreaterThan(lists0 + 2);
  expect(s3Requests.get).toBe(gets0);

  // New parts: appended records; the last one half-written, then completed.
  for (let part = 1; part <= 4; part++) {
    a = concat(a, scalarRecords(part * 500, part * 500 + 500, ['loss', 'acc']));
    await s3.put('logs', 'exp1/train/events.out.tfevents.1', a);
    await waitFor(async () => (await steps(ing, 'train', 'loss')).length === (part + 1) * 500, 20_000, `part ${part}`);
  }
  const tail = scalarRecords(2500, 2510, ['loss']);
  a = concat(a, tail.subarray(0, tail.length - 9));
  await s3.put('logs', 'exp1/train/events.out.tfevents.1', a);
  await waitFor(async () => (await steps(ing, 'train', 'loss')).length === 2509, 5000, 'complete records of a half-written part');
  await new Promise((r) => setTimeout(r, 400));
  expect((await steps(ing, 'train', 'loss')).length).toBe(2509);
  a = concat(a, tail.subarray(tail.length - 9));
  await s3.put('logs', 'exp1/train/events.out.tfevents.1', a);
  await waitFor(async () => (await steps(ing, 'train', 'loss')).length === 2510, 5000, 'the rest of the record');
  expect(await steps(ing, 'train', 'loss')).toEqual(range(0, 2510));
  expect(await steps(ing, 'train', 'acc')).toEqual(range(0, 2500));
  expect(await ing.queries.warnings()).toEqual([]);
});

test('without --reload_interval an s3:// logdir is polled every 5 s, as TensorBoard reloads', async () => {
  // The request counters are global: stop the earlier tests' fast-polling ingesters first.
  for (const i of open.splice(0)) await i.close();
  await s3.put('logs', 'default-poll/run/events.out.tfevents.1', concat(fileVersionRecord(), scalarRecords(0, 3, ['x'])));
  const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
  try {
    const ing = await startIngest({ logdir: 's3://logs/default-poll', db: ':memory:' });
    open.push(ing);
    await ing.initialScan;
    expect(setIntervalSpy.mock.calls.map((c) => c[1])).toContain(5000);
    // No faster timer lists the bucket in between: one second brings no ListObjectsV2.
    const lists0 = s3Requests.list;
    await new Promise((r) => setTimeout(r, 1000));
    expect(s3Requests.list).toBe(lists0);
  } finally {
    setIntervalSpy.mockRestore();
  }
});

test('an object rewritten with other content of the same size is re-read without duplicates', async () => {
  await s3.put('logs', 'exp2/r/events.out.tfevents.1', concat(fileVersionRecord(), scalarRecords(0, 100, ['t'])));
  const ing = await live('s3://logs/exp2');
  expect(await steps(ing, 'r', 't')).toEqual(range(0, 100));
  // Same length, other steps: the ETag changes while the size does not grow.
  await s3.put('logs', 'exp2/r/events.out.tfevents.1', concat(fileVersionRecord(), scalarRecords(1000, 1100, ['t'])));
  await waitFor(async () => (await steps(ing, 'r', 't'))[0] === 1000, 20_000, 'rewrite');
  expect(await steps(ing, 'r', 't')).toEqual(range(1000, 1100));
});

test('board export reads an s3:// logdir (credentials and endpoint from the standard AWS environment)', async () => {
  await s3.put('logs', 'exp3/run/events.out.tfevents.1', concat(fileVersionRecord(), scalarRecords(0, 3, ['loss'])));
  const r = await runBoard(['export', '--logdir', 's3://logs/exp3', '--db', ':memory:', '--format', 'csv']);
  expect(r.stderr).not.toMatch(/board export:/);
  expect(r.code).toBe(0);
  expect(r.stdout.trim().split('\n')).toEqual([
    'run,tag,step,wall_time,value',
    ...range(0, 3).map((s) => expect.stringMatching(new RegExp(`^run,loss,${s},`))),
  ]);
  const bad = await runBoard(['export', '--logdir', 's3://no-such-bucket/x', '--db', ':memory:']);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/s3:\/\/no-such-bucket\/x: listing failed: NoSuchBucket/);
});

test('board inspect s3://BUCKET/PREFIX gives the report of the same files on local disk (corruption, incomplete tail)', async () => {
  const bad = scalarRecords(50, 51, ['loss']).slice();
  bad[bad.length - 6]! ^= 0xff; // a CRC failure in the middle of the file
  const tail = scalarRecords(100, 101, ['loss']);
  const files: Record<string, Uint8Array> = {
    'train/events.out.tfevents.1': concat(
      fileVersionRecord(),
      scalarRecords(0, 50, ['loss', 'acc']),
      bad,
      scalarRecords(51, 100, ['loss']),
    ),
    'train/events.out.tfevents.2': concat(fileVersionRecord(), scalarRecords(100, 120, ['loss']), tail.subarray(0, tail.length - 5)),
    'eval/sub/events.out.tfevents.1': concat(fileVersionRecord(), scalarRecords(0, 7, ['acc'])),
    'notes.txt': Buffer.from('not an event file'),
  };
  const { dir, cleanup } = tempDir();
  try {
    for (const [key, body] of Object.entries(files)) {
      await s3.put('logs', `exp4/${key}`, body);
      mkdirSync(dirname(join(dir, key)), { recursive: true });
      writeFileSync(join(dir, key), body);
    }
    const remote = await runBoard(['inspect', 's3://logs/exp4', '--json']);
    const local = await runBoard(['inspect', dir, '--json']);
    expect(remote.stderr).toBe('');
    expect(remote.code).toBe(1); // corrupt records found, as for the local directory
    expect(local.code).toBe(1);
    const r = JSON.parse(remote.stdout) as Inspection,
      l = JSON.parse(local.stdout) as Inspection;
    // File names differ (URLs vs paths); everything else is identical.
    const unpath = (i: Inspection, root: string) =>
      JSON.parse(JSON.stringify(i).replaceAll(root, 'ROOT').replaceAll('s3://logs/exp4', 'ROOT')) as Inspection;
    expect(unpath(r, dir)).toEqual(unpath(l, dir));
    expect(Object.keys(r.runs)).toEqual(['eval/sub', 'train']);
    const train = r.runs.train!;
    expect(train.files).toEqual(['s3://logs/exp4/train/events.out.tfevents.1', 's3://logs/exp4/train/events.out.tfevents.2']);
    expect(train.tags.loss!.count).toBe(119);
    expect(train.tags.acc!.count).toBe(50);
    expect(train.corrupt).toEqual([
      { file: 's3://logs/exp4/train/events.out.tfevents.1', offset: expect.any(Number), reason: expect.any(String) },
    ]);
    expect(train.incompleteBytes).toBe(tail.length - 5);
    // The text report names the run, and a clean prefix exits 0.
    const text = await runBoard(['inspect', 's3://logs/exp4/eval']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^run sub {2}\(1 file, 8 records\)/);
    expect(text.stdout).toMatch(/acc +scalar +7 +0\.\.6/);
    const missing = await runBoard(['inspect', 's3://no-such-bucket/x']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/board inspect: s3:\/\/no-such-bucket\/x: listing failed: NoSuchBucket/);
  } finally {
    cleanup();
  }
});

const pgWhy = pgUnavailable();
if (pgWhy) console.log(`skipping the PostgreSQL case of the s3:// --once test: ${pgWhy}`);
let pgServer: TestPg | null = null;
afterAll(async () => {
  await pgServer?.stop();
});

test.each([
  { store: 'sqlite', skip: false },
  { store: 'postgres', skip: pgWhy !== null },
])(
  '$store: board ingest --once with --logdir_spec mixing s3:// and local entries: exact counts; a second --once adds only the new points',
  async ({ store, skip }) => {
    if (skip) return;
    const { dir, cleanup } = tempDir();
    const p = store; // object keys per store, so both cases start from an empty prefix
    try {
      let a = concat(fileVersionRecord(), scalarRecords(0, 300, ['loss']));
      await s3.put('logs', `exp5-${p}/run1/events.out.tfevents.1`, a);
      await s3.put('logs', `exp5-${p}/run2/events.out.tfevents.1`, concat(fileVersionRecord(), scalarRecords(0, 40, ['loss'])));
      writeEvents(join(dir, 'logs/mine/events.out.tfevents.1'), fileVersionRecord(), scalarRecords(0, 25, ['loss']));
      let db = join(dir, 'team.sqlite');
      if (store === 'postgres') {
        pgServer ??= await startTestPg();
        db = await pgServer.newDatabase();
      }
      const spec = `cloud:s3://logs/exp5-${p},disk:${join(dir, 'logs')}`;
      const first = await runBoard(['ingest', '--logdir_spec', spec, '--db', db, '--once']);
      expect(first.stderr).not.toMatch(/board ingest:/);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/initial scan done .*\(3 runs in the store\)$/m);
      const counts = async () => {
        const e = await runBoard(['export', '--db', db, '--format', 'csv']);
        expect(e.code).toBe(0);
        const per: Record<string, number> = {};
        for (const line of e.stdout.trim().split('\n').slice(1)) {
          const run = line.split(',')[0]!;
          per[run] = (per[run] ?? 0) + 1;
        }
        return per;
      };
      expect(await counts()).toEqual({ 'cloud/run1': 300, 'cloud/run2': 40, 'disk/mine': 25 });
      // A new part of one object, nothing else: the second run adds exactly those points.
      a = concat(a, scalarRecords(300, 450, ['loss']));
      await s3.put('logs', `exp5-${p}/run1/events.out.tfevents.1`, a);
      const second = await runBoard(['ingest', '--logdir_spec', spec, '--db', db, '--once']);
      expect(second.code).toBe(0);
      expect(await counts()).toEqual({ 'cloud/run1': 450, 'cloud/run2': 40, 'disk/mine': 25 });
      // The same spec reaches `board export --logdir_spec` directly, without a store file.
      const direct = await runBoard(['export', '--logdir_spec', spec, '--db', ':memory:', '--format', 'csv', '--runs', '^cloud/']);
      expect(direct.code).toBe(0);
      expect(direct.stdout.trim().split('\n').length).toBe(1 + 450 + 40);
    } finally {
      cleanup();
    }
  },
  120_000,
);
