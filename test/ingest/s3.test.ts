// s3:// log directories against a real S3-compatible server (s3rver on loopback) through the
// official AWS SDK: initial ingest, live tailing while a writer uploads new parts, a half-written
// last record that waits, a rewritten object re-read without duplicates, and an unchanged logdir
// that costs list requests only (no GET).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startIngest, type Ingester } from '../../lib/ingest/index.ts';
import { s3Requests } from '../../lib/sources/s3.ts';
import { startTestS3, type TestS3 } from '../helpers/s3-server.ts';
import { runBoard } from '../e2e/helpers/board-process.ts';
import { concat, fileVersionRecord, scalarRecords, waitFor } from './helpers.ts';

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
