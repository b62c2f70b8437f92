// Finding 3 of issue 10: an error in one value becomes a warning for its run, the file's offset
// moves past it and the ingest of everything else goes on: in-process, on the decode-worker path
// (a big backlog), and in the store writer itself whatever the decoder lets through.
import { afterEach, expect, test } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { startIngest, type Ingester } from '../../lib/ingest/index.ts';
import { decodeSlice } from '../../lib/ingest/slice.ts';
import { openWriterDb } from '../../lib/store/schema.ts';
import { StoreWriter } from '../../lib/store/writer.ts';
import { openQueries } from '../../lib/store/queries.ts';
import { RunNormalizer } from '../../lib/tfevents/index.ts';
import type { NormalizedValue } from '../../lib/tfevents/types.ts';
import {
  appendEvents,
  Bytes,
  concat,
  fileVersionRecord,
  scalarRecords,
  tempDir,
  tensorValue,
  valuesRecord,
  waitFor,
  writeEvents,
} from '../ingest/helpers.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function absurdPrCurve(step: number): Uint8Array {
  const content = new Bytes()
    .tag(2, 0)
    .varint(2 ** 32 - 1)
    .done(); // num_thresholds = 4294967295
  return valuesRecord(step, [tensorValue('pr', { dims: [6, 2], floats: Array(12).fill(0.5), plugin: 'pr_curves', content })]);
}

async function steps(ing: Ingester, run: string, tag: string): Promise<number[]> {
  return (await ing.queries.scalars([run], tag, { maxPoints: 1e9 }))[0]?.points.map((p) => p.step) ?? [];
}

for (const decodeWorker of [false, true]) {
  test(`an absurd numThresholds is a warning; the records after it are ingested (${decodeWorker ? 'decode worker' : 'in-process'})`, async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, 'run/events.out.tfevents.1.h');
    const head = concat(fileVersionRecord(), scalarRecords(0, 5, ['loss']));
    writeEvents(path, head, absurdPrCurve(5), scalarRecords(6, 50, ['loss']));
    const ing = await startIngest({ logdir: dir, db: join(dir, 'store.sqlite'), decodeWorker, watch: true, pollIntervalMs: 50 });
    cleanups.push(() => ing.close());
    await ing.initialScan; // rejected before the fix on the worker path: the watcher never started
    const expected = [...Array(50).keys()].filter((s) => s !== 5);
    expect(await steps(ing, 'run', 'loss')).toEqual(expected);
    const w = await ing.queries.warnings('run');
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ run: 'run', file: 'run/events.out.tfevents.1.h', offset: head.length });
    expect(w[0]!.reason).toMatch(/bad-value.*"pr".*4294967295 thresholds/);
    // The watcher runs, and a second bad value in a live append is a warning again, not a stall.
    appendEvents(path, absurdPrCurve(50), scalarRecords(51, 60, ['loss']));
    await waitFor(async () => (await steps(ing, 'run', 'loss')).length === 49 + 9, 10_000, 'the appended points');
    expect(await ing.queries.warnings('run')).toHaveLength(2);
    expect(statSync(path).size).toBeGreaterThan(0);
  }, 30_000);
}

test('the store writer turns an error in one value into a warning and commits the rest of the slice', async () => {
  const db = openWriterDb(':memory:');
  cleanups.push(() => {
    db.close();
  });
  const w = new StoreWriter(db);
  const file = w.ensureFile('run', '/x/run/events.out.tfevents.1.h', 'run/events.out.tfevents.1.h');
  const buf = concat(fileVersionRecord(), scalarRecords(0, 10, ['loss']));
  const sl = decodeSlice(buf, 0, file.rel, new RunNormalizer(), { size: buf.length, mtimeMs: 1, ino: 1 });
  // A value no current decoder produces (a producer bug): 10^12 thresholds would allocate 48 TB.
  const row = new Float64Array(2);
  const absurd: NormalizedValue = {
    tag: 'pr',
    step: 3,
    wallTime: 1,
    kind: 'pr_curve',
    plugin: 'pr_curves',
    data: { kind: 'pr_curve', tp: row, fp: row, tn: row, fn: row, precision: row, recall: row, numThresholds: 1e12 },
  };
  const text: NormalizedValue = {
    tag: 'note',
    step: 4,
    wallTime: 1,
    kind: 'text',
    plugin: 'text',
    data: { kind: 'text', texts: ['hello'], shape: [] },
  };
  sl.others.push(absurd, text);
  sl.otherOffsets.push(123, 456);
  w.begin();
  w.addSlice(file, sl);
  w.commit(file, { offset: buf.length, size: buf.length, mtime: 1, ino: 1, headLen: 0, headCrc: 0, records: 11, events: 11, corrupt: 0 });
  const q = openQueries(db);
  expect((await q.scalars(['run'], 'loss', { maxPoints: 100 }))[0]!.points.map((p) => p.step)).toEqual([...Array(10).keys()]);
  expect((await q.warnings('run')).map((x) => [x.offset, x.reason.slice(0, 20)])).toEqual([[123, 'bad-value: tag "pr":']]);
  // The failed value left no tag behind; the value after it is stored.
  expect(db.prepare(`SELECT count(*) c FROM tags WHERE tag = 'pr'`).get()).toEqual({ c: 0 });
  expect(db.prepare(`SELECT text FROM texts`).all()).toEqual([{ text: 'hello' }]);
  expect(db.prepare(`SELECT offset FROM files`).get()).toEqual({ offset: buf.length });
});
