// Finding 7 of issue 10: a record header whose data never comes. The loader re-reads the tail
// only once the file has grown enough to hold the record, and a record above the size limit is
// skipped unread (memory stays bounded), so the records after it are ingested.
import { afterEach, expect, test } from 'vitest';
import { appendFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { openWriterDb } from '../../lib/store/schema.ts';
import { StoreWriter } from '../../lib/store/writer.ts';
import { openQueries } from '../../lib/store/queries.ts';
import { RunLoader } from '../../lib/ingest/run-loader.ts';
import { MAX_RECORD_BYTES } from '../../lib/tfevents/record.ts';
import { maskedCrc32c } from '../../lib/tfevents/crc32c.ts';
import { concat, fileVersionRecord, scalarRecords, tempDir, writeEvents } from '../ingest/helpers.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function setup() {
  const { dir, cleanup } = tempDir();
  const db = openWriterDb(':memory:');
  cleanups.push(cleanup, () => {
    db.close();
  });
  const writer = new StoreWriter(db);
  const loader = new RunLoader(writer, 1 << 20);
  const path = join(dir, 'run/events.out.tfevents.1.h');
  const target = { run: 'run', path, rel: 'run/events.out.tfevents.1.h' };
  return { db, writer, loader, path, target, q: openQueries(db) };
}

/** The 12-byte header of a record of `len` data bytes (a valid length CRC), as a writer starts it. */
function headerOf(len: number): Uint8Array {
  const h = new Uint8Array(12);
  const view = new DataView(h.buffer);
  view.setUint32(0, len >>> 0, true);
  view.setUint32(4, Math.floor(len / 2 ** 32), true);
  view.setUint32(8, maskedCrc32c(h, 0, 8), true);
  return h;
}

test('a header whose data has not come is not re-read on every change, only once the file holds it', async () => {
  const { loader, path, target, q } = setup();
  const len = 40 << 20; // 40 MiB of data announced, 1 KiB present
  writeEvents(path, fileVersionRecord(), scalarRecords(0, 10, ['loss']), headerOf(len), new Uint8Array(1024));
  await loader.sync(target);
  expect((await q.scalars(['run'], 'loss', { maxPoints: 100 }))[0]!.total).toBe(10);
  const afterFirst = loader.bytesRead;
  expect(afterFirst).toBeLessThan(3 << 20); // no doubling reads toward the announced 40 MiB
  let reads = 0;
  for (let i = 0; i < 20; i++) {
    appendFileSync(path, new Uint8Array(4096));
    const before = loader.bytesRead;
    await loader.sync(target);
    if (loader.bytesRead > before) reads++;
  }
  // 20 change events: the tail is looked at again only once it has grown by 64 KiB (or doubled),
  // not on each event (before: 20 re-reads of a growing tail).
  expect(reads).toBeLessThanOrEqual(1);
  expect(loader.bytesRead - afterFirst).toBeLessThan(100_000);
});

test('a header that lies about its length: the records after it are read, with one warning', async () => {
  const { loader, path, target, q } = setup();
  const head = concat(fileVersionRecord(), scalarRecords(0, 10, ['loss']));
  // A writer died after a header announcing 5 MiB; another one appends records after it.
  writeEvents(path, head, headerOf(5 << 20), new Uint8Array(100), scalarRecords(10, 20, ['loss']));
  await loader.sync(target);
  expect((await q.scalars(['run'], 'loss', { maxPoints: 100 }))[0]!.total).toBe(20);
  expect(await q.warnings('run')).toMatchObject([
    { offset: head.length, reason: expect.stringMatching(/^bad-length: declares 5242880 bytes/) },
  ]);
  // Live: more records keep coming after it, and are read.
  appendFileSync(path, scalarRecords(20, 30, ['loss']));
  await loader.sync(target);
  expect((await q.scalars(['run'], 'loss', { maxPoints: 100 }))[0]!.total).toBe(30);
});

test('a length that lies inside the file (data CRC fails) does not swallow the records in its span', async () => {
  const { loader, path, target, q } = setup();
  const head = concat(fileVersionRecord(), scalarRecords(0, 5, ['loss']));
  const rest = scalarRecords(5, 25, ['loss']);
  writeEvents(path, head, headerOf(rest.length - 20), new Uint8Array(7), rest);
  await loader.sync(target);
  expect((await q.scalars(['run'], 'loss', { maxPoints: 100 }))[0]!.total).toBe(25);
  expect((await q.warnings('run')).map((w) => w.offset)).toEqual([head.length]);
});

test('a record above the size limit is skipped unread once the file holds it; the records after it are read', async () => {
  const { loader, path, target, q } = setup();
  const len = MAX_RECORD_BYTES + 1;
  const head = concat(fileVersionRecord(), scalarRecords(0, 10, ['loss']));
  writeEvents(path, head, headerOf(len));
  await loader.sync(target);
  const read0 = loader.bytesRead;
  // The file grows past the record (sparse: no disk used), then an intact record follows it.
  truncateSync(path, head.length + 12 + len + 4);
  appendFileSync(path, scalarRecords(10, 20, ['loss']));
  await loader.sync(target);
  expect(loader.bytesRead - read0).toBeLessThan(2 << 20);
  expect((await q.scalars(['run'], 'loss', { maxPoints: 100 }))[0]!.total).toBe(20);
  expect(await q.warnings('run')).toMatchObject([
    { offset: head.length, reason: expect.stringMatching(/^too-large: record of 268435457 bytes/) },
  ]);
});
